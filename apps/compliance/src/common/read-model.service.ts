import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { CampaignCalendar } from '@app/platform';
import { ancestorsCte, subtreeSql } from '@app/persistence';
import type { Cohort, TargetStatus, Tree, UnitType } from '@app/contracts';
import { activeGeneration } from '../projection/generation';
import { generationSchema } from '../projection/projection.schema';
import { groupBy, parentOn, type Target } from '@app/domain';
import type { FigureCounts } from './figures';
import { ReadModelVersion } from './read-model-version';
import { FIGURE_COLUMNS, statusesSql, TARGET_COLUMNS, UNIT_COLUMNS, unitWalk, versionSql } from './read-model.sql';
import { VersionedCache } from './versioned-cache';

export * from './read-model.sql';

export interface UnitRow {
  code: string;
  name: string;
  type: UnitType;
  bloc: string | null;
  adminParentCode: string | null;
  accountableToCode: string | null;
  headName: string | null;
  headTitle: string | null;
  /** E.164; personal data: shown to admins and analysts only (ContactsService). */
  headPhone: string | null;
  headEmail: string | null;
  level: number | null;
  active: boolean;
}

/**
 * A target as the read model holds it: the one target type, and `name`, its Vietnamese name (what pages
 * written before the names were two showed; officials read Vietnamese first).
 */
export type TargetRow = Target & { readonly name: string };

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
  targets: TargetRow[];
}

export interface Generation {
  schema: string;
  asOfEvent: string | null;
  m: EntityManager;
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * How many statement texts readOne prepares (counted per process, so at most as many per connection).
 * Its texts are built from whitelisted fragments and the generation's name, never from values, so a
 * handful serve every request; past the bound a text is planned on each run, as any other statement.
 */
export const PREPARED_TEXTS_MAX = 256;

/**
 * What keep holds at most: answers, and rows in all of them (a row of units, figures or statuses, a few
 * hundred bytes parsed: ~20 MB). The children of each of a country's 700 districts are ~34,000 rows.
 */
export const KEPT_ANSWERS_MAX = 2048;
export const KEPT_ROWS_MAX = 50_000;

/** Errors that mean the generation named in a statement is gone (switched and dropped meanwhile). */
function isStaleGeneration(err: unknown): boolean {
  const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
  return code === '42P01' || code === '3F000';
}

/** Reads the live generation of the read model. Every read is one REPEATABLE READ transaction, so a response is consistent. */
@Injectable()
export class ReadModelService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly base: string;
  private readonly changes: ReadModelVersion;

  constructor(
    private readonly ds: DataSource,
    private readonly calendar: CampaignCalendar,
  ) {
    this.base = (ds.options as { schema: string }).schema;
    this.changes = new ReadModelVersion(ds, this.base);
  }

  onApplicationBootstrap(): void {
    this.changes.start();
  }

  onModuleDestroy(): void {
    this.changes.stop();
  }

  /**
   * A token that changes whenever the read model may have changed (what answers are kept under): from
   * memory while this process hears every change (ReadModelVersion), else read from the database (the
   * live generation and the per-consumer counters bumped by every transaction that applies events).
   */
  async currentVersion(): Promise<string> {
    return this.changes.current() ?? (await this.readOne<string>(versionSql, [])).data;
  }

