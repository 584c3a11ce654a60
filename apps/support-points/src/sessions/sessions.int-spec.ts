import { DataSource } from 'typeorm';
import { waitFor } from '@test/support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { publishSupportWorld } from '../../test/support-world';
import { supportPointsService } from '../main';

describe('support-point sessions: idempotency, revisions and open days (real PostgreSQL and NATS)', () => {
  let svc: RunningService;
  let events: EventInjector;
  let ds: DataSource;
  let vnpt: string;
  const url = '/v1/support-points/VNPT-1/sessions';
  const session = (date: string, assisted: number, installed: number, bluetoothEnabled: number) => ({
    date,
    assisted,
    installed,
    bluetoothEnabled,
  });

  async function counts(): Promise<{ sessions: number; outbox: number; keys: number }> {
    const [row] = await ds.query(
      `SELECT (SELECT count(*)::int FROM support_sessions) AS sessions, (SELECT count(*)::int FROM outbox) AS outbox, (SELECT count(*)::int FROM idempotent_requests) AS keys`,
    );
    return row;
  }

  async function sessionEvents(date: string): Promise<Array<Record<string, unknown>>> {
    const rows: Array<{ envelope: { type: string; data: Record<string, unknown> } }> = await ds.query(
      `SELECT envelope FROM outbox WHERE envelope->>'type' = 'support.session.logged' AND envelope->'data'->>'date' = $1 ORDER BY seq`,
      [date],
    );
    return rows.map((r) => r.envelope.data);
  }

  function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, field?: string): void {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  }

  beforeAll(async () => {
    svc = await startService(supportPointsService);
    ds = svc.app.get(DataSource);
    events = await EventInjector.open(svc.namespace);
    vnpt = await publishSupportWorld(events);
    await settle(svc);
    const put = await http(svc, 'PUT', '/v1/support-points/VNPT-1', {
      key: vnpt,
      body: { operator: 'VNPT-TV', communeCode: '29308', address: 'Thị trấn Cầu Kè', openedOn: '2020-08-20' },
    });
    expect(put.status).toBe(201);
    expect((await http(svc, 'POST', '/v1/support-points/VNPT-1/close', { key: vnpt, body: { date: '2020-08-25' } })).status).toBe(200);
    expect((await http(svc, 'POST', '/v1/support-points/VNPT-1/reopen', { key: vnpt, body: { date: '2020-08-28' } })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('a new day is revision 1; the identical figures again are a no-op; other figures are the next revision', async () => {
    const first = await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-21', 40, 35, 30) });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      pointId: 'VNPT-1',
      date: '2020-08-21',
      revision: 1,
      assisted: 40,
      installed: 35,
      bluetoothEnabled: 30,
      changed: true,
    });
    const before = await counts();
    const again = await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-21', 40, 35, 30) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ revision: 1, changed: false });
    expect(await counts()).toEqual(before);
    const corrected = await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-21', 42, 36, 30) });
    expect(corrected.status).toBe(201);
    expect(corrected.body).toMatchObject({ revision: 2, changed: true });
    expect(await sessionEvents('2020-08-21')).toEqual([
      {
        pointId: 'VNPT-1',
        operatorCode: 'VNPT-TV',
        communeCode: '29308',
        date: '2020-08-21',
        revision: 1,
        assisted: 40,
        installed: 35,
        bluetoothEnabled: 30,
      },
      {
        pointId: 'VNPT-1',
        operatorCode: 'VNPT-TV',
        communeCode: '29308',
        date: '2020-08-21',
        revision: 2,
        assisted: 42,
        installed: 36,
        bluetoothEnabled: 30,
      },
    ]);
    // Every revision is kept; the point shows the latest of each day.
    const [stored] = await ds.query(`SELECT count(*)::int AS n FROM support_sessions WHERE date = '2020-08-21'`);
    expect(stored.n).toBe(2);
    const point = await http(svc, 'GET', '/v1/support-points/VNPT-1', { key: vnpt });
    expect(point.body.sessions.filter((x: { date: string }) => x.date === '2020-08-21')).toEqual([
      expect.objectContaining({ date: '2020-08-21', revision: 2, assisted: 42, installed: 36, bluetoothEnabled: 30 }),
    ]);
  });

  it('Idempotency-Key: the same key and body get the same answer and nothing new; the same key with another body is 422', async () => {
    const headers = { 'idempotency-key': 'vnpt-2020-08-22-a' };
    const first = await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-22', 10, 8, 8), headers });
    expect(first.status).toBe(201);
    const before = await counts();
    const replay = await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-22', 10, 8, 8), headers });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await counts()).toEqual(before);

    const other = await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-22', 11, 8, 8), headers });
    expectProblem(other, 422, 'Idempotency-Key');
    expect(other.body.detail).toMatch(
      /^Idempotency-Key vnpt-2020-08-22-a đã được dùng cho một yêu cầu khác.*\(Idempotency-Key vnpt-2020-08-22-a was already used/,
    );
    expectProblem(await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-23', 10, 8, 8), headers }), 422, 'Idempotency-Key');
    expect(await counts()).toEqual(before);
    expect(await sessionEvents('2020-08-22')).toHaveLength(1);

    // Keys belong to the API key that used them: the admin's same key string is a different request.
    const admin = await http(svc, 'POST', url, { body: session('2020-08-22', 12, 9, 9), headers });
    expect(admin.status).toBe(201);
    expect(admin.body).toMatchObject({ revision: 2 });
    // A fresh key with the latest figures is still a no-op (no new revision, no event).
    const fresh = await http(svc, 'POST', url, {
      key: vnpt,
      body: session('2020-08-22', 12, 9, 9),
      headers: { 'idempotency-key': 'vnpt-b' },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ revision: 2, changed: false });
    expect(await sessionEvents('2020-08-22')).toHaveLength(2);
    expectProblem(
      await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-22', 1, 1, 1), headers: { 'idempotency-key': 'has space' } }),
      400,
      'Idempotency-Key',
    );
  });

  it('concurrent retries with one Idempotency-Key store one session; concurrent corrections get distinct revisions', async () => {
    const headers = { 'idempotency-key': 'burst-1' };
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => http(svc, 'POST', url, { key: vnpt, body: session('2020-08-24', 5, 5, 5), headers })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await sessionEvents('2020-08-24')).toHaveLength(1);

    const corrections = await Promise.all(
      [6, 7, 8, 9, 10].map((n) => http(svc, 'POST', url, { key: vnpt, body: session('2020-08-29', n, 5, 5) })),
    );
    expect(corrections.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(corrections.map((r) => r.body.revision).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('no session on a day the point was not open (before opening, on or after a close, in the future): 422, nothing stored', async () => {
    const before = await counts();
    for (const date of ['2020-08-19', '2020-08-25', '2020-08-27', '2999-01-01']) {
      const res = await http(svc, 'POST', url, {
        key: vnpt,
        body: session(date, 1, 1, 1),
        headers: { 'idempotency-key': `closed-${date}` },
      });
      expectProblem(res, 422, 'date');
    }
    expect(await counts()).toEqual(before);
    expect((await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-28', 3, 2, 1) })).status).toBe(201);
  });

  it('bad counts get 4xx problem+json naming the field; nothing is stored or published', async () => {
    const before = await counts();
    const cases: Array<[unknown, number, string]> = [
      [session('2020-08-28', 5, 6, 1), 422, 'installed'],
      [session('2020-08-28', 5, 4, 5), 422, 'bluetoothEnabled'],
      [session('2020-08-28', -1, 0, 0), 400, 'assisted'],
      [session('2020-08-28', 1.5, 0, 0), 400, 'assisted'],
      [{ ...session('2020-08-28', 5, 4, 3), installed: '4' }, 400, 'installed'],
      [session('2020-08-28', 2 ** 31, 0, 0), 400, 'assisted'],
      [{ ...session('2020-08-28', 5, 4, 3), date: '2020-02-30' }, 400, 'date'],
      [{ date: '2020-08-28', assisted: 5 }, 400, 'bluetoothEnabled'],
      [{ ...session('2020-08-28', 5, 4, 3), note: 'x' }, 400, 'note'],
    ];
    for (const [body, status, field] of cases) {
      const res = await http(svc, 'POST', url, { key: vnpt, body });
      try {
        expectProblem(res, status, field);
      } catch (err) {
        throw new Error(`${JSON.stringify(body)}: got ${res.status} ${res.text}\n${(err as Error).message}`);
      }
    }
    expectProblem(
      await http(svc, 'POST', '/v1/support-points/NOPE/sessions', { key: vnpt, body: session('2020-08-28', 1, 1, 1) }),
      404,
      'id',
    );
    expect(await counts()).toEqual(before);
  });

  it('a close is refused while sessions exist on or after its date', async () => {
    expect((await http(svc, 'POST', url, { key: vnpt, body: session('2020-08-30', 3, 2, 1) })).status).toBe(201);
    expectProblem(await http(svc, 'POST', '/v1/support-points/VNPT-1/close', { key: vnpt, body: { date: '2020-08-30' } }), 409, 'date');
    expect((await http(svc, 'POST', '/v1/support-points/VNPT-1/close', { key: vnpt, body: { date: '2020-08-31' } })).status).toBe(200);
    await waitFor(async () => {
      const [r] = await ds.query(`SELECT count(*)::int AS n FROM outbox_pending`);
      return r.n === 0;
    }, 'the outbox to be relayed');
  });
});
