import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { treeOfCohort, type Cohort, type Tree } from '@app/contracts';
import {
  FigureModel,
  targetCohorts,
  unitNodeOf,
  type DateSpan,
  type DenominatorInput,
  type ReportInput,
  type Target,
  type UnitNode,
} from '@app/domain';
import { upwardClosureCte } from '@app/persistence';
import { UNIT_COLUMNS, unitRecordOf, type UnitRow } from '../inputs/unit-row';
import { RatesConfig } from '../rates.config';

export interface DirtyMark {
  readonly unitCode: string;
  readonly cohort: Cohort;
  /** The first day the mark's inputs can have changed. */
  readonly from: string;
  /** The last (null or absent: every day from `from` on). */
  readonly until?: string | null;
}

/** The inputs of one flush: the units it walks, and the own reports and denominators of the units it recomputes. */
export interface FlushInputs {
  readonly units: UnitNode[];
  readonly reports: ReportInput[];
  readonly denominators: DenominatorInput[];
}

/** A rates_reports row as a `ReportInput`; `t` names the table's alias where the query needs one. */
const reportColumns = (t = '') => `${t}org_unit_code AS "unitCode", ${t}cohort, ${t}as_of::text AS "asOf", ${t}revision,
  ${t}report_id AS "reportId", ${t}headcount, ${t}smartphone_holders AS "smartphoneHolders", ${t}installed, ${t}bluetooth_on AS "bluetoothOn"`;
/**
 * The reports (one per day: rates_reports keeps the version a day's sums take) of units $1 and cohorts $2 dated $3
 * or later, and for each (unit, cohort) its last and its first report before $3: what a flush from $3 on computes
 * from (see `neighbourhood`). The days before $3 are found from the primary key (org_unit_code, cohort, as_of)
 * alone, and only the rows of the two edge days are read.
 */
const REPORTS_SINCE = `
  WITH edges AS (
    SELECT org_unit_code, cohort, min(as_of) AS first_day, max(as_of) AS last_day FROM rates_reports
     WHERE org_unit_code = ANY($1::text[]) AND cohort = ANY($2::text[]) AND as_of < $3::date
     GROUP BY org_unit_code, cohort)
  SELECT ${reportColumns()} FROM rates_reports
   WHERE org_unit_code = ANY($1::text[]) AND cohort = ANY($2::text[]) AND as_of >= $3::date
  UNION ALL
  SELECT ${reportColumns('r.')} FROM edges e
    JOIN rates_reports r ON r.org_unit_code = e.org_unit_code AND r.cohort = e.cohort AND r.as_of IN (e.first_day, e.last_day)`;
const DENOMINATOR_COLUMNS = `org_unit_code AS "unitCode", cohort, as_of::text AS "asOf", headcount, event_id AS "eventId"`;

/**
 * Reads what a flush computes from. Incremental flushes read the marked units, their ancestors and the
 * direct children of those (the structure of the roll-up), and the own inputs of the units recomputed;
 * never a subtree below them: the children's sums are stored (rates_rollups).
 */
@Injectable()
export class FigureModelLoader {
  constructor(private readonly config: RatesConfig) {}

  model(inputs: FlushInputs, bounds: DateSpan): FigureModel {
    return new FigureModel(inputs, { windowDays: this.config.RATES_FIGURE_WINDOW_DAYS, bounds });
  }

  async targets(m: EntityManager): Promise<Target[]> {
    return (await m.query(`SELECT definition FROM rates_targets ORDER BY target_id`)).map((r: { definition: Target }) => r.definition);
  }

  /** Every unit, report (one per day) and denominator: a target's re-evaluation, and the full recomputation. */
  async everything(m: EntityManager): Promise<FlushInputs> {
    const units = nodesOf(await m.query(`SELECT ${UNIT_COLUMNS} FROM rates_units`));
    const reports: ReportInput[] = await m.query(`SELECT ${reportColumns()} FROM rates_reports`);
    const denominators: DenominatorInput[] = await m.query(`SELECT ${DENOMINATOR_COLUMNS} FROM rates_denominators`);
    return { units, reports, denominators };
  }

