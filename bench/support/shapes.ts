import { addDays } from '@app/domain';
import { Prng } from '../../tools/simulator/src/prng';
import type { BenchSystem } from './system';

/** The campaign the load is dated in (the directive's August 2020). */
export const CAMPAIGN_START = '2020-08-04';
export const CAMPAIGN_END = '2020-08-30';
export const CAMPAIGN_DAYS = 27;

export interface ReportBody {
  orgUnitCode: string;
  cohort: 'residents';
  asOf: string;
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
}

/** A valid resident report for one of the units, with counts that obey 0 ≤ bt ≤ installed ≤ smartphones ≤ headcount. */
export function residentReport(rng: Prng, units: readonly string[], asOf?: string): ReportBody {
  const headcount = rng.int(500, 20_000);
  const smartphoneHolders = Math.floor(headcount * rng.between(0.4, 0.9));
  const installed = Math.floor(smartphoneHolders * rng.between(0.05, 1));
  const bluetoothOn = Math.floor(installed * rng.between(0.5, 1));
  return {
    orgUnitCode: units[Math.floor(rng.next() * units.length)],
    cohort: 'residents',
    asOf: asOf ?? addDays(CAMPAIGN_START, rng.int(0, CAMPAIGN_DAYS - 1)),
    headcount,
    smartphoneHolders,
    installed,
    bluetoothOn,
  };
}

export { Prng };

/** The directive's resident target, so rates and compliance evaluate statuses as they would in the campaign. */
export async function setResidentTarget(sys: BenchSystem): Promise<void> {
  await sys.http('registry').json('PUT', '/v1/targets/residents-50', {
    body: {
      name: 'Residents installed ≥ 50% by 2020-08-20',
      metric: 'install_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      threshold: 0.5,
      deadline: '2020-08-20',
      campaignStart: CAMPAIGN_START,
      reportingWindowDays: 7,
    },
  });
}

/** Waits until intake accepts a report for `unit` (its replica of the registry has caught up). */
export async function intakeKnows(sys: BenchSystem, unit: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await sys.http('intake').request('POST', '/v1/reports', {
      body: {
        orgUnitCode: unit,
        cohort: 'residents',
        asOf: CAMPAIGN_START,
        headcount: 10,
        smartphoneHolders: 5,
        installed: 1,
        bluetoothOn: 1,
      },
    });
    if (r.status === 202) return;
    last = `${r.status} ${r.text.slice(0, 200)}`;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`intake did not accept a report for ${unit} within ${Math.round(timeoutMs / 1000)} s (last answer: ${last})`);
}
