import type { DataSource } from 'typeorm';
import { COHORTS, treeOfCohort } from '@app/contracts';
import { evaluateTargetSeries, inTargetScope, statusEnd, type Figure, type Target, type TargetEvaluation } from '@app/domain';
import { heldFrom, type Withdrawn } from '../../apps/rates/src/figures/timeline-diff';
import type { DirtyMark, FigureRecomputeService, RecomputeResult } from '../../apps/rates/src/figures/figure-recompute.service';

/** What one recompute wrote and published. */
export interface RecomputeOutcome {
  result: RecomputeResult;
  events: unknown[];
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

/** What two outcomes are compared by: what was published and its events (not how many rows it took to get there). */
export function asRead(o: RecomputeOutcome): unknown {
  return {
    ...o,
    result: { figureEvents: o.result.figureEvents, statusEvents: o.result.statusEvents, withdrawnEvents: o.result.withdrawnEvents },
  };
}

/**
 * Whatever path published them, what consumers hold is what the pure model (every unit's subtree walked) says on
 * every day of every series, a day's value being the latest publication on or before it: a figure in every field,
 * a status in what a status event is about (status, forecast, who reports toward it; its value and gap are those of
 * the day it was published, and are published again with the next change of those). A figure published for a day
 * the model has no value for says there is none (an empty figure: its whole subtree moved away or retired). Returns how
 * many figure and status days were compared.
 */
export async function expectPublishedIsTheModel(
  ds: DataSource,
  recompute: FigureRecomputeService,
): Promise<{ figures: number; statuses: number; withdrawals: number }> {
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
  const payloads = async <T>(table: string, order: string): Promise<T[]> =>
    ((await ds.query(`SELECT payload FROM ${table} ORDER BY ${order}`)) as Array<{ payload: T }>).map((r) => r.payload);

  const publishedFigures = group(
    await payloads<Figure>('rates_published_figures', 'org_unit_code, cohort, date'),
    (f) => `${f.orgUnitCode}|${f.cohort}`,
  );
  const expectedFigures = model.tree.all().flatMap((u) => COHORTS.flatMap((c) => model.figureSeries(u.code, c)));
  for (const f of expectedFigures) expect({ ...asOf(publishedFigures, `${f.orgUnitCode}|${f.cohort}`, f.date), date: f.date }).toEqual(f);
  // And every publication says the model's value as of its day (a value holds after a series' last day: a re-statement
  // there repeats it), or, where the model has none, that there is none (an empty figure).
  const modelFigures = group(expectedFigures, (f) => `${f.orgUnitCode}|${f.cohort}`);
  const empty = (f: Figure) => f.headcount === 0 && f.expectedUnits === 0 && f.reportingUnits === 0 && f.installRate === null;
  for (const [key, rows] of publishedFigures)
    for (const f of rows) {
      const model = asOf(modelFigures, key, f.date);
      if (model) expect(f).toEqual({ ...model, date: f.date });
      else expect(empty(f)).toBe(true);
    }
  expect([...publishedFigures.values()].flat().every((f) => f.tree === treeOfCohort(f.cohort))).toBe(true);

  // A status's publications, each its payload or a withdrawal (the unit left the target: none from its day on).
  const publishedStatuses = group(
    (
      (await ds.query(
        `SELECT target_id || '|' || org_unit_code AS key, payload FROM rates_published_statuses ORDER BY target_id, org_unit_code, date`,
      )) as Array<{ key: string; payload: TargetEvaluation | Withdrawn }>
    ).map((r) => ({ ...r, date: r.payload.date })),
    (r) => r.key,
  );
  const expectedStatuses = targets.flatMap((t: Target) =>
    model.tree.all().flatMap((u) => (inTargetScope(model, t, u.code) ? evaluateTargetSeries(model, t, u.code) : [])),
  );
  const event = (e: TargetEvaluation | Withdrawn | null | undefined) => {
    const held = heldFrom(e);
    return (
      held && {
        status: held.status,
        forecastDate: held.forecastDate,
        reporting: held.reporting,
        reportingUnits: held.reportingUnits,
        expectedUnits: held.expectedUnits,
      }
    );
  };
  for (const e of expectedStatuses)
    expect(event(asOf(publishedStatuses, `${e.targetId}|${e.orgUnitCode}`, e.date)?.payload)).toEqual(event(e));
  // And every publication says the model's status as of its day (after a series' last day its last status holds, until
  // the day its unit retired), or, where the model has none (the unit retired, moved or emptied out of the target's
  // scope), that there is none: consumers are told of a withdrawal, they do not keep a status the model has not.
  const modelStatuses = group(expectedStatuses, (e) => `${e.targetId}|${e.orgUnitCode}`);
  let withdrawals = 0;
  for (const [key, rows] of publishedStatuses) {
    const end = statusEnd(model, key.slice(key.indexOf('|') + 1));
    for (const p of rows) {
      const held = end !== null && p.date > end ? undefined : asOf(modelStatuses, key, p.date);
      if (heldFrom(p.payload) === null) withdrawals++;
      expect({ key, date: p.date, event: event(p.payload) ?? null }).toEqual({ key, date: p.date, event: event(held) ?? null });
    }
  }
  return { figures: expectedFigures.length, statuses: expectedStatuses.length, withdrawals };
}
