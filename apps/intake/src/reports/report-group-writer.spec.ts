import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@app/platform';
import type { CampaignCalendar } from '@app/platform';
import type { UnitDirectory } from '../common/unit-directory.service';
import { ReportGroupWriter } from './report-group-writer';
import type { CheckedReport, ReportStore, WriteOutcome } from './report.store';

/**
 * The group writer's failure rule, without a database: a transaction that fails for one report (not a
 * refusal) is retried report by report, so only that report's request fails.
 */
describe('ReportGroupWriter', () => {
  const principal = { keyId: 'k1', role: 'admin', orgUnitCode: null } as unknown as Principal;
  const report = (orgUnitCode: string): CheckedReport =>
    ({
      orgUnitCode,
      cohort: 'residents',
      asOf: '2020-08-10',
      headcount: 10,
      smartphoneHolders: 8,
      installed: 4,
      bluetoothOn: 2,
    }) as CheckedReport;

  function writerWith(failOn: string) {
    const transactions: string[][] = [];
    // Each transaction's writes only "commit" when it returns.
    const ds = { transaction: (work: (m: EntityManager) => Promise<unknown>) => work({} as EntityManager) } as unknown as DataSource;
    const units = {
      forWrite: async () => ({ scope: { assertCanWrite: async () => ({ type: 'commune' }) }, campaignStart: '2020-08-01' }),
    } as unknown as UnitDirectory;
    const calendar = { windowFrom: () => ({ today: '2020-08-31', campaignStart: '2020-08-01' }) } as unknown as CampaignCalendar;
    const store = {
      writeAs: async (_m: EntityManager, reports: CheckedReport[]): Promise<WriteOutcome[]> => {
        transactions.push(reports.map((r) => r.orgUnitCode));
        if (reports.some((r) => r.orgUnitCode === failOn)) throw new Error(`constraint broken by ${failOn}`);
        return reports.map((r, i) => ({ status: 'accepted', reportId: `${r.orgUnitCode}-${i}`, revision: 1 }));
      },
    } as unknown as ReportStore;
    return { writer: new ReportGroupWriter(ds, units, calendar, store), transactions };
  }

  it('shares transactions under load, and when one fails retries its reports one by one: only the bad one fails', async () => {
    const { writer, transactions } = writerWith('BAD');
    const codes = ['A', 'B', 'C', 'BAD', 'D', 'E', 'F', 'G'];
    const results = await Promise.allSettled(codes.map((c) => writer.write(principal, report(c))));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toEqual(new Error('constraint broken by BAD'));
    // Reports did share a transaction (two run at once; the rest queue and go together).
    expect(transactions.some((t) => t.length > 1)).toBe(true);
    // The failed group was retried alone, report by report.
    const failedGroup = transactions.find((t) => t.length > 1 && t.includes('BAD'))!;
    for (const code of failedGroup) expect(transactions).toContainEqual([code]);
  });
});
