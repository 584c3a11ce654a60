import { decideClose, decideOpenedOnChange, decideReopen, isOpenOn, type PointPeriod } from './point-periods';
import { decideUpsert } from './point-upsert';

const open = (openedOn: string, closedOn: string | null = null): PointPeriod => ({ openedOn, closedOn });

describe('isOpenOn: a point is open on [openedOn, closedOn)', () => {
  const history = [open('2020-08-20', '2020-08-25'), open('2020-08-28')];

  it.each([
    ['2020-08-19', false, 'the day before it opened'],
    ['2020-08-20', true, 'the day it opened'],
    ['2020-08-24', true, 'the last day before the close'],
    ['2020-08-25', false, 'the closing day'],
    ['2020-08-27', false, 'inside the closed gap'],
    ['2020-08-28', true, 'the day it reopened'],
    ['2021-01-01', true, 'long after, still open'],
  ])('given a point open 20–24/08 and again from 28/08, on %s it is open=%s (%s)', (date, expected) => {
    expect(isOpenOn(history, date)).toBe(expected);
  });

  it('a point with no history is never open', () => {
    expect(isOpenOn([], '2020-08-20')).toBe(false);
  });
});

describe('decideClose', () => {
  it('given an open point, when closed after it opened, then the current period ends on that date', () => {
    expect(decideClose([open('2020-08-20')], '2020-08-25', null)).toEqual({ ok: true, value: [open('2020-08-20', '2020-08-25')] });
  });

  it('given a closed point, when closed again, then 409', () => {
    expect(decideClose([open('2020-08-20', '2020-08-25')], '2020-08-26', null)).toMatchObject({ ok: false, status: 409 });
  });

  it('given a point that opened on D, when closed on D or before, then 422 (a period holds at least one open day)', () => {
    expect(decideClose([open('2020-08-20')], '2020-08-20', null)).toMatchObject({ ok: false, status: 422, errors: [{ field: 'date' }] });
    expect(decideClose([open('2020-08-20')], '2020-08-19', null)).toMatchObject({ ok: false, status: 422 });
  });

  it('given a session logged on or after the closing date, when closed, then 409 (the session would sit on a closed day)', () => {
    expect(decideClose([open('2020-08-20')], '2020-08-25', '2020-08-25')).toMatchObject({ ok: false, status: 409 });
    expect(decideClose([open('2020-08-20')], '2020-08-25', '2020-08-24')).toMatchObject({ ok: true });
  });
});

describe('decideReopen', () => {
  it('given a closed point, when reopened on or after the close, then a new open period starts', () => {
    expect(decideReopen([open('2020-08-20', '2020-08-25')], '2020-08-28')).toEqual({
      ok: true,
      value: [open('2020-08-20', '2020-08-25'), open('2020-08-28')],
    });
    expect(decideReopen([open('2020-08-20', '2020-08-25')], '2020-08-25')).toMatchObject({ ok: true });
  });

  it('given a closed point, when reopened before the close, then 422; given an open point, then 409', () => {
    expect(decideReopen([open('2020-08-20', '2020-08-25')], '2020-08-24')).toMatchObject({ ok: false, status: 422 });
    expect(decideReopen([open('2020-08-20')], '2020-08-28')).toMatchObject({ ok: false, status: 409 });
  });

  it('keeps every earlier answer: after close and reopen, the closed days stay closed', () => {
    const closed = decideClose([open('2020-08-20')], '2020-08-25', null);
    if (!closed.ok) throw new Error('expected ok');
    const reopened = decideReopen(closed.value, '2020-08-28');
    if (!reopened.ok) throw new Error('expected ok');
    expect(['2020-08-24', '2020-08-25', '2020-08-27', '2020-08-28'].map((d) => isOpenOn(reopened.value, d))).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });
});

describe('decideOpenedOnChange', () => {
  it('moves the opening of a single period while no session falls outside it', () => {
    expect(decideOpenedOnChange([open('2020-08-20')], '2020-08-18', '2020-08-21')).toEqual({ ok: true, value: [open('2020-08-18')] });
    expect(decideOpenedOnChange([open('2020-08-20')], '2020-08-22', '2020-08-21')).toMatchObject({
      ok: false,
      status: 409,
      errors: [{ field: 'openedOn' }],
    });
  });

  it('refuses once the point was closed and reopened, and refuses an opening on or after the close', () => {
    expect(decideOpenedOnChange([open('2020-08-20', '2020-08-25'), open('2020-08-28')], '2020-08-19', null)).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(decideOpenedOnChange([open('2020-08-20', '2020-08-25')], '2020-08-25', null)).toMatchObject({ ok: false, status: 422 });
  });
});

describe('decideUpsert', () => {
  const details = { operatorCode: 'VNPT-TV', communeCode: '29236', address: 'ấp Chợ', hours: null };

  it('creates a point with one open period', () => {
    expect(decideUpsert(null, { ...details, openedOn: '2020-08-20' }, null)).toEqual({
      ok: true,
      value: { kind: 'created', periods: [open('2020-08-20')] },
    });
  });

  it('an identical PUT is unchanged, also for a closed point', () => {
    expect(decideUpsert({ ...details, periods: [open('2020-08-20')] }, { ...details, openedOn: '2020-08-20' }, null)).toEqual({
      ok: true,
      value: { kind: 'unchanged' },
    });
    expect(decideUpsert({ ...details, periods: [open('2020-08-20', '2020-08-25')] }, { ...details, openedOn: '2020-08-20' }, null)).toEqual(
      {
        ok: true,
        value: { kind: 'unchanged' },
      },
    );
  });

  it('a change to an open point is an update; a change to a closed point is refused (409)', () => {
    expect(
      decideUpsert({ ...details, periods: [open('2020-08-20')] }, { ...details, address: 'khác', openedOn: '2020-08-20' }, null),
    ).toMatchObject({
      ok: true,
      value: { kind: 'updated' },
    });
    expect(
      decideUpsert(
        { ...details, periods: [open('2020-08-20', '2020-08-25')] },
        { ...details, hours: '8-17', openedOn: '2020-08-20' },
        null,
      ),
    ).toMatchObject({
      ok: false,
      status: 409,
    });
  });
});
