import { FigureModel } from './figures';
import { addDays, dateRange } from './dates';
import {
  decideStatus,
  evaluateTargetSeries,
  forecastDate,
  gapToThreshold,
  inTargetScope,
  statusEnd,
  statusReach,
  statusSpan,
  type Target,
} from './target-status';
import { BOUNDS_2020, report, RESIDENTS_50_TARGET as RESIDENTS_50, unit } from '@test/support/domain-fixtures';

const residents50: Target = RESIDENTS_50;

const units = [
  unit('84', 'province', { level: 1 }),
  unit('842', 'district', { admin: '84', acc: '84', level: 2 }),
  unit('844', 'district', { admin: '84', acc: '84', level: 2 }),
  unit('C1', 'commune', { admin: '842', acc: '842', level: 3 }),
  unit('C2', 'commune', { admin: '842', acc: '842', level: 3 }),
  unit('C3', 'commune', { admin: '844', acc: '844', level: 3 }),
  unit('DEP', 'department', { acc: '84' }),
];

describe('the directive’s worked check', () => {
  // Every resident figure in the province sums to 67,800 installed; the population is 1,000,000.
  const model = new FigureModel(
    {
      units,
      reports: [
        report('C1', 'residents', '2020-08-19', [300_000, 200_000, 30_000, 20_000]),
        report('C2', 'residents', '2020-08-19', [400_000, 250_000, 27_800, 15_000]),
        report('C3', 'residents', '2020-08-19', [300_000, 150_000, 10_000, 9_000]),
        // Staff of a department never enter a resident figure.
        report('DEP', 'staff', '2020-08-19', [500, 500, 500, 500]),
      ],
      denominators: [{ unitCode: '84', cohort: 'residents', asOf: '2019-04-01', headcount: 1_000_000, eventId: 'e1' }],
    },
    { windowDays: 7, bounds: BOUNDS_2020 },
  );

  it('given residents summing to 67,800 installed of 1,000,000, when the province figure is read, then the resident rate is 0.0678', () => {
    const f = model.figure('84', 'residents', '2020-08-19')!;
    expect(f.installed).toBe(67_800);
    expect(f.population).toBe(1_000_000);
    expect(f.populationRate).toBeCloseTo(0.0678, 10);
  });

  it('given the 50% target due 2020-08-20, when evaluated on 2020-08-21, then the province is breached with a gap of 432,200', () => {
    const [e] = evaluateTargetSeries(model, residents50, '84', '2020-08-21', '2020-08-21');
    expect(e).toMatchObject({ date: '2020-08-21', status: 'breached', threshold: 0.5, gap: 432_200 });
    expect(e.value).toBeCloseTo(0.0678, 10);
  });

  it('given a single report day, when evaluated on the deadline itself, then the province is at risk (no trend yet), not breached', () => {
    const [e] = evaluateTargetSeries(model, residents50, '84', '2020-08-20', '2020-08-20');
    expect(e.status).toBe('at_risk');
  });

  it('given the target covers communes, when the scope is asked, then communes and their sums (districts, province) get a status, a department does not', () => {
    expect(['84', '842', 'C1', 'DEP'].map((c) => inTargetScope(model, residents50, c))).toEqual([true, true, true, false]);
    const [e] = evaluateTargetSeries(model, residents50, '84', '2020-08-19', '2020-08-19');
    expect(e).toMatchObject({ reportingUnits: 3, expectedUnits: 3 });
  });
});

describe('a unit that retires', () => {
  // C3 merges away on 22/08: it holds its statuses up to the day before, none from then on; its district goes on.
  const model = new FigureModel(
    {
      units: units.map((u) => (u.code === 'C3' ? { ...u, retiredOn: '2020-08-22' } : u)),
      reports: [
        report('C1', 'residents', '2020-08-19', [300_000, 200_000, 30_000, 20_000]),
        report('C3', 'residents', '2020-08-19', [300_000, 150_000, 10_000, 9_000]),
      ],
      denominators: [{ unitCode: '84', cohort: 'residents', asOf: '2019-04-01', headcount: 1_000_000, eventId: 'e1' }],
    },
    { windowDays: 7, bounds: BOUNDS_2020 },
  );

  it('given C3 retired on 2020-08-22, when its statuses are evaluated, then they end on 2020-08-21 and its parent’s go on', () => {
    expect(statusEnd(model, 'C3')).toBe('2020-08-21');
    expect(statusEnd(model, '842')).toBeNull();
    const series = evaluateTargetSeries(model, residents50, 'C3');
    expect(series.length).toBeGreaterThan(0);
    expect(series[series.length - 1].date).toBe('2020-08-21');
    expect(evaluateTargetSeries(model, residents50, 'C3', '2020-08-22', '2020-08-31')).toEqual([]);
    expect(evaluateTargetSeries(model, residents50, '844', '2020-08-25', '2020-08-25')).toHaveLength(1);
  });

  it('given a unit retired from the beginning, when its statuses are evaluated, then it has none', () => {
    const always = new FigureModel(
      { units: units.map((u) => (u.code === 'C3' ? { ...u, retiredOn: '0000-01-01' } : u)), reports: [], denominators: [] },
      { windowDays: 7, bounds: BOUNDS_2020 },
    );
    expect(statusEnd(always, 'C3')! < BOUNDS_2020.from).toBe(true);
    expect(evaluateTargetSeries(always, residents50, 'C3')).toEqual([]);
  });
});

