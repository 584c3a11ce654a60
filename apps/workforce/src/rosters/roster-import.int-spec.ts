import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { rootLogger } from '@app/platform';
import { workforceService } from '../main';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { natsUrl, waitFor } from '@test/support/int-env';
import { aggregatesOf, csvLine, openRosterUpload, rosterCsv, rosterXlsx, VI_HEADER, worker, workers } from '../../test/roster-fixtures';
import { streamEvents } from '../../test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../test/workforce-world';

// Under ~60 s on an idle 2-core machine; the margin is for machines shared with other test runs.
jest.setTimeout(180_000);

const ROWS = 200_000;
const AS_OF = '2020-08-25';
const SECRET = 'int-test-roster-secret-0123456789abcdefghijklmnop';

/** What must never leave the service: raw ids, phone numbers, names (each name carries a unique "Z…" word). */
// Phone numbers are looked for outside hex runs: a stored hash may contain ten decimal digits in a row.
const PRIVATE = [/NV\d{7}/, /(?<![0-9a-f])09\d{8}(?![0-9a-f])/, /Nguyễn|Trần|Huỳnh|Đặng|Dương/, /\bZ[qwrtyzxkvmjlpghs]{1,6}\b/];

describe('workforce: a 200,000-row roster, its privacy, XLSX, re-upload and interrupted uploads', () => {
  let svc: RunningService;
  let events: EventInjector;
  let keys: WorkforceKeys;
  let csv: Buffer;
  const expected = aggregatesOf(workers(ROWS));
  const logs: string[] = [];
  let restoreLogs: () => void = () => undefined;
  const q = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (svc.runtime['dataSource'] as { query: (s: string, p: unknown[]) => Promise<T[]> }).query(sql, params);
  const rosterEvents = async () =>
    (await streamEvents(svc.namespace, natsUrl())).filter((e) => e.envelope.type === 'workforce.roster.imported');
  const upload = (body: Buffer, contentType = 'text/csv') =>
    http(svc, 'POST', `/v1/enterprises/DN-A/rosters?asOf=${AS_OF}`, {
      key: keys.ezBoard,
      raw: body,
      headers: { 'content-type': contentType },
    });
  let importedA: ReturnType<typeof upload> | undefined;
  /** DN-A's 200,000-row roster, uploaded once by whichever test needs it first (each test may run alone). */
  const importA = () => (importedA ??= upload(csv));
  const inForce = async () =>
    (
      await q(
        `SELECT import_id, revision, headcount, smartphone_holders, installed, bluetooth_on FROM rosters WHERE enterprise_code = 'DN-A'`,
      )
    )[0];

  beforeAll(async () => {
    svc = await startService(workforceService, { env: { LOG_LEVEL: 'info', ROSTER_HMAC_SECRET: SECRET } });
    // Capture every log line the service writes (pino writes to fd 1 directly, so its stream is wrapped).
    const root = rootLogger() as unknown as Record<symbol, { write(s: string): unknown }>;
    const sym = pino.symbols.streamSym as unknown as symbol;
    const original = root[sym];
    root[sym] = { write: (s: string) => logs.push(s) };
    const stdoutWrite = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (stdoutWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    restoreLogs = () => {
      root[sym] = original;
      process.stdout.write = stdoutWrite;
    };
    events = await EventInjector.open(svc.namespace);
    keys = await publishWorld(events);
    await settle(svc);
    csv = rosterCsv(ROWS);
  });
  afterAll(async () => {
    restoreLogs();
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('imports 200,000 rows with names and phones to the right aggregates, showing progress while it runs', async () => {
    const t0 = Date.now();
    const pending = importA();
    let sawRunning = false;
    let finished = false;
    void pending.finally(() => (finished = true));
    while (!finished) {
      const list = await http(svc, 'GET', '/v1/enterprises/DN-A/roster-imports', { key: keys.ezBoard });
      if (list.body?.[0]?.state === 'running' && list.body[0].rowsRead > 0) sawRunning = true;
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await pending;
    process.stderr.write(`${ROWS} CSV rows imported in ${Date.now() - t0} ms\n`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ rowsRead: ROWS, rowsAccepted: ROWS, rowsRejected: 0, rejected: [], ...expected, revision: 1 });
    expect(res.body.diff).toEqual({ joined: ROWS, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 });
    expect(sawRunning).toBe(true);
    expect(await inForce()).toMatchObject({
      import_id: res.body.importId,
      revision: 1,
      headcount: expected.headcount,
      installed: expected.installed,
    });

    const [e] = await waitFor(async () => {
      const list = await rosterEvents();
      return list.length === 1 ? list : null;
    }, 'the roster event');
    expect(e.subject).toBe(`${svc.namespace}.workforce.roster.imported.v1`);
    expect(e.envelope.key).toBe('DN-A');
    expect(e.envelope.data).toEqual({
      importId: res.body.importId,
      enterpriseCode: 'DN-A',
      asOf: AS_OF,
      revision: 1,
      rowsAccepted: ROWS,
      rowsRejected: 0,
      ...expected,
      joined: ROWS,
      left: 0,
      newlyInstalled: 0,
      newlyBluetoothOn: 0,
    });
  });

  it('keeps no name, phone or raw id: not in a dump of its schema, not in its logs, not in its events', async () => {
    expect((await importA()).status).toBe(201);
    const u = new URL(svc.databaseUrl);
    const dump = execFileSync(
      'pg_dump',
      ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', '-n', 'workforce', '--data-only', u.pathname.slice(1)],
      {
        maxBuffer: 512 * 1024 * 1024,
      },
    ).toString('utf8');
    expect(dump).toContain('COPY workforce.roster_rows');
    expect(dump.length).toBeGreaterThan(ROWS * 64); // the hashes are there
    const eventsText = (await streamEvents(svc.namespace, natsUrl())).map((e) => e.raw).join('\n');
    const logText = logs.join('');
    expect(logText).toContain('roster import completed');
    for (const [what, text] of [
      ['schema dump', dump],
      ['logs', logText],
      ['events', eventsText],
    ] as const) {
      for (const pattern of PRIVATE) expect({ what, found: pattern.exec(text)?.[0] ?? null }).toEqual({ what, found: null });
    }
    // Spot checks by value, and the hash is keyed: a plain SHA-256 of an id is not what is stored.
    for (const i of [1, 2, 777, 123_456, ROWS]) {
      const w = worker(i);
      for (const secret of [w.id, w.phone, w.name])
        expect(dump.includes(secret) || logText.includes(secret) || eventsText.includes(secret)).toBe(false);
      expect(dump).not.toContain(createHash('sha256').update(w.id).digest('hex'));
    }
  });

  it('imports the same roster saved as XLSX to the same aggregates as its CSV, and a re-upload changes nothing but the revision', async () => {
    const n = 50_000;
    const expectedB = aggregatesOf(workers(n, 3));
    const csvB = rosterCsv(n, 3);
    const toB = (body: Buffer, type: string) =>
      http(svc, 'POST', `/v1/enterprises/DN-B/rosters?asOf=${AS_OF}`, { key: keys.ezBoard, raw: body, headers: { 'content-type': type } });
    const first = await toB(csvB, 'text/csv');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ rowsAccepted: n, ...expectedB, revision: 1 });

    const xlsx = await rosterXlsx(workers(n, 3));
    const fromXlsx = await toB(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(fromXlsx.status).toBe(201);
    expect(fromXlsx.body).toMatchObject({ rowsRead: n, rowsAccepted: n, rowsRejected: 0, ...expectedB, revision: 2 });
    expect(fromXlsx.body.diff).toEqual({ joined: 0, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 });

    const again = await toB(csvB, 'text/csv');
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ rowsAccepted: n, ...expectedB, revision: 3 });
    expect(again.body.diff).toEqual({ joined: 0, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 });
    const rows = await q(
      `SELECT revision, headcount, smartphone_holders, installed, bluetooth_on FROM rosters WHERE enterprise_code = 'DN-B'`,
    );
    expect(rows).toEqual([
      {
        revision: 3,
        headcount: expectedB.headcount,
        smartphone_holders: expectedB.smartphoneHolders,
        installed: expectedB.installed,
        bluetooth_on: expectedB.bluetoothOn,
      },
    ]);
    // One event per upload, each with the same aggregates; superseded rosters' rows are purged.
    const published = await waitFor(async () => {
      const list = (await rosterEvents()).filter((e) => e.envelope.key === 'DN-B');
      return list.length === 3 ? list : null;
    }, 'three DN-B roster events');
    expect(published.map((e) => e.envelope.data.revision)).toEqual([1, 2, 3]);
    for (const e of published) expect(e.envelope.data).toMatchObject(expectedB);
    const rowsOf = async (importId: string) =>
      Number((await q(`SELECT count(*) AS n FROM roster_rows WHERE import_id = $1`, [importId]))[0].n);
    await waitFor(async () => (await rowsOf(first.body.importId)) + (await rowsOf(fromXlsx.body.importId)) === 0, 'superseded rows purged');
    expect(await rowsOf(again.body.importId)).toBe(n);
  });

  it('an upload aborted mid-stream leaves the previous roster in force and publishes nothing', async () => {
    expect((await importA()).status).toBe(201);
    const before = await inForce();
    const eventsBefore = (await rosterEvents()).length;
    const { req, sendSome } = openRosterUpload(svc.url, 'DN-A', AS_OF, keys.ezBoard);
    sendSome(30_000);
    const running = await waitFor(async () => {
      const list = await http(svc, 'GET', '/v1/enterprises/DN-A/roster-imports?limit=1', { key: keys.ezBoard });
      const top = list.body?.[0];
      if (top?.state === 'running' && top.rowsRead >= 10_000) return top;
      sendSome(1000);
      return null;
    }, 'the upload to be staging rows');
    req.destroy();
    const failed = await waitFor(async () => {
      const r = await http(svc, 'GET', `/v1/roster-imports/${running.id}`, { key: keys.ezBoard });
      return r.body?.state === 'failed' ? r.body : null;
    }, 'the aborted import to be marked failed');
    expect(failed.failure).toMatch(/interrupted/);
    expect(await inForce()).toEqual(before);
    await waitFor(
      async () => Number((await q(`SELECT count(*) AS n FROM roster_rows WHERE import_id = $1`, [running.id]))[0].n) === 0,
      'staging purged',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect((await rosterEvents()).length).toBe(eventsBefore);
    expect((await q(`SELECT count(*) AS n FROM outbox WHERE subject LIKE '%roster%'`))[0].n).toBe(String(eventsBefore));
  });

  it('a file that turns out malformed midway is refused whole: previous roster in force, nothing published', async () => {
    expect((await importA()).status).toBe(201);
    const before = await inForce();
    const eventsBefore = (await rosterEvents()).length;
    const lines: string[] = [VI_HEADER.join(',') + '\n'];
    for (let i = 1; i <= 40_000; i++) lines.push(i === 30_000 ? `NV9999999,"Broken"quote,0900000000,1,1,1\n` : csvLine(worker(i, 2), i));
    const res = await upload(Buffer.from(lines.join(''), 'utf8'));
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/^Tệp CSV sai định dạng gần dòng 30001 /);
    expect(res.text).not.toMatch(/Broken|NV9999999/);
    const imp = await http(svc, 'GET', `/v1/roster-imports/${res.body.importId}`, { key: keys.ezBoard });
    expect(imp.body).toMatchObject({ state: 'failed', aggregates: null, diff: null });
    expect(imp.body.rowsRead).toBeGreaterThanOrEqual(25_000);
    expect(await inForce()).toEqual(before);
    await waitFor(
      async () => Number((await q(`SELECT count(*) AS n FROM roster_rows WHERE import_id = $1`, [res.body.importId]))[0].n) === 0,
      'staging purged',
    );
    expect((await rosterEvents()).length).toBe(eventsBefore);
  });
});
