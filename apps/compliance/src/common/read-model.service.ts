import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cohort, TargetStatus, Tree, UnitType } from '@app/contracts';
import { activeGeneration } from '../projection/generation';
import { generationSchema } from '../projection/projection.schema';
import type { FigureCounts, Target } from './figures';

export interface UnitRow {
  code: string;
  name: string;
  type: UnitType;
  bloc: string | null;
  adminParentCode: string | null;
  accountableToCode: string | null;
  headName: string | null;
  headTitle: string | null;
  level: number | null;
  active: boolean;
}

export interface StatusRow {
  targetId: string;
  orgUnitCode: string;
  date: string;
  status: TargetStatus;
  previousStatus: TargetStatus | null;
  value: number | null;
  threshold: number;
  forecastDate: string | null;
  gap: number;
  reportingUnits: number | null;
  expectedUnits: number | null;
  reporting: boolean | null;
}

/** Everything the analytics views need for one date, read from the live generation in one snapshot. */
export interface Snapshot {
  date: string;
  asOfEvent: string | null;
  units: Map<string, UnitRow>;
  /** The latest figure as of the date, per unit, cohort and tree. */
  figuresByUnit: Map<string, FigureCounts[]>;
  /** The latest status as of the date, per target then unit. */
  statuses: Map<string, Map<string, StatusRow>>;
  targets: Target[];
}

export interface Generation {
  schema: string;
  asOfEvent: string | null;
  m: EntityManager;
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

export const FIGURE_COLUMNS = `org_unit_code AS "orgUnitCode", cohort, tree, date::text AS date, headcount,
  smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn", population,
  reporting_units AS "reportingUnits", expected_units AS "expectedUnits"`;

/** Reads the live generation of the read model. Every read is one REPEATABLE READ transaction, so a response is consistent. */
@Injectable()
export class ReadModelService {
  private readonly base: string;

  constructor(private readonly ds: DataSource) {
    this.base = (ds.options as { schema: string }).schema;
  }

  async read<T>(fn: (g: Generation) => Promise<T>): Promise<T> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const schema = generationSchema(this.base, await activeGeneration(m));
      const cp: Array<{ at: string }> = await m.query(
        `SELECT to_char(last_occurred_at AT TIME ZONE 'UTC', ${ISO_MS}) AS at FROM "${schema}".projection_checkpoint`,
      );
      return fn({ schema, asOfEvent: cp[0]?.at ?? null, m });
    });
  }

  async snapshot(date: string): Promise<Snapshot> {
    return this.read((g) => this.loadSnapshot(g, date));
  }

  async loadSnapshot(g: Generation, date: string): Promise<Snapshot> {
    const s = `"${g.schema}"`;
    const units: UnitRow[] = await g.m.query(
      `SELECT code, name, type, bloc, admin_parent_code AS "adminParentCode", accountable_to_code AS "accountableToCode",
              head_name AS "headName", head_title AS "headTitle", level, active
       FROM ${s}.units WHERE type IS NOT NULL ORDER BY code`,
    );
    const figures: FigureCounts[] = await g.m.query(
      `SELECT DISTINCT ON (org_unit_code, cohort, tree) ${FIGURE_COLUMNS}
       FROM ${s}.figures WHERE date <= $1 ORDER BY org_unit_code, cohort, tree, date DESC`,
      [date],
    );
    // The latest status row of each unit, with the day its current status began and the status before it,
    // read from the sequence of statuses (rows also restate a status when its coverage changes).
    const statuses: StatusRow[] = await g.m.query(
      `WITH cur AS (
         SELECT DISTINCT ON (target_id, org_unit_code) * FROM ${s}.target_statuses WHERE date <= $1 ORDER BY target_id, org_unit_code, date DESC
       ), brk AS (
         SELECT DISTINCT ON (x.target_id, x.org_unit_code) x.target_id, x.org_unit_code, x.date, x.status
         FROM ${s}.target_statuses x JOIN cur ON cur.target_id = x.target_id AND cur.org_unit_code = x.org_unit_code
         WHERE x.date <= $1 AND x.status <> cur.status
         ORDER BY x.target_id, x.org_unit_code, x.date DESC
       )
       SELECT cur.target_id AS "targetId", cur.org_unit_code AS "orgUnitCode",
              (SELECT min(y.date) FROM ${s}.target_statuses y
                WHERE y.target_id = cur.target_id AND y.org_unit_code = cur.org_unit_code AND y.date <= $1
                  AND (brk.date IS NULL OR y.date > brk.date))::text AS date,
              cur.status, brk.status AS "previousStatus", cur.value, cur.threshold,
              cur.forecast_date::text AS "forecastDate", cur.gap,
              cur.reporting_units AS "reportingUnits", cur.expected_units AS "expectedUnits", cur.reporting
       FROM cur LEFT JOIN brk ON brk.target_id = cur.target_id AND brk.org_unit_code = cur.org_unit_code
       ORDER BY cur.target_id, cur.org_unit_code`,
      [date],
    );
    const targets: Target[] = await g.m.query(
      `SELECT target_id AS "targetId", name, metric, cohorts, tree, scope_unit_types AS "scopeUnitTypes", scope_levels AS "scopeLevels",
              threshold, deadline::text AS deadline, campaign_start::text AS "campaignStart", reporting_window_days AS "reportingWindowDays"
       FROM ${s}.targets ORDER BY target_id`,
    );
    const figuresByUnit = new Map<string, FigureCounts[]>();
    for (const f of figures) {
      const list = figuresByUnit.get(f.orgUnitCode) ?? [];
      list.push(f);
      figuresByUnit.set(f.orgUnitCode, list);
    }
    const byTarget = new Map<string, Map<string, StatusRow>>();
    for (const st of statuses) {
      const map = byTarget.get(st.targetId) ?? new Map<string, StatusRow>();
      map.set(st.orgUnitCode, st);
      byTarget.set(st.targetId, map);
    }
    return {
      date,
      asOfEvent: g.asOfEvent,
      units: new Map(units.map((u) => [u.code, u])),
      figuresByUnit,
      statuses: byTarget,
      targets,
    };
  }
}

/** Children of a unit on one tree. */
export function childrenOf(units: Map<string, UnitRow>, code: string, tree: Tree): UnitRow[] {
  const out: UnitRow[] = [];
  for (const u of units.values()) {
    if ((tree === 'administrative' ? u.adminParentCode : u.accountableToCode) === code) out.push(u);
  }
  return out;
}

/** A unit and everything under it on either tree (what a portal key may read). */
export function subtreeCodes(units: Map<string, UnitRow>, root: string): Set<string> {
  const kids = new Map<string, string[]>();
  for (const u of units.values()) {
    for (const p of [u.adminParentCode, u.accountableToCode]) {
      if (p) kids.set(p, [...(kids.get(p) ?? []), u.code]);
    }
  }
  const seen = new Set<string>([root]);
  const queue = [root];
  while (queue.length) {
    for (const c of kids.get(queue.shift()!) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        queue.push(c);
      }
    }
  }
  return seen;
}

export function figuresOf(snapshot: Snapshot, code: string, cohort?: Cohort, tree?: Tree): FigureCounts[] {
  return (snapshot.figuresByUnit.get(code) ?? []).filter((f) => (!cohort || f.cohort === cohort) && (!tree || f.tree === tree));
}
