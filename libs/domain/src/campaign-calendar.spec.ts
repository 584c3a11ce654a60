import {
  campaignToday,
  clampSpan,
  computableSpan,
  dateWindowErrors,
  denominatorDateErrors,
  isTimeZone,
  plannedDateErrors,
} from './campaign-calendar';

describe('campaign calendar', () => {
  it('judges "today" on the province calendar (UTC+7), not the server clock', () => {
    expect(campaignToday('Asia/Ho_Chi_Minh', new Date('2020-08-24T18:30:00Z'))).toBe('2020-08-25');
    expect(campaignToday('Asia/Ho_Chi_Minh', new Date('2020-08-20T16:59:59Z'))).toBe('2020-08-20');
    expect(campaignToday('UTC', new Date('2020-08-24T18:30:00Z'))).toBe('2020-08-24');
    expect(campaignToday(undefined, new Date('2020-08-20T18:00:00Z'))).toBe('2020-08-21');
  });

  it('knows an IANA time zone from a made-up one', () => {
    expect(isTimeZone('Asia/Ho_Chi_Minh')).toBe(true);
    expect(isTimeZone('Asia/Nowhere')).toBe(false);
    expect(isTimeZone(7)).toBe(false);
  });

  it('accepts today and the campaign start, refuses tomorrow and the day before the start', () => {
    const w = { today: '2020-08-25', campaignStart: '2020-08-01' };
    expect(dateWindowErrors('asOf', '2020-08-25', w)).toEqual([]);
    expect(dateWindowErrors('asOf', '2020-08-01', w)).toEqual([]);
    expect(dateWindowErrors('asOf', '2020-08-26', w)).toEqual([
      { field: 'asOf', message: 'asOf 2020-08-26 is in the future (today is 2020-08-25)' },
    ]);
    expect(dateWindowErrors('date', '2020-07-31', w)).toEqual([
      { field: 'date', message: 'date 2020-07-31 is before the campaign start 2020-08-01' },
    ]);
    expect(dateWindowErrors('date', '0001-01-01', w)).toHaveLength(1);
    expect(dateWindowErrors('date', '9999-12-31', w)).toHaveLength(1);
  });

  it('lets a denominator predate the campaign by a census (ten years), never lie in the future', () => {
    const w = { today: '2020-08-25', campaignStart: '2020-08-04' };
    expect(denominatorDateErrors('asOf', '2019-04-01', w)).toEqual([]);
    expect(denominatorDateErrors('asOf', '2010-08-04', w)).toEqual([]);
    expect(denominatorDateErrors('asOf', '2010-08-03', w)[0]).toMatchObject({ field: 'asOf', message: expect.stringMatching(/ten years/) });
    expect(denominatorDateErrors('asOf', '9999-12-31', w)).toEqual([
      { field: 'asOf', message: 'asOf 9999-12-31 is in the future (today is 2020-08-25)' },
    ]);
  });

  it('lets a deadline lie up to the horizon ahead, not before the calendar begins', () => {
    expect(plannedDateErrors('deadline', '2021-08-26', '2020-01-01', '2020-08-25')).toEqual([]);
    expect(plannedDateErrors('deadline', '2021-08-27', '2020-01-01', '2020-08-25')[0]?.message).toBe(
      'deadline 2021-08-27 is more than 366 days after today (latest 2021-08-26)',
    );
    expect(plannedDateErrors('campaignStart', '2019-12-31', '2020-01-01', '2020-08-25')[0]?.message).toBe(
      'campaignStart 2019-12-31 is before the campaign start 2020-01-01',
    );
  });

  it('reaches from the campaign start to the day after the latest acceptable deadline, and clamps spans into it', () => {
    const bounds = computableSpan('2020-01-01', '2020-08-25');
    expect(bounds).toEqual({ from: '2020-01-01', to: '2021-08-27' });
    expect(clampSpan({ from: '2020-08-04', to: '9999-12-31' }, bounds)).toEqual({ from: '2020-08-04', to: '2021-08-27' });
    expect(clampSpan({ from: '0001-01-01', to: '2020-08-30' }, bounds)).toEqual({ from: '2020-01-01', to: '2020-08-30' });
    expect(clampSpan({ from: '0001-01-01', to: '0001-02-01' }, bounds)).toEqual({ from: '2020-01-01', to: '2020-01-01' });
  });
});
