import type { CampaignCalendar, Principal, UnitScope } from '@app/platform';
import { ScopeService } from '@app/platform';
import type { UnitDirectory } from '../common/unit-directory.service';
import { ReportChecker } from './report-checker';
import type { CheckedReport } from './report.store';

/** The one report checker, given units and a campaign window, for every way a report arrives. */
describe('ReportChecker', () => {
  const units: Record<string, { type: string; active: boolean; ancestors: string[] }> = {
    '842': { type: 'district', active: true, ancestors: [] },
    '29236': { type: 'commune', active: true, ancestors: ['842'] },
    '29999': { type: 'commune', active: false, ancestors: ['842'] },
    '843': { type: 'district', active: true, ancestors: [] },
    KCN: { type: 'industrial_park', active: true, ancestors: ['KKT'] },
    KKT: { type: 'economic_zone', active: true, ancestors: [] },
    'DN-1': { type: 'enterprise', active: true, ancestors: ['KCN', 'KKT'] },
    'DN-2': { type: 'enterprise', active: true, ancestors: ['KKT-2'] },
  };
  const scope: UnitScope = {
    isWithin: (code, root) => Promise.resolve(code === root || (units[code]?.ancestors.includes(root) ?? false)),
    describe: (code) => {
      const u = units[code];
      return Promise.resolve(u ? { ...u, ancestorTypes: u.ancestors.map((a) => units[a]?.type ?? 'economic_zone') } : null);
    },
  };
  const directory = {
    forWrite: () => Promise.resolve({ scope: new ScopeService(scope), campaignStart: '2020-08-01' }),
  } as unknown as UnitDirectory;
  const calendar = { windowFrom: (start: string) => ({ campaignStart: start, today: '2020-08-31' }) } as unknown as CampaignCalendar;
  const portal = (unit: string): Principal => ({ keyId: 'k', role: 'portal', orgUnitCode: unit });
  const report = (over: Partial<CheckedReport> = {}): CheckedReport => ({
    orgUnitCode: '29236',
    cohort: 'residents',
    asOf: '2020-08-20',
    headcount: 10,
    smartphoneHolders: 8,
    installed: 5,
    bluetoothOn: 4,
    ...over,
  });
  const open = () => ReportChecker.open(directory, calendar, []);

  it('accepts a report of the key’s subtree, in the unit’s cohort and the campaign window', async () => {
    await expect((await open()).check(portal('842'), report())).resolves.toEqual({ ok: true, unitType: 'commune' });
  });

  it.each([
    ['an unknown unit', portal('842'), report({ orgUnitCode: 'NOPE' }), 404, 'orgUnitCode'],
    ['a retired unit', portal('842'), report({ orgUnitCode: '29999' }), 422, 'orgUnitCode'],
    ['a unit outside the key', portal('843'), report(), 403, 'orgUnitCode'],
    ['a cohort the unit does not report', portal('842'), report({ cohort: 'students' }), 422, 'cohort'],
    ['a date after today', portal('842'), report({ asOf: '2020-09-01' }), 422, 'asOf'],
    ['a date before the campaign', portal('842'), report({ asOf: '2020-07-31' }), 422, 'asOf'],
    [
      'an EZ-board key outside its park',
      { keyId: 'k', role: 'ez_board', orgUnitCode: 'KCN' } as Principal,
      report({ orgUnitCode: 'DN-2', cohort: 'enterprise_workers' }),
      403,
      'orgUnitCode',
    ],
  ])('refuses %s: the status a single report answers, the field a batch item names', async (_what, principal, r, status, field) => {
    const checker = await open();
    const verdict = await checker.check(principal, r);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.refusal.getStatus()).toBe(status);
    expect(verdict.errors.map((e) => e.field)).toEqual([field]);
    await expect(checker.assert(principal, r)).rejects.toEqual(verdict.refusal);
  });

  it('lets an EZ-board key report for the enterprises of its own park', async () => {
    const ez = { keyId: 'k', role: 'ez_board', orgUnitCode: 'KCN' } as Principal;
    await expect((await open()).check(ez, report({ orgUnitCode: 'DN-1', cohort: 'enterprise_workers' }))).resolves.toMatchObject({
      ok: true,
    });
  });

  it('reads a plain item as a report, or names each field at fault', () => {
    expect(ReportChecker.shapeOf({ ...report(), extra: 1 })).toMatchObject({ ok: false, errors: [{ field: 'extra' }] });
    expect(ReportChecker.shapeOf(report({ installed: 9 }))).toMatchObject({ ok: false, errors: [{ field: 'installed' }] });
    expect(ReportChecker.shapeOf(report())).toEqual({ ok: true, report: report() });
  });
});
