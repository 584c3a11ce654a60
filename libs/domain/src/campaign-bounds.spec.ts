import { addDays, minDate } from './dates';
import { FigureModel } from './figures';
import { evaluateTargetSeries, statusSpan } from './target-status';
import { BOUNDS_2020, report, RESIDENTS_50_TARGET as RESIDENTS_50, unit } from '@test/support/domain-fixtures';

describe('timeline spans are clamped to the campaign calendar', () => {
  const units = [unit('D1', 'district', { level: 2 }), unit('C1', 'commune', { admin: 'D1', acc: 'D1', level: 3 })];
  const inputs = {
    units,
    reports: [report('C1', 'residents', '2020-08-10', [1000, 800, 100, 50])],
    denominators: [
      { unitCode: 'C1', cohort: 'residents' as const, asOf: '9999-12-31', headcount: 5000, eventId: 'e1' },
      { unitCode: 'C1', cohort: 'residents' as const, asOf: '2020-08-01', headcount: 1000, eventId: 'e0' },
    ],
  };

  it('given a denominator dated 9999-12-31, then the figure span ends at the bounds, and the series is as long as they allow', () => {
    const m = new FigureModel(inputs, { windowDays: 7, bounds: BOUNDS_2020 });
    expect(m.figureSpan('C1', 'residents')).toEqual({ from: '2020-08-10', to: BOUNDS_2020.to });
    const series = m.figureSeries('C1', 'residents');
    expect(series[series.length - 1]).toMatchObject({ date: BOUNDS_2020.to, population: 1000 });
    // The district has no denominator of its own: its span ends when the window lapses, as before.
    expect(m.figureSpan('D1', 'residents')).toEqual({ from: '2020-08-10', to: '2020-08-17' });
  });

  it('given a report dated 0001-01-01, then the span starts at the campaign start, where that report is the latest', () => {
    const m = new FigureModel(
      { units, reports: [report('C1', 'residents', '0001-01-01', [10, 10, 5, 5])], denominators: [] },
      { windowDays: 7, bounds: BOUNDS_2020 },
    );
    expect(m.figureSpan('C1', 'residents')).toEqual({ from: BOUNDS_2020.from, to: BOUNDS_2020.from });
    expect(m.figureSeries('C1', 'residents')).toEqual([expect.objectContaining({ date: BOUNDS_2020.from, installed: 5 })]);
  });

  it('given only reports after the bounds, then there is nothing to store yet', () => {
    const m = new FigureModel(
      { units, reports: [report('C1', 'residents', '9999-12-31', [10, 10, 5, 5])], denominators: [] },
      { windowDays: 7, bounds: BOUNDS_2020 },
    );
    expect(m.figureSpan('C1', 'residents')).toBeNull();
    expect(m.figureSeries('C1', 'residents')).toEqual([]);
  });

  it('given a target whose deadline and campaign start are absurd, then its statuses stay within the bounds', () => {
    const m = new FigureModel(inputs, { windowDays: 7, bounds: BOUNDS_2020 });
    const absurd = { ...RESIDENTS_50, deadline: '9999-12-30', campaignStart: '0001-01-01' };
    expect(statusSpan(m, absurd, 'C1')).toEqual(BOUNDS_2020);
    const series = evaluateTargetSeries(m, absurd, 'C1');
    expect(series[0].date).toBe(BOUNDS_2020.from);
    expect(series[series.length - 1].date).toBe(BOUNDS_2020.to);
  });

  it('given a long series, then computed in slices (as rates does, breathing in between) it is the same series', () => {
    const m = new FigureModel(
      { ...inputs, reports: [...inputs.reports, report('C1', 'residents', '2020-08-14', [1000, 800, 300, 150])] },
      { windowDays: 7, bounds: BOUNDS_2020 },
    );
    const slices = <T>(from: string, to: string, compute: (a: string, b: string) => T[]): T[] => {
      const out: T[] = [];
      for (let a = from; a <= to; a = addDays(a, 5)) out.push(...compute(a, minDate(addDays(a, 4), to)!));
      return out;
    };
    const span = m.figureSpan('C1', 'residents')!;
    expect(slices(span.from, span.to, (a, b) => m.figureSeries('C1', 'residents', a, b))).toEqual(m.figureSeries('C1', 'residents'));
    const t = { ...RESIDENTS_50, deadline: '2020-09-30' };
    const s = statusSpan(m, t, 'C1');
    expect(slices(s.from, s.to, (a, b) => evaluateTargetSeries(m, t, 'C1', a, b))).toEqual(evaluateTargetSeries(m, t, 'C1'));
  });
});