describe('target status', () => {
  const base = { threshold: 0.5, deadline: '2020-08-20', date: '2020-08-15', reporting: true, forecastDate: null };
  it('given no value, then no_data', () => expect(decideStatus({ ...base, value: null })).toBe('no_data'));
  it('given a value at the threshold, then met', () => expect(decideStatus({ ...base, value: 0.5 })).toBe('met'));
  it('given below with a forecast by the deadline, then on_track', () =>
    expect(decideStatus({ ...base, value: 0.3, forecastDate: '2020-08-20' })).toBe('on_track'));
  it('given below with a forecast after the deadline, then at_risk', () =>
    expect(decideStatus({ ...base, value: 0.3, forecastDate: '2020-08-21' })).toBe('at_risk'));
  it('given below with no forecast, then at_risk', () => expect(decideStatus({ ...base, value: 0.3 })).toBe('at_risk'));
  it('given below after the deadline, then breached', () =>
    expect(decideStatus({ ...base, value: 0.3, date: '2020-08-21' })).toBe('breached'));
  it('given met after the deadline, then met', () => expect(decideStatus({ ...base, value: 0.7, date: '2020-08-21' })).toBe('met'));
  it('given no report in the window before the deadline, then no_data (not reporting), never judged on zero', () =>
    expect(decideStatus({ ...base, value: 0.3, reporting: false })).toBe('no_data'));

  it('given a gap, then it is rounded up and never negative', () => {
    expect(gapToThreshold(0.5, 67_800, 1_000_000)).toBe(432_200);
    expect(gapToThreshold(1, 10, 9)).toBe(0);
    expect(gapToThreshold(0.5, 1, null)).toBeNull();
  });
});

describe('forecast: the linear trend of recent figures', () => {
  it('given a rise of 0.1 a day from 0.1, when the threshold is 0.5, then it is reached four days after the first point', () => {
    const points = [
      { date: '2020-08-10', value: 0.1 },
      { date: '2020-08-11', value: 0.2 },
      { date: '2020-08-12', value: 0.3 },
    ];
    expect(forecastDate(points, 0.5, '2020-08-12')).toBe('2020-08-14');
  });

  it('given a flat or falling trend or a single day, then there is no forecast', () => {
    expect(
      forecastDate(
        [
          { date: '2020-08-10', value: 0.3 },
          { date: '2020-08-11', value: 0.3 },
        ],
        0.5,
        '2020-08-11',
      ),
    ).toBeNull();
    expect(
      forecastDate(
        [
          { date: '2020-08-10', value: 0.3 },
          { date: '2020-08-11', value: 0.2 },
        ],
        0.5,
        '2020-08-11',
      ),
    ).toBeNull();
    expect(forecastDate([{ date: '2020-08-10', value: 0.3 }], 0.5, '2020-08-10')).toBeNull();
  });

  /** Commune C1 of 1,000 residents, its installs reported on two days, evaluated against the 50% target. */
  const communeSeries = (days: [string, string], installed: [number, number], windowDays: number) =>
    evaluateTargetSeries(
      new FigureModel(
        {
          units,
          reports: days.map((d, i) => report('C1', 'residents', d, [1000, 800, installed[i], installed[i] / 2])),
          denominators: [{ unitCode: 'C1', cohort: 'residents', asOf: '2020-08-01', headcount: 1000, eventId: 'e' }],
        },
        { windowDays, bounds: BOUNDS_2020 },
      ),
      residents50,
      'C1',
    );

  it('given a commune rising fast enough, when evaluated before the deadline, then it is on_track with its forecast date', () => {
    const byDate = new Map(communeSeries(['2020-08-10', '2020-08-12'], [100, 300], 7).map((e) => [e.date, e]));
    expect(byDate.get('2020-08-09')!.status).toBe('no_data');
    expect(byDate.get('2020-08-10')!.status).toBe('at_risk');
    expect(byDate.get('2020-08-12')).toMatchObject({ status: 'on_track', forecastDate: '2020-08-14' });
    // The commune stops reporting: from 2020-08-19 (seven days after its last report) it is not reporting.
    expect(byDate.get('2020-08-18')!.status).toBe('on_track');
    expect(byDate.get('2020-08-19')).toMatchObject({ status: 'no_data', reporting: false, value: 0.3 });
    expect(byDate.get('2020-08-21')!.status).toBe('breached');
  });

  it('given a commune still rising at the deadline, then its days after it carry no forecast, so its evaluation stops changing', () => {
    const series = communeSeries(['2020-08-18', '2020-08-19'], [200, 300], 3);
    const byDate = new Map(series.map((e) => [e.date, e]));
    // Due today, below: its trend (0.2 → 0.3 a day) still says when it would get there.
    expect(byDate.get('2020-08-20')).toMatchObject({ status: 'at_risk', forecastDate: '2020-08-21' });
    // After the deadline the trend decides nothing: no forecast, though the two reports stay in the look-back
    // for twelve more days. The series' last day (the target's 7-day window lapsed, later than the figures' 3) is
    // then what holds after it.
    const after = series.filter((e) => e.date > '2020-08-20');
    expect(after.map((e) => [e.status, e.forecastDate])).toEqual(after.map(() => ['breached', null]));
    expect(series[series.length - 1]).toMatchObject({ date: '2020-08-26', value: 0.3, reporting: false });
  });
});

