import { workforceService } from '../main';
import { http, settle, useService, type EventInjector, type RunningService } from '@test/support/service-harness';
import { natsUrl, waitFor } from '@test/support/int-env';
import { aggregatesOf, rosterCsv, streamEvents, workers } from '../../test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../test/workforce-world';

/**
 * Uploads that change nothing until someone decides: a dry run (a preview), a replacement removing more than
 * ROSTER_MAX_REMOVAL_SHARE (pending), their confirmation with the preview's token, rejection, supersession;
 * and rows refused for a wrong field count, counted in the summary and in the event.
 */
describe('workforce: dry runs, pending replacements, confirmation', () => {
  const fx = useService(workforceService, publishWorld);
  let svc: RunningService;
  let events: EventInjector;
  let keys: WorkforceKeys;
  beforeAll(() => ({ svc, events, world: keys } = fx));
  const q = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (svc.runtime['dataSource'] as { query: (s: string, p: unknown[]) => Promise<T[]> }).query(sql, params);

  const upload = (code: string, body: Buffer | string, opts: { key?: string; dryRun?: boolean; lang?: string; asOf?: string } = {}) =>
    http(svc, 'POST', `/v1/enterprises/${code}/rosters?asOf=${opts.asOf ?? '2020-08-20'}${opts.dryRun ? '&dryRun=true' : ''}`, {
      key: opts.key ?? keys.ezBoard,
      raw: typeof body === 'string' ? Buffer.from(body) : body,
      headers: { 'content-type': 'text/csv', 'accept-language': opts.lang ?? 'en' },
    });
  const confirm = (id: string, previewToken: string, key = keys.ezBoard) =>
    http(svc, 'POST', `/v1/roster-imports/${id}/confirm`, { key, body: { previewToken }, headers: { 'accept-language': 'en' } });

  /**
   * What a reader of the service's state sees: the roster in force, the outbox and the published events
   * (once the outbox relay has published all it holds).
   */
  async function state(code: string) {
    await waitFor(async () => {
      const now = await snapshot(code);
      return now.events.length === now.outbox;
    }, 'the outbox relay');
    return snapshot(code);
  }
  async function snapshot(code: string) {
    const stream = await streamEvents(svc.namespace, natsUrl());
    return {
      roster: await q(`SELECT import_id, revision, headcount, installed FROM rosters WHERE enterprise_code = $1 ORDER BY as_of`, [code]),
      outbox: (await q(`SELECT count(*)::int AS n FROM outbox WHERE subject LIKE '%workforce.roster.imported%'`))[0].n as number,
      events: stream.filter((e) => e.envelope.type === 'workforce.roster.imported').map((e) => e.envelope.id as string),
    };
  }

  it('given no roster yet, when a dry run is sent, then it answers the preview and changes nothing; confirmed, it is in force', async () => {
    const before = await state('DN-C');
    const dry = await upload('DN-C', rosterCsv(50), { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      state: 'preview',
      revision: null,
      rowsAccepted: 50,
      rowsRejected: 0,
      removalShare: null,
      figures: { before: null, after: aggregatesOf(workers(50)) },
      diff: { joined: 50, left: 0 },
      message: expect.stringMatching(/^dry run: nothing has changed/),
    });
    expect(dry.body.previewToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await settle(svc);
    expect(await state('DN-C')).toEqual(before);

    // Listed as waiting; its token is shown to the EZ board, not to the enterprise's own key.
    const held = await http(svc, 'GET', '/v1/roster-imports', { key: keys.ezBoard });
    expect(held.body).toEqual([expect.objectContaining({ id: dry.body.importId, state: 'preview', previewToken: dry.body.previewToken })]);
    const asPortal = await http(svc, 'GET', `/v1/roster-imports/${dry.body.importId}`, { key: keys.portalA });
    expect(asPortal.status).toBe(404); // DN-C is not DN-A's
    expect((await http(svc, 'GET', '/v1/enterprises/DN-C/roster-imports?held=true', { key: keys.analyst })).body).toEqual([
      expect.objectContaining({ id: dry.body.importId, previewToken: null }),
    ]);

    const wrong = await confirm(dry.body.importId, 'not-the-token-of-this-preview');
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toMatch(/preview token does not match/);
    const ok = await confirm(dry.body.importId, dry.body.previewToken);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'completed', revision: 1, previewToken: null, aggregates: aggregatesOf(workers(50)) });
    await settle(svc);
    const after = await state('DN-C');
    expect(after.roster).toEqual([
      { import_id: dry.body.importId, revision: 1, headcount: 50, installed: aggregatesOf(workers(50)).installed },
    ]);
    expect(after.events).toHaveLength(before.events.length + 1);
    // Confirmed once: a second confirmation is refused.
    expect((await confirm(dry.body.importId, dry.body.previewToken)).status).toBe(409);
  });

  it('given a roster of 120, when a file of 1 worker replaces it, then it is held pending and changes nothing until confirmed', async () => {
    const full = await upload('DN-D', rosterCsv(120));
    expect(full.status).toBe(201);
    await settle(svc);
    const before = await state('DN-D');

    const one = await upload('DN-D', rosterCsv(1), { lang: 'vi' });
    expect(one.status).toBe(202);
    expect(one.body).toMatchObject({ state: 'pending', revision: null, diff: { joined: 0, left: 119 }, removalShare: 119 / 120 });
    expect(one.body.message).toMatch(/^Danh sách này sẽ loại bỏ 119 trong số 120 người lao động .*99,2%.*20%/);
    await settle(svc);
    expect(await state('DN-D')).toEqual(before);

    // The enterprise's own key may not confirm it (the EZ board decides), nor a board key outside its unit.
    expect((await confirm(one.body.importId, one.body.previewToken, keys.portalA)).status).toBe(403);
    const otherBoard = await events.key('ez_board', 'KKT-DINHAN');
    await settle(svc);
    expect((await confirm(one.body.importId, one.body.previewToken, otherBoard)).status).toBe(404);
    expect(await state('DN-D')).toEqual(before);

    const ok = await confirm(one.body.importId, one.body.previewToken);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'completed', revision: 2, diff: { left: 119 } });
    await settle(svc);
    const after = await state('DN-D');
    expect(after.roster).toEqual([expect.objectContaining({ import_id: one.body.importId, revision: 2, headcount: 1 })]);
    expect(after.events).toHaveLength(before.events.length + 1);
  });

  it('given a pending upload, a newer upload supersedes it and a rejected one is dropped with its rows', async () => {
    const base = await upload('DN-B', rosterCsv(40), { asOf: '2020-08-21' });
    expect([201, 202]).toContain(base.status);
    if (base.status === 202) expect((await confirm(base.body.importId, base.body.previewToken)).status).toBe(200);
    const first = await upload('DN-B', rosterCsv(10), { asOf: '2020-08-21' });
    expect(first.status).toBe(202);
    const second = await upload('DN-B', rosterCsv(5), { asOf: '2020-08-21' });
    expect(second.status).toBe(202);
    const stale = await confirm(first.body.importId, first.body.previewToken);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ state: 'superseded', detail: 'this roster upload is superseded, not waiting for a confirmation' });

    const rejected = await http(svc, 'POST', `/v1/roster-imports/${second.body.importId}/reject`, { key: keys.ezBoard });
    expect(rejected.status).toBe(200);
    expect(rejected.body.state).toBe('rejected');
    expect((await confirm(second.body.importId, second.body.previewToken)).status).toBe(409);
    // Rows of dropped uploads are erased; the roster in force is untouched.
    const ids = [first.body.importId, second.body.importId];
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      left = (await q(`SELECT count(*)::int AS n FROM roster_rows WHERE import_id = ANY($1::uuid[])`, [ids]))[0].n;
      if (left) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);
    expect((await q(`SELECT headcount FROM rosters WHERE enterprise_code = 'DN-B' AND as_of = '2020-08-21'`))[0].headcount).toBe(40);
  });

  it('refuses a truncated CSV record (the issue’s E006,yes,yes) and counts it in the summary and the event', async () => {
    const body = [
      'employee_id,has_smartphone,installed,bluetooth_on',
      'E001,yes,yes,yes',
      'E002,yes,no,no',
      'E006,yes,yes',
      'E007,1,1,1,1',
    ].join('\n');
    const res = await upload('DN-E', body, { asOf: '2020-08-22' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ rowsRead: 4, rowsAccepted: 2, rowsRejected: 2, headcount: 2, installed: 1, bluetoothOn: 1 });
    expect(res.body.rejected).toEqual([
      { line: 4, reason: '3 field(s) where the header has 4: the row is cut short' },
      { line: 5, reason: "a value past the header's 4 column(s): the row's fields are shifted (an unquoted separator?)" },
    ]);
    // The outbox relay publishes after the answer: wait for the event, not for the consumers.
    const published = async () =>
      (await streamEvents(svc.namespace, natsUrl())).find((e) => e.envelope.data?.importId === res.body.importId);
    await waitFor(async () => (await published()) !== undefined, 'the roster event to be published', 30_000);
    expect((await published())?.envelope.data).toMatchObject({ rowsAccepted: 2, rowsRejected: 2, headcount: 2 });
  });
});