  /** The marked units and their ancestors on each mark's tree: where each mark sits (its partition). */
  async ancestry(m: EntityManager, marks: ReadonlyArray<Pick<DirtyMark, 'unitCode' | 'cohort'>>): Promise<UnitNode[]> {
    const byCode = new Map<string, UnitRow>();
    for (const [tree, codes] of codesByTree(marks)) {
      const rows: UnitRow[] = await m.query(`${upWalk(tree)} SELECT ${UNIT_COLUMNS} FROM rates_units WHERE code IN (SELECT code FROM up)`, [
        codes,
      ]);
      for (const r of rows) byCode.set(r.code, r);
    }
    return nodesOf([...byCode.values()]);
  }

  /**
   * Per tree: the marked units and their ancestors (up), and the direct children of those. The own
   * inputs are read for the units up only, for the marks' cohorts and every cohort of a target over one.
   * `from` is the first day the flush recomputes. A day from it on takes a unit's latest report on or before
   * the day, so of the reports before `from` only each unit's last is read (the figure it carries forward, and
   * whose window may lapse after `from`) and its first (where its figure starts): not the whole history, which
   * grows with the campaign and changes nothing from `from` on.
   * With `lock`, the units read are locked against changes (FOR SHARE NOWAIT) until the flush commits: a
   * unit that moves while a flush works on it waits, so no flush writes a unit by a tree that is no longer
   * true while another flush writes it by the new one (rates across replicas). A unit being changed makes
   * the flush fail at once (lock not available) and retry on its next tick.
   */
  async neighbourhood(
    m: EntityManager,
    marks: readonly DirtyMark[],
    targets: readonly Target[],
    options: { readonly from: string; readonly lock?: boolean },
  ): Promise<FlushInputs> {
    const lock = options.lock === true;
    const cohorts = new Set<Cohort>();
    for (const mark of marks) {
      cohorts.add(mark.cohort);
      // A status over the cohort sums every cohort of its target on the tree.
      for (const t of targets) if (targetCohorts(t).includes(mark.cohort)) for (const c of targetCohorts(t)) cohorts.add(c);
    }
    const byCode = new Map<string, UnitRow>();
    const up = new Set<string>();
    for (const [tree, codes] of codesByTree(marks)) {
      const parent = PARENT_COLUMN[tree];
      const rows: Array<UnitRow & { up: boolean }> = await m.query(
        `${upWalk(tree)}
         SELECT ${UNIT_COLUMNS}, code IN (SELECT code FROM up) AS up FROM rates_units
         WHERE code IN (SELECT code FROM up) OR ${parent} IN (SELECT code FROM up) ${lock ? 'FOR SHARE NOWAIT' : ''}`,
        [codes],
      );
      for (const r of rows) {
        byCode.set(r.code, r);
        if (r.up) up.add(r.code);
      }
    }
    const codes = [...up];
    const cohortList = [...cohorts];
    const reports: ReportInput[] = codes.length ? await m.query(REPORTS_SINCE, [codes, cohortList, options.from]) : [];
    const denominators: DenominatorInput[] = codes.length
      ? await m.query(
          `SELECT ${DENOMINATOR_COLUMNS} FROM rates_denominators WHERE org_unit_code = ANY($1::text[]) AND cohort = ANY($2::text[])`,
          [codes, cohortList],
        )
      : [];
    return {
      units: nodesOf([...byCode.values()].map(({ up: _up, ...row }: UnitRow & { up?: boolean }) => row)),
      reports,
      denominators,
    };
  }
}

const PARENT_COLUMN: Record<Tree, string> = { administrative: 'admin_parent_code', accountability: 'accountable_to_code' };

/** The CTE `up`: the units $1 and their ancestors on one tree, each once. */
function upWalk(tree: Tree): string {
  return `WITH RECURSIVE ${upwardClosureCte('up', 'SELECT unnest($1::text[])', { table: 'rates_units', parentColumns: [PARENT_COLUMN[tree]] })}`;
}

function codesByTree(marks: ReadonlyArray<Pick<DirtyMark, 'unitCode' | 'cohort'>>): Array<[Tree, string[]]> {
  const out = new Map<Tree, Set<string>>();
  for (const mark of marks) {
    const tree = treeOfCohort(mark.cohort);
    out.set(tree, (out.get(tree) ?? new Set()).add(mark.unitCode));
  }
  return [...out].map(([tree, codes]) => [tree, [...codes]]);
}

function nodesOf(rows: UnitRow[]): UnitNode[] {
  return rows.map((r) => unitNodeOf(unitRecordOf(r))).filter((u) => u !== null);
}
