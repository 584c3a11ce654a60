import type { DataSource } from 'typeorm';
import { COHORTS, treeOfCohort } from '@app/contracts';
import { evaluateTargetSeries, inTargetScope, type Figure, type Target, type TargetEvaluation } from '@app/domain';
import { evaluationOfRow, FIGURE_COLUMNS, figureOfRow, STATUS_COLUMNS } from '../../apps/rates/src/figures/figure-rows';
import type { DirtyMark, FigureRecomputeService, RecomputeResult } from '../../apps/rates/src/figures/figure-recompute.service';

/** What one recompute wrote and published. */
export interface RecomputeOutcome {
  result: RecomputeResult;
  events: unknown[];
  figures: unknown[];
  statuses: unknown[];
  publishedFigures: unknown[];
  publishedStatuses: unknown[];
  /** What the roll-ups' spans say each unit's subtree reported first and last, per lane. */
  spans: unknown[];
}

/** Runs one recompute in a transaction, reads what it wrote and published, and rolls it all back. */
export async function dryRun(
  ds: DataSource,
  recompute: FigureRecomputeService,
  marks: readonly DirtyMark[],
  dirtyTargets: readonly string[],
  fullModel: boolean,
): Promise<RecomputeOutcome> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  try {
    const m = qr.manager;
    const [{ max }] = await m.query(`SELECT coalesce(max(seq), 0) AS max FROM outbox`);
    const result = await recompute.recompute(m, marks, dirtyTargets, { fullModel });
    return {
      result,
      events: (await m.query(
        `SELECT envelope->>'type' AS type, envelope->>'key' AS key, envelope->'data' AS data FROM outbox WHERE seq > $1 ORDER BY seq`,
        [max],
      )) as unknown[],
      figures: await m.query(`SELECT ${FIGURE_COLUMNS} FROM rates_figures ORDER BY 1, 2, 3, 4`),
      statuses: await m.query(`SELECT ${STATUS_COLUMNS} FROM rates_target_statuses ORDER BY 1, 2, 3`),
      publishedFigures: await m.query(
        `SELECT org_unit_code, cohort, tree, date::text, payload FROM rates_published_figures ORDER BY 1, 2, 3, 4`,
      ),
      publishedStatuses: await m.query(
        `SELECT target_id, org_unit_code, date::text, payload FROM rates_published_statuses ORDER BY 1, 2, 3`,
      ),
      spans: await m.query(
        `SELECT org_unit_code, lane, first_report::text, last_report::text, last_retired::text, in_scope FROM rates_rollup_spans ORDER BY 1, 2`,
      ),
    };
  } finally {
    await qr.rollbackTransaction();
    await qr.release();
  }
}

/**
 * What an outcome means to a reader, who takes a day's value from its latest stored row on or before it (the
 * figures API, `expectStoredRowsAreTheModel`): the stored rows without those that repeat the row before them, and
 * the events. Two outcomes equal in this form serve every day alike, though one may hold a day's value in a row
 * of its own where the other holds it from an earlier row (a bounded flush does not fill the days after the ones
 * it recomputes, where a span that grew on its far side left none).
 */
export function asRead(o: RecomputeOutcome): unknown {
  return {
    ...o,
    result: { figureEvents: o.result.figureEvents, statusEvents: o.result.statusEvents },
    figures: changes(o.figures as Array<Record<string, unknown>>, ['org_unit_code', 'cohort', 'tree']),
    statuses: changes(o.statuses as Array<Record<string, unknown>>, ['target_id', 'org_unit_code']),
  };
}

/** Rows ordered by key and date, without each that has the same values as the row before it of its key. */
function changes(rows: ReadonlyArray<Record<string, unknown>>, key: readonly string[]): unknown[] {
  const keyOf = (r: Record<string, unknown>) => key.map((k) => r[k]).join('|');
  const valueOf = (r: Record<string, unknown>) => JSON.stringify(Object.entries(r).filter(([k]) => k !== 'date'));
  return rows.filter((r, i) => i === 0 || keyOf(rows[i - 1]) !== keyOf(r) || valueOf(rows[i - 1]) !== valueOf(r));
}

/**
 * Whatever path wrote them, the stored rows say what the pure model (every unit's subtree walked) says on every
 * day of every series: a day's value is its latest stored row on or before it (a span that grew on its far side
 * can leave days unstored in between, that hold the value before them). No row is stored for a day the model
 * has no value for. Returns how many figure and status days were compared.
 */
export async function expectStoredRowsAreTheModel(
  ds: DataSource,
  recompute: FigureRecomputeService,
): Promise<{ figures: number; statuses: number }> {
  const { model, targets } = await recompute.loadModel(ds.manager);
  const asOf = <T extends { date: string }>(rows: Map<string, T[]>, key: string, date: string): T | undefined => {
    let best: T | undefined;
    for (const r of rows.get(key) ?? []) if (r.date <= date) best = r;
    return best;
  };
  const group = <T extends { date: string }>(rows: T[], keyOf: (r: T) => string): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    for (const r of rows) out.set(keyOf(r), [...(out.get(keyOf(r)) ?? []), r]);
    return out;
  };
  const storedFigures = group<Figure>(
    (await ds.query(`SELECT ${FIGURE_COLUMNS} FROM rates_figures ORDER BY org_unit_code, cohort, date`)).map(figureOfRow),
    (f) => `${f.orgUnitCode}|${f.cohort}`,
  );
  const expectedFigures = model.tree.all().flatMap((u) => COHORTS.flatMap((c) => model.figureSeries(u.code, c)));
  for (const f of expectedFigures) expect({ ...asOf(storedFigures, `${f.orgUnitCode}|${f.cohort}`, f.date), date: f.date }).toEqual(f);
  const expectedFigureDays = new Set(expectedFigures.map((f) => `${f.orgUnitCode}|${f.cohort}|${f.date}`));
  for (const [, rows] of storedFigures)
    for (const f of rows) expect(expectedFigureDays.has(`${f.orgUnitCode}|${f.cohort}|${f.date}`)).toBe(true);
  expect([...storedFigures.values()].flat().every((f) => f.tree === treeOfCohort(f.cohort))).toBe(true);

  const storedStatuses = group<TargetEvaluation>(
    (await ds.query(`SELECT ${STATUS_COLUMNS} FROM rates_target_statuses ORDER BY target_id, org_unit_code, date`)).map(evaluationOfRow),
    (e) => `${e.targetId}|${e.orgUnitCode}`,
  );
  const expectedStatuses = targets.flatMap((t: Target) =>
    model.tree.all().flatMap((u) => (inTargetScope(model, t, u.code) ? evaluateTargetSeries(model, t, u.code) : [])),
  );
  for (const e of expectedStatuses) expect({ ...asOf(storedStatuses, `${e.targetId}|${e.orgUnitCode}`, e.date), date: e.date }).toEqual(e);
  const expectedStatusDays = new Set(expectedStatuses.map((e) => `${e.targetId}|${e.orgUnitCode}|${e.date}`));
  for (const [, rows] of storedStatuses)
    for (const e of rows) expect(expectedStatusDays.has(`${e.targetId}|${e.orgUnitCode}|${e.date}`)).toBe(true);
  return { figures: expectedFigures.length, statuses: expectedStatuses.length };
}
