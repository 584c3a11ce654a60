import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TargetSetV2, type TargetSetV2Data } from '@app/contracts';
import { CampaignCalendar, EventOutbox, ProblemException } from '@app/platform';
import { checkTarget, normaliseTarget, sameTarget, targetDateErrors, type TargetDefinition } from './target.rules';

interface TargetRow {
  id: string;
  name_vi: string;
  name_en: string;
  metric: TargetSetV2Data['metric'];
  cohorts: TargetSetV2Data['cohorts'];
  tree: TargetSetV2Data['tree'];
  scope_unit_types: TargetSetV2Data['scopeUnitTypes'];
  scope_levels: number[];
  threshold: number;
  deadline: string;
  campaign_start: string | null;
  reporting_window_days: number;
  revision: number;
}

/** The earliest campaign start of the registry's targets (YYYY-MM-DD) or NULL: the registry's published start, for its CampaignCalendar. */
export const TARGETS_CAMPAIGN_START_SQL = `(SELECT to_char(min(campaign_start), 'YYYY-MM-DD') FROM targets WHERE campaign_start IS NOT NULL)`;

const TARGET_COLUMNS = `id, name_vi, name_en, metric, cohorts, tree, scope_unit_types, scope_levels, threshold, deadline::text AS deadline,
  campaign_start::text AS campaign_start, reporting_window_days, revision`;
const SELECT_TARGET = `SELECT ${TARGET_COLUMNS} FROM targets`;

function dataOf(r: TargetRow): TargetSetV2Data {
  return {
    targetId: r.id,
    nameVi: r.name_vi,
    nameEn: r.name_en,
    metric: r.metric,
    cohorts: r.cohorts,
    tree: r.tree,
    scopeUnitTypes: r.scope_unit_types,
    scopeLevels: r.scope_levels,
    threshold: r.threshold,
    deadline: r.deadline,
    campaignStart: r.campaign_start,
    reportingWindowDays: r.reporting_window_days,
    revision: r.revision,
  };
}

@Injectable()
export class TargetsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly calendar: CampaignCalendar,
  ) {}

  async set(t: TargetDefinition): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; target: TargetSetV2Data }> {
    return this.ds.transaction((m) => this.setIn(m, t));
  }

  /** Creates or replaces a target; a new revision and a registry.target.set event only when something changed. */
  async setIn(
    m: EntityManager,
    input: TargetDefinition,
  ): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; target: TargetSetV2Data }> {
    const t = normaliseTarget(input);
    const errors = [...checkTarget(t), ...targetDateErrors(t, this.calendar.configuredStart, this.calendar.today())];
    if (errors.length > 0)
      throw new ProblemException(422, `target ${t.targetId} is inconsistent: ${errors.map((e) => e.message).join('; ')}`, errors);
    const [before]: TargetRow[] = await m.query(`${SELECT_TARGET} WHERE id = $1 FOR UPDATE`, [t.targetId]);
    if (before) {
      const { revision: _revision, ...held } = dataOf(before);
      if (sameTarget(held, t)) return { outcome: 'unchanged', target: dataOf(before) };
    }
    const params = [
      t.targetId,
      t.nameVi,
      t.nameEn,
      t.metric,
      t.cohorts,
      t.tree,
      t.scopeUnitTypes,
      t.scopeLevels,
      t.threshold,
      t.deadline,
      t.campaignStart,
      t.reportingWindowDays,
    ];
    const [row]: TargetRow[] = await m.query(
      `INSERT INTO targets (id, name_vi, name_en, metric, cohorts, tree, scope_unit_types, scope_levels, threshold, deadline, campaign_start,
         reporting_window_days, revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1)
       ON CONFLICT (id) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, metric = EXCLUDED.metric, cohorts = EXCLUDED.cohorts, tree = EXCLUDED.tree,
         scope_unit_types = EXCLUDED.scope_unit_types, scope_levels = EXCLUDED.scope_levels, threshold = EXCLUDED.threshold,
         deadline = EXCLUDED.deadline, campaign_start = EXCLUDED.campaign_start, reporting_window_days = EXCLUDED.reporting_window_days,
         revision = targets.revision + 1, republish = false, updated_at = now()
       RETURNING ${TARGET_COLUMNS}`,
      params,
    );
    const data = dataOf(row);
    await this.outbox.record(m, TargetSetV2, data.targetId, data);
    return { outcome: before ? 'updated' : 'created', target: data };
  }

  /**
   * Publishes, as a new revision, every target a migration marked (NamesAndContacts: the targets got their
   * Vietnamese names, which the read models learn only from events). Safe to run on every start and by
   * replicas starting together: each marked row is taken once (SKIP LOCKED) and unmarked in the same transaction.
   */
  async publishMarked(): Promise<number> {
    return this.ds.transaction(async (m) => {
      // An UPDATE … RETURNING answers [rows, count] through TypeORM.
      const [rows]: [TargetRow[], number] = await m.query(
        `UPDATE targets SET revision = revision + 1, republish = false, updated_at = now()
         WHERE id IN (SELECT id FROM targets WHERE republish ORDER BY id FOR UPDATE SKIP LOCKED)
         RETURNING ${TARGET_COLUMNS}`,
      );
      for (const r of rows) await this.outbox.record(m, TargetSetV2, r.id, dataOf(r));
      return rows.length;
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.publishMarked();
  }

  async get(id: string): Promise<TargetSetV2Data> {
    const [row]: TargetRow[] = await this.ds.query(`${SELECT_TARGET} WHERE id = $1`, [id]);
    if (!row) throw new NotFoundException({ detail: `unknown target ${id}` });
    return dataOf(row);
  }

  async list(): Promise<TargetSetV2Data[]> {
    const rows: TargetRow[] = await this.ds.query(`${SELECT_TARGET} ORDER BY deadline, id`);
    return rows.map(dataOf);
  }
}
