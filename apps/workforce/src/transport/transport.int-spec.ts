import { workforceService } from '../main';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { natsUrl, waitFor } from '@test/support/int-env';
import { streamEvents } from '../../test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../test/workforce-world';

describe('workforce: transport-hub passenger checks', () => {
  let svc: RunningService;
  let events: EventInjector;
  let keys: WorkforceKeys;
  const checks = async (date?: string) =>
    (await streamEvents(svc.namespace, natsUrl())).filter(
      (e) =>
        e.envelope.type === 'workforce.transport.checked' && (date === undefined || (e.envelope.data as { date?: string }).date === date),
    );
  const post = (hub: string, body: unknown, opts: { key?: string; idem?: string } = {}) =>
    http(svc, 'POST', `/v1/transport-hubs/${hub}/checks`, {
      key: opts.key ?? keys.transport,
      body,
      headers: opts.idem ? { 'idempotency-key': opts.idem } : {},
    });

  beforeAll(async () => {
    svc = await startService(workforceService);
    events = await EventInjector.open(svc.namespace);
    keys = await publishWorld(events);
    await settle(svc);
  });
  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  const day = { date: '2020-08-24', passengersChecked: 1200, alreadyInstalled: 700, installedOnSite: 350, refused: 20 };

  it('records a check for a hub under the Department of Transport and publishes workforce.transport.checked', async () => {
    const res = await post('BX-TRAVINH', day);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ hubCode: 'BX-TRAVINH', revision: 1, ...day });
    const [e] = await waitFor(async () => ((await checks(day.date)).length === 1 ? checks(day.date) : null), 'the check event');
    expect(e.subject).toBe(`${svc.namespace}.workforce.transport.checked.v1`);
    expect(e.envelope).toMatchObject({ key: 'BX-TRAVINH', source: 'workforce', data: { hubCode: 'BX-TRAVINH', revision: 1, ...day } });
  });

  it('is idempotent per (hub, date): the same figures again change nothing; new figures are a new revision', async () => {
    const mine = { ...day, date: '2020-08-23' };
    expect((await post('BX-TRAVINH', mine)).body.revision).toBe(1);
    const same = await post('BX-TRAVINH', mine);
    expect(same.status).toBe(202);
    expect(same.body.revision).toBe(1);
    const corrected = await post('BX-TRAVINH', { ...mine, installedOnSite: 360 });
    expect(corrected.body).toMatchObject({ revision: 2, installedOnSite: 360 });
    await waitFor(async () => (await checks(mine.date)).length === 2, 'the correction event');
    const list = await http(svc, 'GET', '/v1/transport-hubs/BX-TRAVINH/checks?from=2020-08-23&to=2020-08-23', { key: keys.transport });
    expect(list.status).toBe(200);
    expect(list.body.map((c: { revision: number; superseded: boolean }) => [c.revision, c.superseded])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((await http(svc, 'GET', '/v1/transport-hubs/BX-TRAVINH/checks?from=2020-08-25', { key: keys.analyst })).body).toEqual([]);
  });

  it('honours Idempotency-Key: same key and body → same answer; same key, other body → 422', async () => {
    const body = { ...day, date: '2020-08-25' };
    const first = await post('BEN-PHA', body, { idem: 'ben-pha-25' });
    expect(first.status).toBe(202);
    const replay = await post('BEN-PHA', body, { idem: 'ben-pha-25' });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const clash = await post('BEN-PHA', { ...body, refused: 21 }, { idem: 'ben-pha-25' });
    expect(clash.status).toBe(422);
    expect(clash.headers.get('content-type')).toContain('application/problem+json');
    expect(clash.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(/đã được dùng cho một yêu cầu khác/) }]);
    // The same key on another hub is another request too; a malformed key is 400.
    expect((await post('BX-TRAVINH', body, { idem: 'ben-pha-25' })).status).toBe(422);
    expect((await post('BEN-PHA', body, { idem: 'x'.repeat(201) })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect((await checks()).filter((e) => e.envelope.key === 'BEN-PHA')).toHaveLength(1);
  });

  it('refuses inconsistent counts, bad fields, other hubs and other roles', async () => {
    const over = await post('BX-TRAVINH', { ...day, refused: 200 });
    expect(over.status).toBe(422);
    expect(over.body.errors.map((e: { field: string }) => e.field)).toEqual(['alreadyInstalled', 'installedOnSite', 'refused']);
    const bad = await post('BX-TRAVINH', {
      date: '2020-02-30',
      passengersChecked: -1,
      alreadyInstalled: 1.5,
      installedOnSite: 'x',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['date', 'passengersChecked', 'alreadyInstalled', 'installedOnSite', 'refused', 'extra']),
    );
    expect((await post('BX-TRAVINH', { ...day, date: '2999-01-01' })).status).toBe(422);
    expect((await post('BX-KHAC', day)).status).toBe(403);
    expect((await post('BX-TRAVINH', day, { key: keys.ezBoard })).status).toBe(403);
    expect((await post('BX-TRAVINH', day, { key: keys.analyst })).status).toBe(403);
    const notHub = await post('SO-GTVT', day);
    expect(notHub.status).toBe(422);
    expect(notHub.body.detail).toMatch(/not a transport hub/);
    expect((await http(svc, 'GET', '/v1/transport-hubs/BX-KHAC/checks', { key: keys.transport })).status).toBe(403);
  });
});
