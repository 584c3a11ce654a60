import { COHORTS, UNIT_TYPES, BLOCS, type TargetStatus } from '@app/contracts';
import { campaignDateTime } from './campaign-calendar';
import { maskEmail, maskPhone, presentContacts, revealsContacts } from './contacts';
import { BLOC_LABELS, COHORT_LABELS, langOf, STANDING_LABELS, targetName, UNIT_TYPE_LABELS } from './labels';
import {
  compareWorstFirst,
  isShort,
  measureTarget,
  rankWorstFirst,
  STANDINGS,
  standingOf,
  statusesOfStanding,
  tallyStatuses,
  type TargetFigure,
} from './target-standing';
import { decideStatus } from './target-status';
import { RESIDENTS_50_TARGET } from '@test/support/domain-fixtures';

const MEMBERS_100 = { deadline: '2020-08-30', threshold: 1 };

const fig = (f: Partial<TargetFigure>): TargetFigure => ({
  cohort: 'staff',
  tree: 'accountability',
  headcount: 0,
  smartphoneHolders: 0,
  installed: 0,
  bluetoothOn: 0,
  population: null,
  ...f,
});

describe('the deadline day (docs/domain.md, "The deadline day")', () => {
  const below = { value: 0.91, threshold: 1, deadline: '2020-08-30', reporting: true };

  it('given a unit below the threshold on its deadline day, when judged, then it is at risk and reads due today, even with a rising trend', () => {
    const status = decideStatus({ ...below, date: '2020-08-30', forecastDate: '2020-08-30' });
    expect(status).toBe('at_risk');
    expect(standingOf(MEMBERS_100, status, '2020-08-30')).toBe('due_today');
    expect(isShort(status)).toBe(true);
  });

  it('given the same unit the day after, then it is breached, and breached is what it reads', () => {
    const status = decideStatus({ ...below, date: '2020-08-31', forecastDate: null });
    expect(status).toBe('breached');
    expect(standingOf(MEMBERS_100, status, '2020-08-31')).toBe('breached');
  });

  it('given a unit at the threshold or without data on the deadline, then it is not due today', () => {
    expect(standingOf(MEMBERS_100, decideStatus({ ...below, value: 1, date: '2020-08-30', forecastDate: null }), '2020-08-30')).toBe('met');
    expect(standingOf(MEMBERS_100, decideStatus({ ...below, value: null, date: '2020-08-30', forecastDate: null }), '2020-08-30')).toBe(
      'no_data',
    );
  });

  it('before the deadline a rising trend is on track, and the standing is the status', () => {
    const status = decideStatus({ ...below, date: '2020-08-25', forecastDate: '2020-08-29' });
    expect(status).toBe('on_track');
    expect(standingOf(MEMBERS_100, status, '2020-08-25')).toBe('on_track');
  });

  it('a filter by due_today is a filter by the short statuses that are not breached', () => {
    expect(statusesOfStanding('due_today')).toEqual(['on_track', 'at_risk']);
    expect(statusesOfStanding('no_data')).toEqual(['no_data']);
  });
});

describe('counts from the same rules as the statuses', () => {
  it('given the statuses of the deadline day, then units short are every unit below the threshold, never 0 while one is', () => {
    const t = tallyStatuses([
      { status: 'met', units: 70 },
      { status: 'at_risk', units: 12 },
      { status: 'on_track', units: 1 },
      { status: 'no_data', units: 4 },
    ]);
    expect(t).toEqual({ units: 87, unitsShort: 13, unitsOnTrack: 1, unitsAtRisk: 12, unitsBreached: 0, unitsNoData: 4, unitsMet: 70 });
  });

  it('counts each unit by its status: short ⇔ on track, at risk or breached', () => {
    for (const status of ['met', 'on_track', 'at_risk', 'breached', 'no_data'] as TargetStatus[]) {
      expect(tallyStatuses([{ status, units: 1 }]).unitsShort).toBe(isShort(status) ? 1 : 0);
    }
  });
});

describe('a target measured on figures (the rule rates applies to its sums)', () => {
  it('given 67,800 installed of 1,000,000 residents, the resident rate is 6.78% and 432,200 are short of 50%', () => {
    expect(
      measureTarget(RESIDENTS_50_TARGET, [fig({ cohort: 'residents', tree: 'administrative', installed: 67_800, population: 1_000_000 })]),
    ).toEqual({
      value: 0.0678,
      numerator: 67_800,
      denominator: 1_000_000,
      gap: 432_200,
    });
  });

  it('sums counts over cohorts on the target tree, never averages rates, and ignores the other tree', () => {
    const t = { metric: 'bluetooth_rate' as const, cohorts: ['staff', 'students'] as const, tree: 'accountability' as const, threshold: 1 };
    const m = measureTarget(t, [
      fig({ cohort: 'staff', smartphoneHolders: 100, bluetoothOn: 50 }),
      fig({ cohort: 'students', smartphoneHolders: 900, bluetoothOn: 900 }),
      fig({ cohort: 'staff', tree: 'administrative', smartphoneHolders: 1000 }),
    ]);
    expect(m).toMatchObject({ value: 0.95, gap: 50 });
  });

  it('has no value without figures or without a denominator (not reporting is not zero)', () => {
    expect(measureTarget(RESIDENTS_50_TARGET, []).value).toBeNull();
    expect(measureTarget(RESIDENTS_50_TARGET, [fig({ cohort: 'residents', tree: 'administrative', installed: 5 })]).value).toBeNull();
  });
});

