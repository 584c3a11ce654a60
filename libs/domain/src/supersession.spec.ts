import { dedupeReports, figureAsOf, latestReport, ReportHistory, supersedes } from './supersession';
import { report } from '@test/support/domain-fixtures';

describe('supersession: a unit’s figure is its latest report as of the day', () => {
  it('given reports for two dates, when asked as of each day, then the later asOf wins only from its own date on', () => {
    const early = report('C1', 'residents', '2020-08-10', [100, 80, 10, 5]);
    const late = report('C1', 'residents', '2020-08-15', [100, 80, 40, 20]);
    expect(figureAsOf([late, early], '2020-08-09')).toBeNull();
    expect(figureAsOf([late, early], '2020-08-10')).toBe(early);
    expect(figureAsOf([late, early], '2020-08-14')).toBe(early);
    expect(figureAsOf([early, late], '2020-08-15')).toBe(late);
    expect(figureAsOf([early, late], '2020-09-01')).toBe(late);
  });

  it('given a correction for the same asOf, when compared, then the higher revision supersedes whatever the order', () => {
    const first = report('C1', 'staff', '2020-08-10', [10, 8, 2, 1], 1);
    const fix = report('C1', 'staff', '2020-08-10', [10, 8, 6, 3], 2);
    expect(supersedes(fix, first)).toBe(true);
    expect(latestReport([fix, first])).toBe(fix);
    expect(latestReport([first, fix])).toBe(fix);
  });

  it('given a later asOf with a lower revision, when compared, then asOf decides before revision', () => {
    const correctedOld = report('C1', 'staff', '2020-08-10', [10, 8, 2, 1], 5);
    const newer = report('C1', 'staff', '2020-08-11', [10, 8, 3, 1], 1);
    expect(latestReport([correctedOld, newer])).toBe(newer);
  });

  it('given the same report delivered twice, when deduplicated, then it counts once', () => {
    const r = report('C1', 'staff', '2020-08-10', [10, 8, 2, 1]);
    expect(dedupeReports([r, { ...r }, r])).toHaveLength(1);
  });

  it('given two different reports under one (asOf, revision), when merged in either order, then the same one stays', () => {
    const a = report('C1', 'staff', '2020-08-10', [10, 8, 2, 1], 1, 'a');
    const b = report('C1', 'staff', '2020-08-10', [10, 8, 5, 1], 1, 'b');
    expect(dedupeReports([a, b])).toEqual([b]);
    expect(dedupeReports([b, a])).toEqual([b]);
  });

  it('given a history, when looked up by binary search, then it agrees with figureAsOf on every day', () => {
    const rs = [
      report('C1', 'staff', '2020-08-03', [1, 1, 0, 0]),
      report('C1', 'staff', '2020-08-05', [1, 1, 1, 0], 1),
      report('C1', 'staff', '2020-08-05', [1, 1, 1, 1], 2),
      report('C1', 'staff', '2020-08-09', [2, 2, 2, 2]),
    ];
    const h = new ReportHistory([...rs].reverse());
    for (const d of ['2020-08-01', '2020-08-03', '2020-08-04', '2020-08-05', '2020-08-08', '2020-08-09', '2020-08-30']) {
      expect(h.asOf(d)).toBe(figureAsOf(rs, d));
    }
  });
});
