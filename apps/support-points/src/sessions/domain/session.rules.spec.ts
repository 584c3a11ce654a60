import fc from 'fast-check';
import { decideSession, sessionCountErrors, sessionDateErrors } from './session.rules';

describe('sessionCountErrors: bluetoothEnabled ≤ installed ≤ assisted', () => {
  it('accepts ordered counts and names each field that breaks the order', () => {
    expect(sessionCountErrors({ assisted: 10, installed: 10, bluetoothEnabled: 9 })).toEqual([]);
    expect(sessionCountErrors({ assisted: 5, installed: 6, bluetoothEnabled: 7 }).map((e) => e.field)).toEqual([
      'installed',
      'bluetoothEnabled',
    ]);
  });

  it('holds for any counts: no error exactly when the order holds', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), (assisted, installed, bluetoothEnabled) => {
        const ok = bluetoothEnabled <= installed && installed <= assisted;
        expect(sessionCountErrors({ assisted, installed, bluetoothEnabled }).length === 0).toBe(ok);
      }),
    );
  });
});

describe('sessionDateErrors', () => {
  const periods = [
    { openedOn: '2020-08-20', closedOn: '2020-08-25' },
    { openedOn: '2020-08-28', closedOn: null },
  ];

  const window = { today: '2020-09-01', campaignStart: '2020-08-04' };

  it('refuses a day before the opening, a closed day, a day still to come, and one before the campaign', () => {
    expect(sessionDateErrors(periods, '2020-08-19', window)).toHaveLength(1);
    expect(sessionDateErrors(periods, '2020-08-26', window)[0]).toMatchObject({ field: 'date' });
    expect(sessionDateErrors(periods, '2020-09-02', window)[0]?.message).toMatch(/future/);
    expect(sessionDateErrors([{ openedOn: '2020-08-01', closedOn: null }], '2020-08-02', window)[0]?.message).toMatch(/campaign start/);
  });

  it('accepts an open day, including today', () => {
    expect(sessionDateErrors(periods, '2020-08-24', window)).toEqual([]);
    expect(sessionDateErrors(periods, '2020-09-01', window)).toEqual([]);
  });
});

describe('decideSession: supersession per (point, date)', () => {
  const counts = { assisted: 10, installed: 8, bluetoothEnabled: 7 };

  it('given no session that day, then revision 1', () => {
    expect(decideSession(null, counts)).toEqual({ kind: 'logged', revision: 1 });
  });

  it('given the same figures as the latest, then unchanged at its revision', () => {
    expect(decideSession({ ...counts, revision: 3 }, counts)).toEqual({ kind: 'unchanged', revision: 3 });
  });

  it('given different figures, then the next revision', () => {
    expect(decideSession({ ...counts, revision: 3 }, { ...counts, installed: 9 })).toEqual({ kind: 'logged', revision: 4 });
  });
});
