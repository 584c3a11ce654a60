// Test fixtures for roster uploads: deterministic rosters with names and phone numbers, written as CSV or XLSX.
import { request, type ClientRequest } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { streamNames } from '@app/messaging';

export interface Worker {
  id: string;
  name: string;
  phone: string;
  smartphone: boolean;
  installed: boolean;
  bluetoothOn: boolean;
}

const SURNAMES = ['Nguyễn', 'Trần', 'Phạm', 'Huỳnh', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Ngọc', 'Quốc'];
const GIVEN = ['Tèo', 'Mười', 'Sáu', 'Hạnh', 'Tường', 'Khải', 'Nhung', 'Lộc', 'Phước', 'Thắm', 'Hiếu', 'Dũng'];

/** Worker i of a roster; `variant` shifts the flags so two rosters differ in a known way. */
export function worker(i: number, variant = 0): Worker {
  const r = (i * 2654435761 + variant * 97) >>> 0;
  const smartphone = r % 10 < 8; // 80 %
  const installed = smartphone && (r >>> 4) % 10 < 6;
  const bluetoothOn = installed && (r >>> 8) % 10 < 7;
  return {
    id: `NV${String(i).padStart(7, '0')}`,
    name: `${SURNAMES[i % SURNAMES.length]} ${MIDDLE[(i >> 3) % MIDDLE.length]} ${GIVEN[(i >> 5) % GIVEN.length]} ${toLetters(i)}`,
    phone: `09${String((i * 7919) % 100_000_000).padStart(8, '0')}`,
    smartphone,
    installed,
    bluetoothOn,
  };
}

/** A name part unique per worker, so every name is distinct ("Zeqa"), and never hex. */
function toLetters(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    s += 'qwrtyzxkvmjlpghs'[n % 16];
    n = Math.floor(n / 16);
  }
  return `Z${s}`;
}

export function aggregatesOf(workers: Iterable<Worker>) {
  const a = { headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 };
  for (const w of workers) {
    a.headcount += 1;
    if (w.smartphone) a.smartphoneHolders += 1;
    if (w.installed) a.installed += 1;
    if (w.bluetoothOn) a.bluetoothOn += 1;
  }
  return a;
}

export function* workers(n: number, variant = 0): Generator<Worker> {
  for (let i = 1; i <= n; i++) yield worker(i, variant);
}

const FLAG_STYLES: Array<(b: boolean) => string> = [
  (b) => (b ? 'có' : 'không'),
  (b) => (b ? 'x' : ''),
  (b) => (b ? '1' : '0'),
  (b) => (b ? 'Yes' : 'no'),
  (b) => (b ? 'TRUE' : 'false'),
];

export const VI_HEADER = ['Mã NV', 'Họ và tên', 'Số điện thoại', 'Có điện thoại thông minh', 'Đã cài Bluezone', 'Bật Bluetooth'];

export function csvLine(w: Worker, i: number): string {
  const f = FLAG_STYLES[i % FLAG_STYLES.length];
  return `${w.id},"${w.name}",${w.phone},${f(w.smartphone)},${f(w.installed)},${f(w.bluetoothOn)}\n`;
}

/** A whole CSV in memory (the test's copy, not the service's): Vietnamese headers, mixed flag styles, CRLF-free. */
export function rosterCsv(n: number, variant = 0): Buffer {
  const parts: string[] = ['\ufeff' + VI_HEADER.join(',') + '\n'];
  let i = 0;
  for (const w of workers(n, variant)) parts.push(csvLine(w, i++));
  return Buffer.from(parts.join(''), 'utf8');
}

/** The same roster as an .xlsx, written the way Excel does (shared strings), into a buffer. */
export async function rosterXlsx(list: Iterable<Worker>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(VI_HEADER).commit();
  let i = 0;
  for (const w of list) {
    const style = i++ % 3;
    const flag = (b: boolean): string | number | boolean | null => (style === 0 ? (b ? 'x' : null) : style === 1 ? (b ? 1 : 0) : b);
    ws.addRow([w.id, w.name, w.phone, flag(w.smartphone), flag(w.installed), flag(w.bluetoothOn)]).commit();
  }
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

export function bufferStream(buf: Buffer, chunkSize = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buf.length) return this.push(null);
      this.push(buf.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** Every event in a namespace's stream, as parsed envelopes. */
export async function streamEvents(namespace: string, natsUrl: string): Promise<Array<{ subject: string; envelope: any; raw: string }>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const name = streamNames(namespace).events;
    const info = await jsm.streams.info(name);
    const out: Array<{ subject: string; envelope: any; raw: string }> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (!m) continue;
      const raw = m.string();
      out.push({ subject: m.subject, envelope: JSON.parse(raw), raw });
    }
    return out;
  } finally {
    await nc.close();
  }
}

/**
 * A chunked CSV roster upload left open (the header is sent): `sendSome(n)` writes the next n workers, so
 * a test can stop midway (abort it with `req.destroy()`, or kill the service).
 */
export function openRosterUpload(
  baseUrl: string,
  enterprise: string,
  asOf: string,
  key: string,
): { req: ClientRequest; sendSome: (n: number) => void } {
  const req = request(`${baseUrl}/v1/enterprises/${enterprise}/rosters?asOf=${asOf}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
  });
  req.on('error', () => undefined);
  req.write(VI_HEADER.join(',') + '\n');
  // A different roster from rosterCsv's (other flags).
  let i = 1;
  const sendSome = (n: number) => {
    const lines: string[] = [];
    for (const end = i + n; i < end; i++) lines.push(csvLine(worker(i, 1), i));
    req.write(lines.join(''));
  };
  return { req, sendSome };
}
