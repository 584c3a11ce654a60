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
  /** A missed target's figure within TOLERANCE of it (the issue accepts that with the profiled cause named); null: not measured as a ratio. */
  within?: boolean | null;
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

/** How far from its target a figure may be and still be accepted, with the profiled cause named (issue 15's Must show). */
export const TOLERANCE = 1.5;

/** A numeric target: the figure at least (`≥`) or at most (`≤`) `value`; `text` is how the issue states it. */
export interface Goal {
  readonly op: '≥' | '≤';
  readonly value: number;
  readonly text: string;
}

/** A row's target fields for a figure against its goal: met, or missed but within TOLERANCE, or missed (null figure: not judged). */
export function judge(goal: Goal, value: number | null): Pick<Row, 'target' | 'met' | 'within'> {
  if (value === null || !Number.isFinite(value)) return { target: goal.text, met: null, within: null };
  const met = goal.op === '≥' ? value >= goal.value : value <= goal.value;
  const within = goal.op === '≥' ? value * TOLERANCE >= goal.value : value <= goal.value * TOLERANCE;
  return { target: goal.text, met, within: met ? null : within };
}

function verdictOf(row: Row): string {
  if (row.met === true) return 'met';
  if (row.met !== false) return '';
  return row.within ? `missed, within ${TOLERANCE}×` : 'missed';
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
  const verdict = verdictOf(row);
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
export function findings(rows: readonly Row[], told = new NoteOnce()): string[] {
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
    const verdict = r.within ? ` (within ${TOLERANCE}×)` : '';
    out.push(`- **${r.section} / ${r.measure}** missed ${r.target}${verdict}: ${why}.${r.note ? ` ${told.say(r)}.` : ''}`);
  }
  return out;
}

/** A note once: a row with the same note as one before it points to that row instead of repeating it. */
export class NoteOnce {
  private readonly first = new Map<string, string>();

  say(r: Row): string {
    const note = r.note ?? '';
    const earlier = this.first.get(note);
    const name = `${r.section} / ${r.measure}`;
    // The same row told twice: in the missed targets, then in the bounds.
    if (earlier === name) return 'told under “Targets missed” above';
    if (earlier !== undefined) return `as for “${earlier}” above`;
    this.first.set(note, name);
    return note;
  }
}

/** The "what bounds each figure" list: each row's note, a repeated one pointing to its first row. */
export function bounds(rows: readonly Row[], told = new NoteOnce()): string[] {
  return rows.filter((r) => r.note).map((r) => `- ${r.section} / ${r.measure}: ${told.say(r)}`);
}

/** The run's verdict on the targets: how many were met, missed within TOLERANCE, missed by more, and which. */
export function verdicts(rows: readonly Row[]): string[] {
  const judged = rows.filter((r) => r.target && r.met !== undefined && r.met !== null);
  const met = judged.filter((r) => r.met);
  const within = judged.filter((r) => r.met === false && r.within);
  const missed = judged.filter((r) => r.met === false && !r.within);
  const name = (r: Row) => `${r.section} / ${r.measure} (${r.target})`;
  const unexplained = within.filter((r) => !r.note).length;
  return [
    `- ${judged.length} figures judged against a target: ${met.length} met, ${within.length} missed within ${TOLERANCE}× ` +
      `(${unexplained ? `${unexplained} of them with no profiled cause named` : 'each with its profiled cause named below'}), ${missed.length} missed by more.`,
    ...(within.length ? [`- Within ${TOLERANCE}×: ${within.map(name).join('; ')}.`] : []),
    ...(missed.length ? [`- Missed by more than ${TOLERANCE}×: ${missed.map(name).join('; ')}.`] : []),
  ];
}
