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

/**
 * Reports shaped like a campaign's days: every unit reports once a round, in a shuffled order, dated the round's day
 * (the campaign's first day, then one day later each round), its installs rising from its own last report.
 * `residentReport`'s load is the opposite: any day of the campaign, and counts drawn afresh every time.
 */
export class CampaignDays {
  private readonly units: Array<{ code: string; headcount: number; smartphones: number; installed: number }>;
  private order: number[] = [];
  private day = -1;

  constructor(
    private readonly rng: Prng,
    codes: readonly string[],
  ) {
    this.units = codes.map((code) => {
      const headcount = rng.int(500, 20_000);
      const smartphones = Math.floor(headcount * rng.between(0.4, 0.9));
      return { code, headcount, smartphones, installed: Math.floor(smartphones * rng.between(0.01, 0.05)) };
    });
  }

  next(): ReportBody {
    if (this.order.length === 0) {
      this.day += 1;
      this.order = this.units.map((_, i) => i);
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = Math.floor(this.rng.next() * (i + 1));
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
    }
    const u = this.units[this.order.pop()!];
    u.installed = Math.min(u.smartphones, u.installed + Math.floor(u.smartphones * this.rng.between(0, 0.04)));
    return {
      orgUnitCode: u.code,
      cohort: 'residents',
      asOf: addDays(CAMPAIGN_START, this.day),
      headcount: u.headcount,
      smartphoneHolders: u.smartphones,
      installed: u.installed,
      bluetoothOn: Math.floor(u.installed * 0.8),
    };
  }
}

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
