import { mergedWindows } from './quality.store';

describe('mergedWindows', () => {
  it('merges windows that overlap or touch, keeps those apart apart, earliest first', () => {
    expect(
      mergedWindows([
        { from: '2020-08-20', to: '2020-08-25' },
        { from: '2020-08-01', to: '2020-08-03' },
        { from: '2020-08-04', to: '2020-08-05' },
        { from: '2020-08-22', to: '2020-08-23' },
        { from: '2020-08-10', to: '2020-08-10' },
        { from: '2020-08-24', to: '2020-08-30' },
      ]),
    ).toEqual([
      { from: '2020-08-01', to: '2020-08-05' },
      { from: '2020-08-10', to: '2020-08-10' },
      { from: '2020-08-20', to: '2020-08-30' },
    ]);
    expect(mergedWindows([])).toEqual([]);
  });

  it('leaves the windows it was given as they were', () => {
    const given = [
      { from: '2020-08-01', to: '2020-08-03' },
      { from: '2020-08-02', to: '2020-08-09' },
    ];
    mergedWindows(given);
    expect(given[0]).toEqual({ from: '2020-08-01', to: '2020-08-03' });
  });
});
