import type { Cohort } from '@app/contracts';
import type { Expectations, ExpectedFigure } from './expect';
import type { SimulatorRunner } from './runner';

interface ApiFigure {
  orgUnitCode: string;
  cohort: Cohort;
  tree: string;
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
}

export interface Mismatch {
  unit: string;
  cohort: Cohort;
  date: string;
  expected: ExpectedFigure | null;
  actual: ApiFigure | null;
}

async function unitFigures(runner: SimulatorRunner, code: string, date: string): Promise<ApiFigure[] | null> {
  const res = await runner.client.request<{ figures: ApiFigure[] }>(
    'GET',
    `${runner.urls.compliance}/v1/units/${encodeURIComponent(code)}?date=${date}`,
    {
      key: runner.adminKey,
      accept: [404],
    },
  );
  return res.status === 404 ? null : res.body.figures;
}

/** Compares the compliance API's figures with the expected ones for these units and dates. */
export async function compareFigures(
  runner: SimulatorRunner,
  exp: Expectations,
  units: readonly string[],
  dates: readonly string[],
  cohorts?: readonly Cohort[],
): Promise<Mismatch[]> {
  const out: Mismatch[] = [];
  for (const unit of units) {
    for (const date of dates) {
      const actual = (await unitFigures(runner, unit, date)) ?? [];
      const all: Cohort[] = ['residents', 'staff', 'students', 'youth_members', 'association_members', 'enterprise_workers'];
      for (const cohort of cohorts ?? all) {
        const e = exp.figure(unit, cohort, date);
        const a = actual.find((f) => f.cohort === cohort) ?? null;
        const same =
          (e === null && (a === null || a.headcount === undefined)) ||
          (e !== null &&
            a !== null &&
            e.headcount === a.headcount &&
            e.smartphoneHolders === a.smartphoneHolders &&
            e.installed === a.installed &&
            e.bluetoothOn === a.bluetoothOn);
        if (!same) out.push({ unit, cohort, date, expected: e, actual: a });
      }
    }
  }
  return out;
}

/**
 * Polls the compliance API until the units' figures on each of `days` equal the expected ones.
 *
 * Every day that will be read, not only the last: a late report changes only the days before the next report, so
 * the last day can be right while an earlier one still waits. It waits longest after a crash: the events a killed
 * consumer had fetched and not acknowledged come again only when their ack wait (30 s) runs out.
 */
export async function waitForReadModel(
  runner: SimulatorRunner,
  exp: Expectations,
  units: string | readonly string[],
  days: readonly string[],
  timeoutMs = 300_000,
): Promise<void> {
  // Every unit, not only the province: one flush's events reach the read model over several consumer
  // batches, so the province can be right while units later in the same flush are not there yet.
  const codes = typeof units === 'string' ? [units] : [...units];
  const deadline = Date.now() + timeoutMs;
  let last: Mismatch[] = [];
  while (Date.now() < deadline) {
    last = await compareFigures(runner, exp, codes, days).catch(() => [
      { unit: codes[0], cohort: 'residents', date: days[days.length - 1], expected: null, actual: null },
    ]);
    if (last.length === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the read model did not catch up within ${timeoutMs / 1000} s: ${JSON.stringify(last[0]).slice(0, 400)}`);
}
