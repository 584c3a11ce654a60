import { dateWindowErrors, todayIn } from './calendar';

describe('campaign calendar', () => {
  it('judges "today" on the province calendar (UTC+7), not the server clock', () => {
    expect(todayIn('Asia/Ho_Chi_Minh', new Date('2020-08-24T18:30:00Z'))).toBe('2020-08-25');
    expect(todayIn('UTC', new Date('2020-08-24T18:30:00Z'))).toBe('2020-08-24');
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
  });
});
