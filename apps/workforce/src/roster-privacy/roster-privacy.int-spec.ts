import { DataSource } from 'typeorm';
import { workforceService } from '../main';
import { http, settle, useService, type EventInjector, type RunningService } from '@test/support/service-harness';
import { streamEvents } from '../../test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../test/workforce-world';
import { natsUrl } from '@test/support/int-env';
import { employeeHash } from '../rosters/domain/employee-hash';
import { DEV_ROSTER_HMAC_SECRET } from '../workforce.config';
import { RosterPrivacyService } from './roster-privacy.service';

describe('workforce: personal data of rosters (retention, erasure on request)', () => {
  const wf = useService(workforceService, publishWorld);
  let svc: RunningService;
  let events: EventInjector;
  let keys: WorkforceKeys;
  let ds: DataSource;

  beforeAll(() => {
    ({ svc, events, world: keys } = wf);
    ds = svc.app.get(DataSource);
  });

  const HEADER = 'employee_id,has_smartphone,installed,bluetooth_on\n';
  async function upload(code: string, asOf: string, ids: string[]): Promise<string> {
    const res = await http(svc, 'POST', `/v1/enterprises/${code}/rosters?asOf=${asOf}`, {
      key: keys.ezBoard,
      raw: Buffer.from(HEADER + ids.map((id) => `${id},1,1,0\n`).join('')),
      headers: { 'content-type': 'text/csv' },
    });
    // A replacement removing most of the roster in force is held until the EZ board confirms it: confirmed here.
    if (res.status === 202) {
      const confirmed = await http(svc, 'POST', `/v1/roster-imports/${res.body.importId}/confirm`, {
        key: keys.ezBoard,
        body: { previewToken: res.body.previewToken },
      });
      expect(confirmed.status).toBe(200);
    } else expect(res.status).toBe(201);
    return res.body.importId as string;
  }
  const rowsOf = async (importId: string) =>
    Number((await ds.query(`SELECT count(*) AS n FROM roster_rows WHERE import_id = $1`, [importId]))[0].n);
  const rostersOf = (code: string) =>
    ds.query(`SELECT as_of::text, import_id, revision, headcount, installed FROM rosters WHERE enterprise_code = $1 ORDER BY as_of`, [
      code,
    ]);
  const rowsOfWorker = async (code: string, id: string) =>
    Number(
      (
        await ds.query(
          `SELECT count(*) AS n FROM roster_rows r JOIN roster_imports i ON i.id = r.import_id WHERE i.enterprise_code = $1 AND r.employee_hash = $2`,
          [code, Buffer.from(employeeHash(DEV_ROSTER_HMAC_SECRET, code, id), 'hex')],
        )
      )[0].n,
    );

  it('erases the rows of rosters uploaded more than ROSTER_RETENTION_DAYS ago, and keeps their counts', async () => {
    const old = await upload('DN-C', '2020-08-20', ['R1', 'R2', 'R3']);
    const recent = await upload('DN-D', '2020-08-20', ['R1', 'R2']);
    const almost = await upload('DN-C', '2020-08-21', ['R1', 'R4']);
    // Retention counts from the upload, not from the roster's date: age two uploads by hand (365 days is the default).
    await ds.query(`UPDATE roster_imports SET finished_at = now() - interval '400 days' WHERE id = $1`, [old]);
    await ds.query(`UPDATE roster_imports SET finished_at = now() - interval '300 days' WHERE id = $1`, [almost]);
    const rostersBefore = await rostersOf('DN-C');
    // The uploads' own events are on the stream before it is counted (the relay publishes after the commit).
    await settle(svc);
    const eventsBefore = (await streamEvents(svc.namespace, natsUrl())).length;

    const privacy = svc.app.get(RosterPrivacyService);
    expect(await privacy.eraseExpired()).toEqual({ imports: 1, rows: 3 });
    expect(await rowsOf(old)).toBe(0);
    expect(await rowsOf(almost)).toBe(2);
    expect(await rowsOf(recent)).toBe(2);
    expect(await rostersOf('DN-C')).toEqual(rostersBefore);
    const imp = await http(svc, 'GET', `/v1/roster-imports/${old}`, { key: keys.ezBoard });
    expect(imp.body).toMatchObject({ state: 'completed', aggregates: { headcount: 3, installed: 3 }, rowsErasedAt: expect.any(String) });
    expect((await http(svc, 'GET', `/v1/roster-imports/${almost}`, { key: keys.ezBoard })).body.rowsErasedAt).toBeNull();
    // Once erased, not again; nothing is published by retention.
    expect(await privacy.eraseExpired()).toEqual({ imports: 0, rows: 0 });
    expect((await streamEvents(svc.namespace, natsUrl())).length).toBe(eventsBefore);
  });

  it("erases one worker's rows on request, through the hash they are stored under, and says what it erased", async () => {
    const first = await upload('DN-A', '2020-08-22', ['NV-77', 'NV-78', 'NV-79']);
    const second = await upload('DN-A', '2020-08-23', ['nv-77', 'NV-78']);
    await upload('DN-B', '2020-08-23', ['NV-77']); // the same id in another enterprise is another worker
    const rostersBefore = await rostersOf('DN-A');
    expect(await rowsOfWorker('DN-A', 'NV-77')).toBe(2);

    const res = await http(svc, 'POST', '/v1/enterprises/DN-A/roster-erasures', { key: keys.ezBoard, body: { employeeId: '  nv-77 ' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      erasureId: expect.any(String),
      enterpriseCode: 'DN-A',
      rowsErased: 2,
      erasedFrom: [
        { importId: first, asOf: '2020-08-22', inForce: true },
        { importId: second, asOf: '2020-08-23', inForce: true },
      ],
      countsUnchanged: true,
      erasedAt: expect.any(String),
    });
    expect(await rowsOfWorker('DN-A', 'NV-77')).toBe(0);
    expect(await rowsOfWorker('DN-A', 'NV-78')).toBe(2);
    expect(await rowsOfWorker('DN-B', 'NV-77')).toBe(1);
    expect(await rostersOf('DN-A')).toEqual(rostersBefore);
    // The record of the request holds who asked and how many rows, never the id or its hash.
    const record = await ds.query(`SELECT * FROM roster_erasures WHERE id = $1`, [res.body.erasureId]);
    expect(record).toEqual([
      expect.objectContaining({
        enterprise_code: 'DN-A',
        rows_erased: 2,
        import_ids: [first, second],
        requested_by_key: expect.any(String),
      }),
    ]);
    expect(JSON.stringify(record)).not.toMatch(/NV-77|nv-77/i);

    const again = await http(svc, 'POST', '/v1/enterprises/DN-A/roster-erasures', { key: keys.ezBoard, body: { employeeId: 'NV-77' } });
    expect(again.body).toMatchObject({ rowsErased: 0, erasedFrom: [] });
  });

  it('lets only admins and EZ-board keys covering the enterprise ask, and validates the request', async () => {
    const parkKey = await events.key('ez_board', 'KCN-LONGDUC');
    await settle(svc);
    await upload('DN-E', '2020-08-22', ['E-1']);
    const body = { employeeId: 'E-1' };
    const outside = await http(svc, 'POST', '/v1/enterprises/DN-E/roster-erasures', { key: parkKey, body });
    expect(outside.status).toBe(403);
    expect(outside.headers.get('content-type')).toContain('application/problem+json');
    for (const key of [keys.portalA, keys.transport, keys.analyst]) {
      expect((await http(svc, 'POST', '/v1/enterprises/DN-E/roster-erasures', { key, body })).status).toBe(403);
    }
    expect((await http(svc, 'POST', '/v1/enterprises/DN-E/roster-erasures', { key: null, body })).status).toBe(401);
    expect(await rowsOfWorker('DN-E', 'E-1')).toBe(1);
    const blank = await http(svc, 'POST', '/v1/enterprises/DN-E/roster-erasures', { body: { employeeId: '   ' } });
    expect(blank.status).toBe(400);
    expect(blank.body.errors.map((e: { field: string }) => e.field)).toEqual(['employeeId']);
    const admin = await http(svc, 'POST', '/v1/enterprises/DN-E/roster-erasures', { body });
    expect(admin.body).toMatchObject({ rowsErased: 1 });
    expect((await http(svc, 'POST', '/v1/enterprises/DN-B/roster-erasures', { key: parkKey, body })).status).toBe(200);
  });
});