  async read<T>(fn: (g: Generation) => Promise<T>): Promise<T> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const schema = generationSchema(this.base, await activeGeneration(m));
      const cp: Array<{ at: string }> = await m.query(
        `SELECT to_char(last_occurred_at AT TIME ZONE 'UTC', ${ISO_MS}) AS at FROM "${schema}".projection_checkpoint`,
      );
      // Officials read the province's wall clock, to the second (docs/api.md, "As of").
      return fn({ schema, asOfEvent: cp[0] ? this.calendar.dateTime(cp[0].at) : null, m });
    });
  }

  /** Answers kept per read-model version and key (keep): one bound for all of them. */
  private readonly kept = new VersionedCache<unknown>({ answers: KEPT_ANSWERS_MAX, weight: KEPT_ROWS_MAX });

  /**
   * `compute`'s answer kept per read-model version: identical reads between two changes of the read model share
   * one computation (and concurrent ones one promise). `key` names everything the answer depends on but the read
   * model (the route, its filters, what the viewer may see); `weigh` counts the rows an answer holds, and the
   * answers kept hold at most KEPT_ROWS_MAX rows (one heavier than an eighth of that is not kept). Only for answers
   * computed from the live generation's tables (what the version follows), never from other tables.
   */
  async keep<T>(key: string, compute: () => Promise<T>, weigh: (answer: T) => number): Promise<T> {
    const version = await this.currentVersion();
    return this.kept.get(version, key, compute, weigh as (answer: unknown) => number) as Promise<T>;
  }

  /** The live generation as last seen: a statement that finds another one is run again on it. */
  private generation: number | null = null;

  /**
   * One statement, no transaction (a statement sees one snapshot): the live generation, the checkpoint and
   * `data(schema)`, a scalar SQL expression (a sub-query giving JSON) over the generation's tables. The
   * generation is remembered; when the pointer has moved (a rebuild switched) or the schema named is
   * gone, the statement is run again on the live one.
   */
  async readOne<T>(data: (schema: string) => string, params: readonly unknown[]): Promise<{ asOfEvent: string | null; data: T }> {
    for (let attempt = 1; ; attempt++) {
      const generation = this.generation ?? (this.generation = await activeGeneration(this.ds.manager));
      const schema = generationSchema(this.base, generation);
      let row: { generation: number; at: string | null; data: T } | undefined;
      try {
        [row] = await this.prepared<{ generation: number; at: string | null; data: T }>(
          `SELECT p.generation, (SELECT to_char(last_occurred_at AT TIME ZONE 'UTC', ${ISO_MS}) FROM "${schema}".projection_checkpoint) AS at,
                  (${data(schema)}) AS data
           FROM projection_pointer p`,
          params,
        );
      } catch (err) {
        if (attempt >= 3 || !isStaleGeneration(err)) throw err;
        this.generation = null;
        continue;
      }
      if (!row) throw new Error('projection_pointer is empty: migrations have not run');
      if (row.generation === generation || attempt >= 3) return { asOfEvent: this.asOf(row.at), data: row.data };
      this.generation = row.generation;
    }
  }

  /** The checkpoint last shown, and as shown (Intl formatToParts on the province’s clock: ~4% of a summary request’s CPU in the bench profile). */
  private lastAsOf: { at: string; shown: string } | null = null;

  private asOf(at: string | null): string | null {
    if (at === null) return null;
    if (this.lastAsOf?.at !== at) this.lastAsOf = { at, shown: this.calendar.dateTime(at) };
    return this.lastAsOf.shown;
  }

  /** The statement texts prepared so far and their names (see PREPARED_TEXTS_MAX). */
  private readonly preparedNames = new Map<string, string>();

  /**
   * Runs `text` as a named prepared statement on a pooled connection: a read route's statement is a few
   * kilobytes of SQL whose planning costs more than running it (GET /v1/units?parent= on the national
   * registry: 27 ms planned on each run, 8 ms prepared, on the loaded bench machine); prepared, each
   * connection plans it once and PostgreSQL may then keep a generic plan. A statement on a dropped
   * generation fails as any other (isStaleGeneration), and a new generation is a new text, hence a new name.
   */
  private async prepared<R>(text: string, params: readonly unknown[]): Promise<R[]> {
    // Named by a hash of the text, worked out once per text (a hash per request was ~2% of a cached summary's CPU).
    let name = this.preparedNames.get(text);
    if (name === undefined && this.preparedNames.size < PREPARED_TEXTS_MAX) {
      name = `rm_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
      this.preparedNames.set(text, name);
    }
    // TypeORM's PostgreSQL driver keeps its pg pool as `master`; its query() cannot name a statement.
    const pool = (this.ds.driver as unknown as { master: Pool }).master;
    const result = await pool.query<R & object>({ ...(name ? { name } : {}), text, values: [...params] });
    return result.rows;
  }

  async snapshot(date: string): Promise<Snapshot> {
    return this.read((g) => this.loadSnapshot(g, date));
  }

  /**
   * The whole read model for one date: every unit, every unit's latest figure and status. O(country):
   * only for the province-level pages rendered rarely (dashboard, daily report); the API reads
   * through the narrower loaders below.
   */
  async loadSnapshot(g: Generation, date: string): Promise<Snapshot> {
    const s = `"${g.schema}"`;
    const units: UnitRow[] = await g.m.query(`SELECT ${UNIT_COLUMNS} FROM ${s}.units WHERE type IS NOT NULL ORDER BY code`);
    const figures: FigureCounts[] = await g.m.query(
      `SELECT DISTINCT ON (org_unit_code, cohort, tree) ${FIGURE_COLUMNS}
       FROM ${s}.figures WHERE date <= $1 ORDER BY org_unit_code, cohort, tree, date DESC`,
      [date],
    );
    const statuses: StatusRow[] = await g.m.query(statusesSql(s), [date]);
    return assembleSnapshot(date, g.asOfEvent, units, figures, statuses, await this.targets(g));
  }

  async targets(g: Generation): Promise<TargetRow[]> {
    return g.m.query(`SELECT ${TARGET_COLUMNS} FROM "${g.schema}".targets ORDER BY target_id`);
  }

  /** Known units (type set) among these codes, in code order. */
  async unitsByCode(g: Generation, codes: readonly string[]): Promise<UnitRow[]> {
    if (codes.length === 0) return [];
    return g.m.query(`SELECT ${UNIT_COLUMNS} FROM "${g.schema}".units WHERE code = ANY($1::text[]) AND type IS NOT NULL ORDER BY code`, [
      [...new Set(codes)],
    ]);
  }

  async unit(g: Generation, code: string): Promise<UnitRow | undefined> {
    return (await this.unitsByCode(g, [code]))[0];
  }

  /** Known units matching equality filters on indexed columns (and `active`), in code order. */
  async unitsWhere(
    g: Generation,
    where: {
      type?: string;
      level?: number;
      adminParentCode?: string;
      accountableToCode?: string;
      active?: boolean;
      codes?: readonly string[];
    },
  ): Promise<UnitRow[]> {
    const conds = ['type IS NOT NULL'];
    const params: unknown[] = [];
    const eq = (column: string, value: unknown) => {
      params.push(value);
      conds.push(`${column} = $${params.length}`);
    };
    if (where.type !== undefined) eq('type', where.type);
    if (where.level !== undefined) eq('level', where.level);
    if (where.adminParentCode !== undefined) eq('admin_parent_code', where.adminParentCode);
    if (where.accountableToCode !== undefined) eq('accountable_to_code', where.accountableToCode);
    if (where.active !== undefined) eq('active', where.active);
    if (where.codes !== undefined) {
      params.push([...new Set(where.codes)]);
      conds.push(`code = ANY($${params.length}::text[])`);
    }
    return g.m.query(`SELECT ${UNIT_COLUMNS} FROM "${g.schema}".units WHERE ${conds.join(' AND ')} ORDER BY code`, params);
  }

  /** The children of a unit on both trees (known units, active or not), in code order. */
  async childrenOfUnit(g: Generation, code: string): Promise<UnitRow[]> {
    return g.m.query(
      `SELECT ${UNIT_COLUMNS} FROM "${g.schema}".units WHERE (admin_parent_code = $1 OR accountable_to_code = $1) AND type IS NOT NULL ORDER BY code`,
      [code],
    );
  }

  /**
   * `root` and every known unit under it on either tree (what a portal key may read; subtreeCodes in
   * SQL), walking down the parent indexes: work in proportion to the subtree.
   */
  async subtree(g: Generation, root: string): Promise<string[]> {
    const rows: Array<{ code: string }> = await g.m.query(subtreeSql('SELECT $1::text', unitWalk(g.schema)), [root]);
    return [...new Set(rows.map((r) => r.code))];
  }

  /**
   * The codes among `codes` that lie in `root`'s subtree on either tree (what a portal key may read), by
   * walking up from each code: work in proportion to the codes asked about and the depth of the trees.
   * Same edges as subtreeCodes: a known unit's parents on both trees.
   */
  async withinSubtree(g: Generation, root: string, codes: readonly string[]): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    const rows: Array<{ code: string }> = await g.m.query(
      `WITH RECURSIVE ${ancestorsCte('up', 'SELECT unnest($1::text[])', unitWalk(g.schema))}
       SELECT c AS code FROM unnest($1::text[]) c WHERE c = $2 UNION SELECT origin FROM up WHERE code = $2`,
      [[...new Set(codes)], root],
    );
    return new Set(rows.map((r) => r.code));
  }

  /** The latest figure as of the date of these units, per cohort and tree. */
  async figuresOfUnits(g: Generation, date: string, codes: readonly string[]): Promise<FigureCounts[]> {
    if (codes.length === 0) return [];
    return g.m.query(
      `SELECT DISTINCT ON (org_unit_code, cohort, tree) ${FIGURE_COLUMNS}
       FROM "${g.schema}".figures WHERE org_unit_code = ANY($2::text[]) AND date <= $1 ORDER BY org_unit_code, cohort, tree, date DESC`,
      [date, [...new Set(codes)]],
    );
  }

  /** The latest status as of the date of these targets, for these units only, or (codes null) for every unit that has one. */
  async statusesOf(g: Generation, date: string, targetIds: readonly string[], codes: readonly string[] | null): Promise<StatusRow[]> {
    if (targetIds.length === 0 || codes?.length === 0) return [];
    const s = `"${g.schema}"`;
    if (codes === null)
      return g.m.query(
        statusesSql(s, (a) => `AND ${a}.target_id = ANY($2::text[])`),
        [date, [...targetIds]],
      );
    return g.m.query(
      statusesSql(s, (a) => `AND ${a}.target_id = ANY($2::text[]) AND ${a}.org_unit_code = ANY($3::text[])`),
      [date, [...targetIds], [...new Set(codes)]],
    );
  }

  /**
   * The latest campaign day on which something was reported (a unit's report or an enterprise's roster),
   * not after `today`; null before the first. Figures and statuses run on past it (a reporting window
   * lapses, a deadline passes), but those days are made by the calendar, not by anyone's report.
   */
  async latestReportDay(g: Generation, today: string): Promise<string | null> {
    const rows: Array<{ day: string | null }> = await g.m.query(
      `SELECT greatest((SELECT max(as_of) FROM "${g.schema}".reports WHERE as_of <= $1),
                       (SELECT max(as_of) FROM "${g.schema}".roster_imports WHERE as_of <= $1))::text AS day`,
      [today],
    );
    return rows[0]?.day ?? null;
  }
}

/** A snapshot holding only the rows given (units in the order given): what a read path loaded for the units it answers about. */
export function assembleSnapshot(
  date: string,
  asOfEvent: string | null,
  units: readonly UnitRow[],
  figures: readonly FigureCounts[],
  statuses: readonly StatusRow[],
  targets: TargetRow[],
): Snapshot {
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
  return { date, asOfEvent, units: new Map(units.map((u) => [u.code, u])), figuresByUnit, statuses: byTarget, targets };
}

/** Children of a unit on one tree. */
export function childrenOf(units: Map<string, UnitRow>, code: string, tree: Tree): UnitRow[] {
  const out: UnitRow[] = [];
  for (const u of units.values()) {
    if (parentOn(tree, u) === code) out.push(u);
  }
  return out;
}

/** A unit and everything under it on either tree (what a portal key may read). */
export function subtreeCodes(units: Map<string, UnitRow>, root: string): Set<string> {
  const links = [...units.values()].flatMap((u) =>
    [u.adminParentCode, u.accountableToCode].flatMap((p) => (p ? [{ p, code: u.code }] : [])),
  );
  const kids = new Map([...groupBy(links, (l) => l.p)].map(([p, ls]) => [p, ls.map((l) => l.code)] as const));
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
