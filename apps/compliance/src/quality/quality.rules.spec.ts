import { evaluateReport, modifiedZ, rosterMismatch, Z_CAP, type QualityInputs, type QualityReport } from './quality.rules';
import { qualitySettingsFrom } from './quality.settings';

const settings = qualitySettingsFrom({});
const report = (asOf: string, installed: number, extra: Partial<QualityReport> = {}): QualityReport => ({
  unitCode: 'C1',
  cohort: 'residents',
  asOf,
  revision: 1,
  reportId: null,
  headcount: 1000,
  smartphoneHolders: 600,
  installed,
  bluetoothOn: Math.round(installed * 0.8),
  ...extra,
});
const inputs = (own: QualityReport[], siblings: QualityReport[] = [], denominator: number | null = 1000): QualityInputs => ({
  history: async (_u, _c, before, limit) =>
    own
      .filter((r) => r.asOf < before)
      .reverse()
      .slice(0, limit),
  siblingReports: async () => siblings,
  denominator: async () => denominator,
  roster: async () => null,
});
const days = ['2020-08-21', '2020-08-22', '2020-08-23', '2020-08-24', '2020-08-25'];
const steady = (unit: string, base: number, step: number) => days.map((d, i) => report(d, base + step * i, { unitCode: unit }));

describe('modified z-score', () => {
  it('is 0.6745·(x − median)/MAD', () => {
    expect(modifiedZ(10, [1, 2, 3, 4, 5])).toBeCloseTo((0.6745 * 7) / 1, 6);
  });
  it('falls back to the mean absolute deviation when MAD is 0, and is capped when every value is the same', () => {
    expect(modifiedZ(5, [1, 1, 1, 3])).toBeCloseTo(4 / (1.253314 * 0.5), 6);
    expect(modifiedZ(2, [1, 1, 1])).toBe(Z_CAP);
    expect(modifiedZ(1, [1, 1, 1])).toBe(0);
  });
});

describe('the report rules', () => {
  it('raise nothing on steady growth', async () => {
    const own = steady('C1', 100, 10);
    const f = await evaluateReport(report('2020-08-26', 150), inputs(own, [...steady('C2', 80, 9), ...steady('C3', 120, 11)]), settings);
    expect(f).toEqual([]);
  });

  it('raise a rate drop when installs fall between two reports', async () => {
    const f = await evaluateReport(report('2020-08-26', 120), inputs(steady('C1', 100, 10)), settings);
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['rate_drop', 'warning']]);
    expect(f[0].value).toBeCloseTo(20 / 600, 6);
  });

  it('raise an outlier jump on a sevenfold increase, against both the own history and the siblings', async () => {
    const sib = [...steady('C2', 80, 9), ...steady('C3', 120, 11), ...steady('C4', 60, 5)];
    const f = await evaluateReport(
      report('2020-08-26', 1000, { smartphoneHolders: 1000, headcount: 1000 }),
      inputs(steady('C1', 100, 10), sib),
      settings,
    );
    expect(f.map((x) => x.rule)).toEqual(['outlier_jump']);
    expect(f[0].value).toBeGreaterThan(settings.QUALITY_JUMP_Z);
  });

  it('raise holders over the known headcount (and not also over the denominator), and over the denominator alone', async () => {
    const over = await evaluateReport(report('2020-08-21', 100, { headcount: 1200, smartphoneHolders: 1100 }), inputs([]), settings);
    expect(over.map((x) => x.rule)).toEqual(['holders_over_headcount']);
    const headOnly = await evaluateReport(report('2020-08-21', 100, { headcount: 1200, smartphoneHolders: 600 }), inputs([]), settings);
    expect(headOnly.map((x) => [x.rule, x.reported, x.expected])).toEqual([['over_denominator', 1200, 1000]]);
  });

  it('raise a stale copy once, when the same figures have been sent for N days', async () => {
    const copies = days.slice(0, 3).map((d) => report(d, 100));
    const third = await evaluateReport(report(days[3], 100), inputs(copies), settings);
    expect(third.map((x) => [x.rule, x.value])).toEqual([['stale_copy', 3]]);
    const fourth = await evaluateReport(report(days[4], 100), inputs([...copies, report(days[3], 100)]), settings);
    expect(fourth).toEqual([]);
  });

  it('compare an enterprise with its roster on installed and Bluetooth on', () => {
    const roster = { headcount: 120, smartphoneHolders: 110, installed: 60, bluetoothOn: 50 };
    const f = rosterMismatch({ headcount: 120, smartphoneHolders: 110, installed: 100, bluetoothOn: 55 }, roster, settings);
    expect(f).toMatchObject({ rule: 'roster_mismatch', measure: 'installed', reported: 100, expected: 60, value: 40, limit: 6 });
    expect(rosterMismatch({ ...roster, installed: 64 }, roster, settings)).toBeNull();
  });
});