describe('one ranking rule, worst first', () => {
  const row = (code: string, value: number | null, threshold: number, gap: number | null, status: TargetStatus, targetId = 't') => ({
    code,
    value,
    threshold,
    gap,
    status,
    targetId,
  });

  it('ranks by the distance to each row’s own threshold, so a 74% enterprise comes before a 13% commune of a 10% target', () => {
    const ranked = rankWorstFirst([
      row('commune', 0.13, 0.1, 0, 'met', 'residents'),
      row('farmers', 0.87, 1, 300, 'at_risk', 'members'),
      row('school', 0.91, 1, 40, 'at_risk', 'members'),
      row('enterprise', 0.74, 1, 31, 'at_risk', 'members'),
      row('silent', null, 1, null, 'no_data', 'members'),
    ]);
    expect(ranked.map((r) => r.code)).toEqual(['enterprise', 'farmers', 'school', 'commune', 'silent']);
  });

  it('breaks ties by people short, then status, then code: a total order', () => {
    expect(compareWorstFirst(row('a', 0.5, 1, 10, 'at_risk'), row('b', 0.5, 1, 20, 'at_risk'))).toBeGreaterThan(0);
    expect(compareWorstFirst(row('a', 0.5, 1, 10, 'at_risk'), row('b', 0.5, 1, 10, 'breached'))).toBeGreaterThan(0);
    expect(compareWorstFirst(row('a', 0.5, 1, 10, 'at_risk'), row('b', 0.5, 1, 10, 'at_risk'))).toBeLessThan(0);
    expect(compareWorstFirst(row('a', 0.5, 1, 10, 'at_risk'), row('a', 0.5, 1, 10, 'at_risk'))).toBe(0);
  });
});

describe('labels: Vietnamese and English for everything officials read', () => {
  it('names every standing, cohort, unit type and bloc in both languages, never the code itself in Vietnamese', () => {
    for (const lang of ['vi', 'en'] as const) {
      for (const s of STANDINGS) expect(STANDING_LABELS[lang][s]).toBeTruthy();
      for (const c of COHORTS) expect(COHORT_LABELS[lang][c]).toBeTruthy();
      for (const u of UNIT_TYPES) expect(UNIT_TYPE_LABELS[lang][u]).toBeTruthy();
      for (const b of BLOCS) expect(BLOC_LABELS[lang][b]).toBeTruthy();
    }
    for (const u of UNIT_TYPES) expect(UNIT_TYPE_LABELS.vi[u]).not.toBe(UNIT_TYPE_LABELS.en[u]);
    expect(STANDING_LABELS.vi.due_today).toBe('Đến hạn hôm nay, chưa đạt');
  });

  it('picks a target’s name by language, and the language from Accept-Language (Vietnamese unless English ranks higher)', () => {
    expect(targetName(RESIDENTS_50_TARGET, 'vi')).toMatch(/^Người dân/);
    expect(targetName(RESIDENTS_50_TARGET, 'en')).toMatch(/^Residents/);
    expect(langOf(undefined)).toBe('vi');
    expect(langOf('en-US,en;q=0.9')).toBe('en');
    expect(langOf('vi-VN,vi;q=0.9,en;q=0.8')).toBe('vi');
    expect(langOf('fr')).toBe('vi');
  });
});

describe('heads’ contacts (personal data)', () => {
  it('shows them in full to admins and analysts only, masked to every other role', () => {
    expect(revealsContacts({ role: 'admin' })).toBe(true);
    expect(revealsContacts({ role: 'analyst' })).toBe(true);
    for (const role of ['portal', 'ez_board', 'transport', 'telecom'] as const) expect(revealsContacts({ role })).toBe(false);
    expect(revealsContacts(null)).toBe(false);
  });

  it('masks all but the first four and the last two digits, and the mailbox but its first letter', () => {
    expect(maskPhone('0912 345 678')).toBe('0912 *** *78');
    expect(maskPhone('0294 3862 123')).toBe('0294 **** *23');
    expect(maskEmail('nguyen.van.a@travinh.gov.vn')).toBe('n***@travinh.gov.vn');
    expect(presentContacts('+84912345678', 'a@b.vn', true)).toEqual({ phone: '0912 345 678', email: 'a@b.vn', contactsMasked: false });
    expect(presentContacts('+842943862123', null, false)).toEqual({ phone: '0294 **** *23', email: null, contactsMasked: true });
  });
});

describe('"as of" times', () => {
  it('are on the province’s clock, to the second, with the offset', () => {
    expect(campaignDateTime('2020-08-30T10:05:12.345Z')).toBe('2020-08-30T17:05:12+07:00');
    expect(campaignDateTime('2020-08-30T20:00:00.999Z')).toBe('2020-08-31T03:00:00+07:00');
  });
});
