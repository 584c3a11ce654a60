import { addDays, addYears, dateRange, fromDayNumber, toDayNumber } from './dates';

describe('calendar dates (memoised conversions)', () => {
  it('given any day, when converted to a day number and back, repeatedly, then it is the same day', () => {
    for (let pass = 0; pass < 2; pass++) {
      for (const d of dateRange('2019-12-25', '2021-03-05')) {
        expect(fromDayNumber(toDayNumber(d))).toBe(d);
        expect(toDayNumber(d)).toBe(Math.round(Date.parse(`${d}T00:00:00Z`) / 86_400_000));
      }
    }
  });

  it('given a day, when days are added across months, years and a leap day, then the calendar is followed', () => {
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2020-02-29', 1)).toBe('2020-03-01');
    expect(addDays('2020-12-31', 1)).toBe('2021-01-01');
    expect(addDays('2020-08-04', -13)).toBe('2020-07-22');
    expect(addDays('0001-01-01', 0)).toBe('0001-01-01');
  });

  it('given a day, when years are added, then the same day of that year, a leap day falling back to 28 February', () => {
    expect(addYears('2020-01-01', -10)).toBe('2010-01-01');
    expect(addYears('2020-02-29', -10)).toBe('2010-02-28');
    expect(addYears('2020-02-29', -4)).toBe('2016-02-29');
    expect(addYears('2020-08-04', 1)).toBe('2021-08-04');
    expect(addYears('0005-06-01', -10)).toBe('0001-01-01');
  });
});
