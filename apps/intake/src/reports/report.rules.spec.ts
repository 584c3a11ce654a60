import fc from 'fast-check';
import { COHORTS } from '@app/contracts';
import { countRuleErrors } from '../common/count.rules';
import { validatePlain } from '../common/field-errors';
import { CreateReportDto } from './dto/create-report.dto';
import { cohortErrors, isPlainValidReport, REPORT_COUNT_RULES, sameCounts } from './report.rules';

const counts = (headcount: number, smartphoneHolders: number, installed: number, bluetoothOn: number) => ({
  headcount,
  smartphoneHolders,
  installed,
  bluetoothOn,
});
const valid = { orgUnitCode: '29236', cohort: 'residents', asOf: '2020-08-25', ...counts(1000, 800, 500, 450) };

describe('report rules: 0 ≤ bluetoothOn ≤ installed ≤ smartphoneHolders ≤ headcount', () => {
  it('given ordered counts, when checked, then nothing is wrong (equal counts included)', () => {
    expect(countRuleErrors(counts(10, 8, 5, 4), REPORT_COUNT_RULES)).toEqual([]);
    expect(countRuleErrors(counts(7, 7, 7, 7), REPORT_COUNT_RULES)).toEqual([]);
    expect(countRuleErrors(counts(0, 0, 0, 0), REPORT_COUNT_RULES)).toEqual([]);
  });

  it('given each broken link, when checked, then the lower field of that link is named', () => {
    expect(countRuleErrors(counts(10, 8, 5, 6), REPORT_COUNT_RULES)).toEqual([
      { field: 'bluetoothOn', message: 'bluetoothOn: bluetoothOn (6) must not exceed installed (5)' },
    ]);
    expect(countRuleErrors(counts(10, 8, 9, 4), REPORT_COUNT_RULES).map((e) => e.field)).toEqual(['installed']);
    expect(countRuleErrors(counts(10, 11, 5, 4), REPORT_COUNT_RULES).map((e) => e.field)).toEqual(['smartphoneHolders']);
  });

  it('given a fully inverted report, when checked, then every broken link is named', () => {
    expect(countRuleErrors(counts(1, 2, 3, 4), REPORT_COUNT_RULES).map((e) => e.field)).toEqual([
      'bluetoothOn',
      'installed',
      'smartphoneHolders',
    ]);
  });

  it('given a count that is not a count, when checked, then the order rule stays silent (the field validator speaks)', () => {
    expect(countRuleErrors({ ...counts(10, 8, 5, 4), installed: 'five' }, REPORT_COUNT_RULES)).toEqual([]);
    expect(countRuleErrors({ ...counts(10, 8, 5, 4), installed: -1 }, REPORT_COUNT_RULES)).toEqual([]);
  });

  it('given a unit type, when a cohort is checked, then only the cohorts of COHORTS_BY_UNIT_TYPE pass', () => {
    expect(cohortErrors('commune', 'residents')).toEqual([]);
    expect(cohortErrors('hamlet', 'staff')).toEqual([{ field: 'cohort', message: 'cohort: a hamlet reports residents, not staff' }]);
    expect(cohortErrors('school', 'students')).toEqual([]);
    expect(cohortErrors('department', 'residents')[0].field).toBe('cohort');
    expect(cohortErrors('spaceship', 'staff')[0].field).toBe('cohort');
  });

  it('treats the same four counts as the same report, any other as a correction', () => {
    expect(sameCounts(counts(1, 1, 1, 1), counts(1, 1, 1, 1))).toBe(true);
    expect(sameCounts(counts(1, 1, 1, 1), counts(1, 1, 1, 0))).toBe(false);
  });

  it('the batch fast path accepts exactly what CreateReportDto accepts', () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 1200 }), fc.constantFrom(2 ** 31, 2 ** 31 - 1, 1.5, '5', null, true));
    const item = fc.record(
      {
        orgUnitCode: fc.oneof(fc.constantFrom('29236', 'H-1.a', '', 'bad code', 'x'.repeat(65)), fc.string()),
        cohort: fc.oneof(fc.constantFrom(...COHORTS), fc.string()),
        asOf: fc.oneof(fc.constantFrom('2020-08-25', '2020-02-30', '2020-2-3', '2024-02-29', '2023-02-29'), fc.string()),
        headcount: value,
        smartphoneHolders: value,
        installed: value,
        bluetoothOn: value,
        extra: fc.integer(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(item, fc.constant(valid), fc.constant({ ...valid, bluetoothOn: 500 })), (it) => {
        expect(isPlainValidReport(it)).toBe(validatePlain(CreateReportDto, it).ok);
      }),
      { numRuns: 3000, seed: 20200821 },
    );
    expect(isPlainValidReport(valid)).toBe(true);
  });
});
