import { canonicalCheck, transportCountErrors } from './transport-check.rules';

describe('transport check rules', () => {
  it('accepts counts that account for at most every checked passenger', () => {
    expect(transportCountErrors({ passengersChecked: 10, alreadyInstalled: 5, installedOnSite: 3, refused: 2 })).toEqual([]);
    expect(transportCountErrors({ passengersChecked: 0, alreadyInstalled: 0, installedOnSite: 0, refused: 0 })).toEqual([]);
  });
  it('names the three fields when they add up past the passengers checked', () => {
    const errors = transportCountErrors({ passengersChecked: 10, alreadyInstalled: 5, installedOnSite: 5, refused: 1 });
    expect(errors.map((e) => e.field)).toEqual(['alreadyInstalled', 'installedOnSite', 'refused']);
    expect(errors[0].message).toMatch(/\(11\) must not exceed passengersChecked \(10\)/);
  });
  it('gives the same identity to the same submission only', () => {
    const c = { passengersChecked: 10, alreadyInstalled: 5, installedOnSite: 3, refused: 2 };
    expect(canonicalCheck('BX', '2020-08-20', c)).toBe(canonicalCheck('BX', '2020-08-20', { ...c }));
    expect(canonicalCheck('BX', '2020-08-20', c)).not.toBe(canonicalCheck('BX', '2020-08-21', c));
  });
});
