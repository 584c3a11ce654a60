import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { BenchContext, Section } from '../support/context';
import { sleep } from '../support/env';
import { judge, type Row } from '../support/report';
import { BenchSystem } from '../support/system';
import { buildWorld, importWorld, StreamWatch } from '../support/world';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = ['employee_id', 'full_name', 'phone', 'has_smartphone', 'installed', 'bluetooth_on'];

function workerFlags(i: number): [boolean, boolean, boolean] {
  const r = (i * 2654435761) >>> 0;
  const smartphone = r % 10 < 8;
  const installed = smartphone && (r >>> 4) % 10 < 6;
  return [smartphone, installed, installed && (r >>> 8) % 10 < 7];
}

/** A roster CSV of `n` workers written to disk in large chunks (names and phones included, as the EZ board sends them). */
async function writeCsv(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADER.join(',')}\n`);
  const f = (b: boolean) => (b ? 'yes' : 'no');
  let buf: string[] = [];
  for (let i = 1; i <= n; i++) {
    const [s, inst, bt] = workerFlags(i);
    buf.push(
      `NV${String(i).padStart(8, '0')},Nguyen Van ${i},09${String((i * 7919) % 100_000_000).padStart(8, '0')},${f(s)},${f(inst)},${f(bt)}\n`,
    );
    if (buf.length === 10_000) {
      if (!out.write(buf.join(''))) await once(out, 'drain');
      buf = [];
    }
  }
  out.end(buf.join(''));
  await once(out, 'finish');
}

async function writeXlsx(path: string, n: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('Roster');
  ws.addRow(HEADER).commit();
  for (let i = 1; i <= n; i++) {
    const [s, inst, bt] = workerFlags(i);
    ws.addRow([
      `NV${String(i).padStart(8, '0')}`,
      `Nguyen Van ${i}`,
      `09${String((i * 7919) % 100_000_000).padStart(8, '0')}`,
      s ? 1 : 0,
      inst ? 1 : 0,
      bt ? 1 : 0,
    ]).commit();
  }
  ws.commit();
  await wb.commit();
}

interface Upload {
  rowsRead: number;
  rowsAccepted: number;
  seconds: number;
  peakBytes: number;
  baselineBytes: number;
  peakFrom: string;
}

/** Streams a file from disk to the upload route and follows the service's RSS meanwhile. */
async function upload(
  sys: BenchSystem,
  enterprise: string,
  asOf: string,
  path: string,
  contentType: string,
  timeoutMs: number,
): Promise<Upload> {
  const baseline = sys.memory('workforce').rss;
  const reset = sys.resetPeak('workforce');
  let sampled = baseline;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        sampled = Math.max(sampled, sys.memory('workforce').rss);
      } catch {
        return;
      }
      await sleep(100);
    }
  })();
  const t0 = performance.now();
  try {
    const r = await sys.http('workforce').request('POST', `/v1/enterprises/${enterprise}/rosters?asOf=${asOf}`, {
      raw: createReadStream(path, { highWaterMark: 256 * 1024 }),
      contentType,
      timeoutMs,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 201 && r.status !== 200) throw new Error(`upload → ${r.status} ${r.text.slice(0, 300)}`);
    const body = JSON.parse(r.text) as { rowsRead?: number; rowsAccepted: number; rowsRejected: number };
    const hwm = sys.memory('workforce').peak;
    return {
      rowsRead: body.rowsRead ?? body.rowsAccepted + body.rowsRejected,
      rowsAccepted: body.rowsAccepted,
      seconds,
      peakBytes: reset ? hwm : Math.max(sampled, sys.memory('workforce').rss),
      baselineBytes: baseline,
      peakFrom: reset ? 'VmHWM (reset before the upload)' : 'highest VmRSS sampled every 100 ms',
    };
  } finally {
    sampling = false;
    await sampler;
  }
}

const MB = 1024 * 1024;

export const rosterSection: Section = {
  name: 'roster',
  title: 'Roster import: rows/s and the workforce service’s peak RSS (CSV and XLSX streamed from disk)',
  async run(ctx: BenchContext, rows: Row[]) {
    const section = 'roster';
    const dir = mkdtempSync(join(tmpdir(), 'bz-bench-roster-'));
    const sys = await BenchSystem.create('roster', { profile: ctx.profile.filter((s) => s === 'workforce') as ['workforce'] });
    const watch = await StreamWatch.open(sys.namespace);
    try {
      const csvRows = ctx.quick ? 20_000 : 1_000_000;
      const xlsxRows = ctx.quick ? 5_000 : 200_000;
      const csvPath = join(dir, 'roster.csv');
      const xlsxPath = join(dir, 'roster.xlsx');
      ctx.log(`roster: writing ${csvRows} CSV rows and ${xlsxRows} XLSX rows to ${dir}`);
      await writeCsv(csvPath, csvRows);
      await writeXlsx(xlsxPath, xlsxRows);

      await sys.startMany(['registry', 'workforce']);
      const world = buildWorld({ districts: 1, communesPerDistrict: 1, enterprises: 3 });
      await importWorld(sys, world, 5_000, 60_000);
      await watch.waitIdle(sys, ['registry'], 120_000, 1);
      // Ready when a one-worker roster goes through for the first enterprise.
      const [probeEnt, csvEnt, xlsxEnt] = world.enterprises;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = await sys.http('workforce').request('POST', `/v1/enterprises/${probeEnt}/rosters?asOf=2020-08-25`, {
          raw: `${HEADER.join(',')}\nNV1,A,0900000000,yes,yes,yes\n`,
          contentType: 'text/csv',
        });
        if (r.status === 201 || r.status === 200) break;
        if (Date.now() > deadline) throw new Error(`workforce never accepted a roster: ${r.status} ${r.text.slice(0, 300)}`);
        await sleep(500);
      }

      const cases: Array<[string, string, string, number, string, number]> = [
        ['CSV', csvEnt, csvPath, csvRows, 'text/csv', ctx.quick ? 120_000 : 900_000],
        ['XLSX', xlsxEnt, xlsxPath, xlsxRows, XLSX_TYPE, ctx.quick ? 120_000 : 600_000],
      ];
      for (const [format, ent, path, n, type, timeoutMs] of cases) {
        const size = `${(statSync(path).size / MB).toFixed(1)} MB`;
        try {
          ctx.log(`roster: uploading ${n} rows as ${format} (${size})`);
          const u = await upload(sys, ent, '2020-08-25', path, type, timeoutMs);
          const rate = u.rowsRead / u.seconds;
          rows.push({
            section,
            measure: `${n.toLocaleString('en-US')}-row ${format} (${size}) streamed to POST /v1/enterprises/{code}/rosters`,
            value: rate,
            unit: 'rows/s',
            detail: `${u.rowsAccepted.toLocaleString('en-US')} accepted in ${u.seconds.toFixed(1)} s`,
            limit: ctx.limits.pgBulk,
            ...judge({ op: '≥', value: 100_000, text: '≥ 100,000 rows/s' }, rate),
            note:
              format === 'CSV'
                ? 'profiled on 2026-12-06 (BENCH_PROFILE=workforce, CPU of the service and of its PostgreSQL backends from /proc per upload): the service and PostgreSQL take about as much CPU per row each, side by side on the two cores with one chunk of 10,000 rows written while the next is read: the service ~9.5 µs a row (csv-parse with the three accepted delimiters and the record-size bound, the HMAC of each id from the key blocks’ states computed once), PostgreSQL ~8 µs a row for the staging insert (the heap and the (import_id, employee_hash) primary key, rows sorted by hash, a plain insert unless an id repeats)'
                : 'profiled on 2026-12-06 (BENCH_PROFILE=workforce, CPU of the service and of its PostgreSQL backends from /proc per upload): the shared strings are read first (17 MB, no row can be staged before), then the sheet XML (50 MB unpacked for 200,000 rows) scanned by the narrow tokenizer (apps/workforce/src/rosters/sources/xml-scanner.ts), cells read from their bytes; while the sheet is read the service is idle ~45% of the time, waiting for PostgreSQL’s staging insert, one chunk of 10,000 rows in flight: ~7 µs of PostgreSQL CPU a row (the heap and the (import_id, employee_hash) primary key, rows sorted by hash, a plain insert unless an id repeats) against the service’s ~10 µs a row for the whole upload (spooling, inflating, tokenizing, the HMAC of each id)',
          });
          rows.push({
            section,
            measure: `workforce peak RSS during the ${format} upload`,
            value: u.peakBytes / MB,
            unit: 'MB',
            detail: `${u.peakFrom}; ${(u.baselineBytes / MB).toFixed(0)} MB before the upload`,
            ...judge({ op: '≤', value: 300, text: '≤ 300 MB' }, u.peakBytes / MB),
          });
        } catch (err) {
          rows.push({
            section,
            measure: `${n.toLocaleString('en-US')}-row ${format} upload`,
            value: null,
            unit: 'rows/s',
            error: (err as Error).message,
          });
        }
      }
    } finally {
      await watch.close();
      await sys.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
