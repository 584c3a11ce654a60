import { fmtNumber } from './stats';

/** The limit a figure is set against: measured in the same run. */
export interface LimitRef {
  name: string;
  value: number;
  unit: string;
}

/** One line of the benchmark table. */
export interface Row {
  section: string;
  measure: string;
  value: number | null;
  unit: string;
  /** Other figures of the same measurement (latency percentiles, RSS, backlog). */
  detail?: string;
  limit?: LimitRef;
  /** The target from the issue, as text; `met` says whether it was reached (null: not comparable). */
  target?: string;
  met?: boolean | null;
  note?: string;
  error?: string;
}

export interface Environment {
  cpus: number;
  cpuModel: string;
  node: string;
  postgres: string;
  nats: string;
  synchronousCommit: string;
  startedAt: string;
  mode: string;
  /** 1-minute load average at the start and the end: other work on the machine skews every figure. */
  load: string;
}

export function ratioOf(row: Row): number | null {
  if (!row.limit || row.value === null || !Number.isFinite(row.value) || !row.limit.value) return null;
  return row.value / row.limit.value;
}

function fmtRatio(r: number | null): string {
  if (r === null) return '–';
  if (r >= 10) return `${r.toFixed(0)}×`;
  if (r >= 0.01) return `${r.toFixed(2)}×`;
  return `${r.toExponential(1)}×`;
}

function cells(row: Row): string[] {
  const value = row.error ? 'FAILED' : `${fmtNumber(row.value, row.value !== null && row.value < 10 ? 2 : 0)} ${row.unit}`;
  const limit = row.limit ? `${row.limit.name}: ${fmtNumber(row.limit.value)} ${row.limit.unit}` : '–';
  const verdict = row.met === true ? 'met' : row.met === false ? 'missed' : '';
  return [
    row.section,
    row.measure,
    value,
    row.error ? `error: ${row.error}` : (row.detail ?? ''),
    limit,
    fmtRatio(ratioOf(row)),
    row.target ? `${row.target}${verdict ? ` (${verdict})` : ''}` : '',
  ];
}

const HEADERS = ['section', 'measure', 'figure', 'detail', 'bounding limit (same run)', 'ratio', 'target'];

/** A plain-text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const data = rows.map(cells).map((c) => c.map((x) => (x.length > 70 ? `${x.slice(0, 67)}...` : x)));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...data.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join(' | ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('-+-'), ...data.map(line)].join('\n');
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(rows: readonly Row[]): string {
  const out = [`| ${HEADERS.join(' | ')} |`, `| ${HEADERS.map(() => '---').join(' | ')} |`];
  for (const r of rows) out.push(`| ${cells(r).map(md).join(' | ')} |`);
  return out.join('\n');
}

export function environmentLines(env: Environment): string[] {
  return [
    `- Run: ${env.startedAt} (${env.mode})`,
    `- Machine: ${env.cpus} CPU(s), ${env.cpuModel}; 1-min load average ${env.load}`,
    `- Node ${env.node}`,
    `- PostgreSQL: ${env.postgres} (synchronous_commit = ${env.synchronousCommit})`,
    `- NATS server ${env.nats} (JetStream, file storage)`,
  ];
}

/** For each missed target: what holds it back, read from the ratio to its limit (and the row's own note). */
export function findings(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.met !== false) continue;
    const ratio = ratioOf(r);
    let why: string;
    if (r.unit === 'MB') why = 'memory held by the import itself (no limit of the machine is involved)';
    else if (!r.limit || ratio === null) why = 'no limit measured for it in this run';
    else if (r.unit.startsWith('ms') || r.unit.startsWith('s')) {
      why =
        ratio <= 2
          ? `within ${ratio.toFixed(1)}× of ${r.limit.name} (${fmtNumber(r.limit.value, 1)} ${r.limit.unit}): the framework on a saturated machine holds it back, not the query`
          : `${ratio.toFixed(1)}× ${r.limit.name}: the work behind the route (queries, serialisation) holds it back`;
    } else {
      why =
        ratio >= 0.5
          ? `at ${(ratio * 100).toFixed(0)}% of ${r.limit.name} (${fmtNumber(r.limit.value)} ${r.limit.unit}): that limit of the machine holds it back`
          : `at ${(ratio * 100).toFixed(1)}% of ${r.limit.name} (${fmtNumber(r.limit.value)} ${r.limit.unit}): the limit is far off, so the service's own path holds it back`;
    }
    out.push(`- **${r.section} / ${r.measure}** missed ${r.target}: ${why}.${r.note ? ` ${r.note}.` : ''}`);
  }
  return out;
}
