// The workforce service as a process, fed hostile roster files (issue 21): each is refused with a 4xx
// problem+json an EZ-board clerk can act on, the process stays live, and the next normal upload goes through.
import { rosterCsv, rosterXlsx, workers } from '../../apps/workforce/test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../apps/workforce/test/workforce-world';
import { waitFor } from '../support/int-env';
import { EventInjector, http } from '../support/service-harness';
import { System } from '../support/system';
import {
  blankRowBombXlsx,
  emptyLinesCsv,
  farColumnXlsx,
  hugeFieldCsv,
  hugeLineCsv,
  sharedStringsBombXlsx,
  unpackedBombXlsx,
} from './hostile-rosters';

jest.setTimeout(300_000);

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MB = 1024 * 1024;
/** Small enough that the bombs stay cheap to make, large enough for any real roster of the test. */
const MAX_UNPACKED = 256 * MB;

interface HostileCase {
  name: string;
  file: () => Buffer | Promise<Buffer>;
  type: string;
  status: 413 | 422;
  lang: 'vi' | 'en';
  /** What the clerk is told, in the language asked for. */
  detail: RegExp;
}

const CASES: HostileCase[] = [
  {
    name: 'a shared-strings table of 100,000 strings of 1,000 characters (100 MB unpacked)',
    file: () => sharedStringsBombXlsx(100_000),
    type: XLSX,
    status: 413,
    lang: 'en',
    detail: /table of texts .* more than/,
  },
  {
    name: 'a roster followed by 1,100,000 blank <row/> elements',
    file: () => blankRowBombXlsx(1_100_000),
    type: XLSX,
    status: 413,
    lang: 'vi',
    detail: /Tệp có hơn 1\.000\.000 dòng \(kể cả dòng trống\)/,
  },
  {
    name: 'a sheet that unpacks to 300 MB while its zip headers say 2 KB',
    file: () => unpackedBombXlsx(300 * MB),
    type: 'application/octet-stream',
    status: 413,
    lang: 'en',
    detail: /unpacks to more than 256 MB/,
  },
  {
    name: 'a CSV line of 10 MB',
    file: () => hugeLineCsv(10 * MB),
    type: 'text/csv',
    status: 422,
    lang: 'vi',
    detail: /Dòng 3 dài hơn 64 KiB/,
  },
  {
    name: 'a CSV field of 10 MB holding line breaks',
    file: () => hugeFieldCsv(10 * MB),
    type: 'text/csv',
    status: 422,
    lang: 'en',
    detail: /line 3 is longer than 64 KiB.*quote/,
  },
  {
    name: 'a CSV with 600,000 empty lines and 600,000 lines of bare separators',
    file: () => emptyLinesCsv(600_000),
    type: 'text/csv',
    status: 413,
    lang: 'en',
    detail: /more than 1,000,000 rows \(blank rows included\)/,
  },
  {
    // Last: on the code before the fix this one never answers and the process is lost.
    name: 'a cell reference at column ZZZZZZZ (the issue’s 1.6 KB file)',
    file: () => farColumnXlsx(),
    type: XLSX,
    status: 422,
    lang: 'vi',
    detail: /Dòng 3 có ô nằm ngoài cột IV/,
  },
];

describe('workforce: hostile roster files', () => {
  let sys: System;
  let events: EventInjector;
  let keys: WorkforceKeys;
  let normal = 0;

  beforeAll(async () => {
    sys = await System.create('wfhostile', { ROSTER_MAX_UNPACKED_BYTES: String(MAX_UNPACKED), LOG_LEVEL: 'warn' });
    sys.start('workforce');
    await sys.waitHealthy('workforce', 60_000);
    events = await EventInjector.open(sys.namespace);
    keys = await publishWorld(events);
    await waitFor(
      async () => (await http({ url: sys.url('workforce') }, 'GET', '/v1/whoami', { key: keys.ezBoard })).status === 200,
      'the key replica',
    );
  });
  afterAll(async () => {
    await events?.close();
    await sys?.dispose();
  });

  /** A bounded wait: a service stuck in a loop answers nothing, which must fail the test, not hang it. */
  async function upload(body: Buffer, type: string, lang: string, asOf: string, timeoutMs = 90_000) {
    const res = await fetch(`${sys.url('workforce')}/v1/enterprises/DN-A/rosters?asOf=${asOf}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.ezBoard}`, 'content-type': type, 'accept-language': lang },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: JSON.parse(text || 'null') };
  }

  async function live(): Promise<number> {
    const res = await fetch(`${sys.url('workforce')}/health/live`, { signal: AbortSignal.timeout(5_000) });
    return res.status;
  }

  it.each(CASES)('refuses $name, stays live and takes the next roster', async (c) => {
    const file = await c.file();
    const lang = c.lang === 'vi' ? 'vi-VN,vi;q=0.9,en;q=0.5' : 'en-GB,en;q=0.8';
    const refused = await upload(file, c.type, lang, '2020-08-20');
    expect(refused.status).toBe(c.status);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toMatch(c.detail);
    expect(refused.body.errors).toEqual([{ field: 'body', message: refused.body.detail }]);

    expect(await live()).toBe(200);
    normal += 1;
    const next = c.type === 'text/csv' ? rosterCsv(200 + normal) : await rosterXlsx(workers(200 + normal));
    const ok = await upload(next, c.type, lang, '2020-08-21');
    expect(ok.status).toBe(201);
    expect(ok.body.rowsAccepted).toBe(200 + normal);
  });
});