describe('statusReach: how far a change of the sums carries into the statuses', () => {
  // A commune reporting residents every other day, rising; the target is due 2020-08-20.
  const reports = [...dateRange('2020-08-01', '2020-08-30')]
    .filter((_, i) => i % 2 === 0)
    .map((d, i) => report('C1', 'residents', d, [1000, 800, 100 + 20 * i, 50]));
  const series = (extra: typeof reports) =>
    evaluateTargetSeries(
      new FigureModel({ units, reports: [...reports, ...extra], denominators: [] }, { windowDays: 7, bounds: BOUNDS_2020 }),
      residents50,
      'C1',
      '2020-08-01',
      '2020-09-30',
    );

  it('given a change up to a day before the deadline, then it reaches the trend’s look-back further, and never past the deadline', () => {
    expect(statusReach(residents50, '2020-08-02')).toBe(addDays('2020-08-02', 13));
    expect(statusReach(residents50, '2020-08-10')).toBe('2020-08-20');
    expect(statusReach(residents50, '2020-08-25')).toBe('2020-08-25');
  });

  it('given a late report that changes the sums until the next report, then no status after its reach differs', () => {
    const before = series([]);
    // A corrected report of 08-05 (next report: 08-07) changes the sums on the 5th and 6th only.
    for (const day of ['2020-08-05', '2020-08-15', '2020-08-25']) {
      const after = series([report('C1', 'residents', day, [1000, 800, 5, 50], 2)]);
      const reach = statusReach(residents50, addDays(day, 1));
      const changed = after.filter((e, i) => JSON.stringify(e) !== JSON.stringify(before[i])).map((e) => e.date);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.every((d) => d >= day && d <= reach)).toBe(true);
    }
  });
});

describe('statusSpan: the days a status is stored', () => {
  it('given a target whose reporting window is longer than the figures’, then the span lasts until it has lapsed, and the last day stored is not reporting', () => {
    // Figures look back 3 days, the target 5: a report on 08-25 counts as reporting until 08-29, not 08-27.
    const model = new FigureModel(
      { units, reports: [report('C1', 'residents', '2020-08-25', [1000, 800, 100, 50])], denominators: [] },
      { windowDays: 3, bounds: BOUNDS_2020 },
    );
    const t: Target = { ...residents50, reportingWindowDays: 5 };
    expect(model.figureSpan('C1', 'residents')?.to).toBe('2020-08-28');
    expect(statusSpan(model, t, 'C1').to).toBe('2020-08-30');
    // After its span a status holds its last stored day: that day must already be the one after every window lapsed.
    const series = evaluateTargetSeries(model, t, 'C1');
    expect(series.find((e) => e.date === '2020-08-29')).toMatchObject({ reporting: true });
    expect(series[series.length - 1]).toMatchObject({ date: '2020-08-30', reporting: false });
  });
});
