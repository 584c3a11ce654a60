import { randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { uuidv7 } from '@app/persistence';
import { rootLogger } from '@app/platform';
import { WorkforceConfig } from '../workforce.config';
import { EmployeeHasher } from './domain/employee-hash';
import { combineHeaderRows, FIELD_LABELS, matchHeader, ROSTER_FIELDS, type ColumnMap, type RosterField } from './domain/roster-columns';
import { emptyAggregates, type RosterAggregates, type RosterDiff } from './domain/roster-diff';
import { judgeRow } from './domain/roster-row';
import {
  FLAG_BLUETOOTH,
  FLAG_INSTALLED,
  FLAG_SMARTPHONE,
  ImportNoLongerRunningError,
  type RejectedLine,
  type StagedChunk,
} from './roster-import.model';
import { RosterImportStore } from './roster-import.store';
import { csvRows } from './sources/csv-rows';
import { RosterFileError } from './sources/roster-file.error';
import { RowCounter } from './sources/roster-limits';
import type { RowBatches } from './sources/row-source';
import { sniff, UploadBody } from './sources/sniff';
import { xlsxRows } from './sources/xlsx-rows';

/** Rows staged per statement: large enough to amortise the round trip, small enough to keep memory flat. */
const CHUNK_ROWS = 10_000;
/** How many rejected lines an import keeps and answers with; the count covers them all. */
export const REJECTED_LIST_CAP = 1000;
/** Non-blank rows the header is looked for in (titles, notes and blank rows above it are read past). */
export const HEADER_SEARCH_ROWS = 10;

export interface RosterUpload {
  readonly enterpriseCode: string;
  readonly asOf: string;
  readonly keyId: string;
  readonly body: AsyncIterable<Buffer | string>;
  /** Judge the file and hold it as a preview: nothing is put in force. */
  readonly dryRun?: boolean;
}

export interface RosterImportOutcome {
  importId: string;
  /** `completed`: in force; `preview` (a dry run) and `pending` (removes too much): held until confirmed with `previewToken`. */
  state: 'completed' | 'preview' | 'pending';
  previewToken: string | null;
  /** The counts in force before (null: no roster as of that date) and the upload's own. */
  before: RosterAggregates | null;
  removalShare: number | null;
  revision: number | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejected: RejectedLine[];
  rejectedNotListed: number;
  aggregates: RosterAggregates;
  diff: RosterDiff;
}

/** An upload that ended without a roster change; `importId` lets the caller look at what was read. */
export class RosterImportFailed extends Error {
  constructor(
    readonly importId: string,
    override readonly cause: unknown,
    readonly rejected: RejectedLine[] = [],
    readonly rowsRejected = 0,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Streams a roster file into staging and puts it in force. Memory stays flat whatever the file size:
 * one chunk being built while the previous one is written, and at most REJECTED_LIST_CAP reasons.
 */
@Injectable()
export class RosterImportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'roster-import' });
  private readonly config: WorkforceConfig;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly purges = new Set<Promise<unknown>>();

  constructor(
    private readonly store: RosterImportStore,
    config: WorkforceConfig,
  ) {
    this.config = config;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.ROSTER_HMAC_SECRET)
      this.log.warn('ROSTER_HMAC_SECRET is not set: using the development default (never in production)');
    // An import left running by a crashed process never completes: fail it and drop its staging rows.
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), Math.max(1000, Math.min(30_000, this.config.ROSTER_STALE_AFTER_MS / 2)));
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.allSettled([...this.purges]);
  }

  private async sweep(): Promise<void> {
    try {
      const failed = await this.store.failStale(this.config.ROSTER_STALE_AFTER_MS);
      if (failed.length) this.log.warn({ importIds: failed }, 'roster imports interrupted by a stopped process marked failed');
      const expired = await this.store.expireHolds(this.config.ROSTER_HOLD_HOURS);
      if (expired.length) this.log.info({ importIds: expired }, 'held roster imports expired unconfirmed');
      await this.store.purge();
    } catch (err) {
      this.log.warn({ code: (err as { code?: string }).code }, 'roster sweep failed; will retry');
    }
  }

  async import(upload: RosterUpload): Promise<RosterImportOutcome> {
    const importId = uuidv7();
    const { enterpriseCode, asOf } = upload;
    await this.store.begin(importId, enterpriseCode, asOf, upload.keyId);
    const run = new ImportRun(importId, enterpriseCode, this.config.rosterHmacSecret, this.store, this.config.ROSTER_MAX_ROWS);
    const limits = { maxRows: this.config.ROSTER_MAX_ROWS, maxUnpackedBytes: this.config.ROSTER_MAX_UNPACKED_BYTES };
    const heartbeat = setInterval(
      () => void this.store.heartbeat(importId).catch(() => undefined),
      Math.max(250, this.config.ROSTER_STALE_AFTER_MS / 4),
    );
    heartbeat.unref();
    this.log.info({ importId, enterpriseCode, asOf }, 'roster import started');
    const body = new UploadBody(upload.body, this.config.ROSTER_MAX_BYTES);
    try {
      const { format, stream } = await sniff(body);
      await this.store.setFormat(importId, format);
      await run.consume(format === 'xlsx' ? xlsxRows(stream, limits) : csvRows(stream, run.rows), format === 'csv');
      if (run.rowsAccepted === 0) {
        throw new RosterFileError(422, 'noRowAccepted', { rejected: run.rowsRejected });
      }
      const token = randomBytes(24).toString('base64url');
      const done = await this.store.settle(importId, enterpriseCode, asOf, { ...run.progress(), rejected: run.rejected }, run.aggregates, {
        dryRun: upload.dryRun === true,
        maxRemovalShare: this.config.ROSTER_MAX_REMOVAL_SHARE,
        token,
      });
      for (const held of done.droppedHolds) this.purgeLater(held);
      if (done.state === 'completed' && done.supersededImportId) this.purgeLater(done.supersededImportId);
      this.log.info(
        {
          importId,
          enterpriseCode,
          asOf,
          state: done.state,
          removalShare: done.removalShare,
          revision: done.state === 'completed' ? done.revision : null,
          rowsRead: run.rowsRead,
          rowsAccepted: run.rowsAccepted,
          rowsRejected: run.rowsRejected,
          ...run.aggregates,
          ...done.diff,
        },
        done.state === 'completed' ? 'roster import completed' : `roster import held (${done.state})`,
      );
      return {
        importId,
        state: done.state,
        previewToken: done.state === 'completed' ? null : token,
        before: done.before,
        removalShare: done.removalShare,
        revision: done.state === 'completed' ? done.revision : null,
        rowsRead: run.rowsRead,
        rowsAccepted: run.rowsAccepted,
        rowsRejected: run.rowsRejected,
        rejected: run.rejected,
        rejectedNotListed: run.rowsRejected - run.rejected.length,
        aggregates: run.aggregates,
        diff: done.diff,
      };
    } catch (err) {
      const failure = describeFailure(err);
      // Only our own messages are logged: a parser's or driver's message could quote the file.
      this.log.warn(
        { importId, enterpriseCode, asOf, rowsRead: run.rowsRead, failure },
        'roster import failed; previous roster stays in force',
      );
      await this.store.fail(importId, failure, { ...run.progress(), rejected: run.rejected }).catch(() => undefined);
      this.purgeLater(importId);
      await body.discardRest();
      throw new RosterImportFailed(importId, err, run.rejected, run.rowsRejected);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Puts a held upload in force (the token of its preview); its event is the one a direct upload would publish. */
  async confirm(importId: string, token: string, keyId: string): Promise<{ revision: number }> {
    const done = await this.store.confirm(importId, token, keyId);
    if (done.supersededImportId) this.purgeLater(done.supersededImportId);
    this.log.info({ importId, revision: done.revision, ...done.diff }, 'held roster import confirmed and in force');
    return { revision: done.revision };
  }

  async reject(importId: string, keyId: string): Promise<void> {
    await this.store.reject(importId, keyId);
    this.purgeLater(importId);
    this.log.info({ importId }, 'held roster import rejected');
  }

  private purgeLater(importId: string): void {
    const p = this.store
      .purge(importId)
      .catch((err: unknown) =>
        this.log.warn({ importId, code: (err as { code?: string }).code }, 'purge of roster rows failed; the sweeper retries'),
      )
      .finally(() => this.purges.delete(p));
    this.purges.add(p);
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof RosterFileError) return err.message;
  if (err instanceof ImportNoLongerRunningError)
    return 'the import was marked failed while it ran (heartbeat lost); the previous roster stays in force';
  const code = (err as { code?: string })?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error)?.message === 'aborted') {
    return 'interrupted: the upload stopped before the end of the file; the previous roster stays in force';
  }
  return `internal error${code ? ` (${code})` : ''}; the previous roster stays in force`;
}

/**
 * Finds the header within the first HEADER_SEARCH_ROWS non-blank rows: a row naming the four columns, or two
 * rows that do together (merged cells: combineHeaderRows). Title rows above it, even ones that name a
 * column ("Danh sách cài đặt Bluezone"), are read past. When none does, the failure names the row that came
 * closest: the columns it names (header words, never a data cell) and those it lacks.
 */
class HeaderSearch {
  private seen = 0;
  private previous: string[] | null = null;
  private best: { line: number; found: Partial<Record<RosterField, number>>; cells: string[]; missing: RosterField[] } | null = null;

  get exhausted(): boolean {
    return this.seen >= HEADER_SEARCH_ROWS;
  }

  offer(line: number, cells: string[]): { columns: ColumnMap; cells: string[] } | null {
    if (cells.every((c) => c.trim() === '')) return null;
    this.seen += 1;
    const alone = matchHeader(cells);
    if (alone.kind === 'header') return { columns: alone.columns, cells };
    if (this.previous) {
      const both = combineHeaderRows(this.previous, cells);
      const together = matchHeader(both);
      if (together.kind === 'header') return { columns: together.columns, cells: both };
    }
    if (alone.kind === 'partial' && (!this.best || alone.missing.length < this.best.missing.length))
      this.best = { line, found: alone.found, cells, missing: alone.missing };
    this.previous = cells;
    return null;
  }

  failure(): RosterFileError {
    if (this.seen === 0) return new RosterFileError(422, 'fileEmpty', undefined);
    if (!this.best) return new RosterFileError(422, 'noHeader', { rows: HEADER_SEARCH_ROWS });
    const { line, found, cells, missing } = this.best;
    const named = ROSTER_FIELDS.filter((f) => found[f] !== undefined).map((f) => ({
      text: cells[found[f]!].trim().slice(0, 60),
      field: FIELD_LABELS[f],
    }));
    return new RosterFileError(422, 'headerPartial', {
      line,
      rows: HEADER_SEARCH_ROWS,
      named,
      missing: missing.map((f) => FIELD_LABELS[f]),
    });
  }
}

/** A header's width up to its last non-empty cell (Excel pads every line of a CSV with empty fields). */
function namedWidth(cells: readonly string[]): number {
  let n = cells.length;
  while (n > 0 && cells[n - 1].trim() === '') n -= 1;
  return n;
}

function newChunk(): StagedChunk {
  return {
    count: 0,
    hashes: Buffer.allocUnsafe(CHUNK_ROWS * EmployeeHasher.BYTES),
    lines: new Int32Array(CHUNK_ROWS),
    flags: new Uint8Array(CHUNK_ROWS),
  };
}

/** The state of one upload while its rows stream through. */
class ImportRun {
  rowsRead = 0;
  /** Every row but the header, blank ones too (and the title rows before it), for ROSTER_MAX_ROWS. */
  readonly rows: RowCounter;
  rowsAccepted = 0;
  rowsRejected = 0;
  readonly rejected: RejectedLine[] = [];
  readonly aggregates = emptyAggregates();
  private rejectedDirty = false;
  private readonly hasher: EmployeeHasher;
  private chunk = newChunk();
  /** The chunk of the last write, reused once that write is done (two buffers in turn). */
  private spare: StagedChunk | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly importId: string,
    enterpriseCode: string,
    secret: string,
    private readonly store: RosterImportStore,
    maxRows: number,
  ) {
    this.hasher = new EmployeeHasher(secret, enterpriseCode);
    this.rows = new RowCounter(maxRows);
  }

  progress() {
    return { rowsRead: this.rowsRead, rowsAccepted: this.rowsAccepted, rowsRejected: this.rowsRejected };
  }

  /** `fieldCounts`: the source's records have a meaningful field count (CSV), checked against the header's. */
  async consume(batches: RowBatches, fieldCounts: boolean): Promise<void> {
    let columns: ColumnMap | null = null;
    let width: number | undefined;
    const search = new HeaderSearch();
    try {
      scan: for await (const batch of batches) {
        for (const { line, cells } of batch) {
          if (!columns) {
            const found = search.offer(line, cells);
            if (found) {
              columns = found.columns;
              if (fieldCounts) width = namedWidth(found.cells);
              continue;
            }
            this.rows.add();
            if (search.exhausted) break scan;
            continue;
          }
          this.rows.add();
          const verdict = judgeRow(cells, columns, width);
          if (verdict.ok === 'blank') continue;
          this.rowsRead += 1;
          if (verdict.ok) {
            const c = this.chunk;
            const i = c.count++;
            const row = verdict.row;
            this.hasher.hashInto(row.employeeId, c.hashes, i * EmployeeHasher.BYTES);
            c.lines[i] = line;
            c.flags[i] =
              (row.hasSmartphone ? FLAG_SMARTPHONE : 0) | (row.installed ? FLAG_INSTALLED : 0) | (row.bluetoothOn ? FLAG_BLUETOOTH : 0);
            if (c.count >= CHUNK_ROWS) await this.flush();
          } else this.reject(line, verdict.reason);
        }
      }
      if (!columns) throw search.failure();
      await this.flush();
      await this.inFlight;
      if (this.rowsRead === 0) throw new RosterFileError(422, 'headerNoRows', undefined);
    } finally {
      // Never leave a chunk write running behind a failure.
      await this.inFlight?.catch(() => undefined);
    }
  }

  private reject(line: number, reason: string): void {
    this.rowsRejected += 1;
    if (this.rejected.length < REJECTED_LIST_CAP) {
      this.rejected.push({ line, reason });
      this.rejectedDirty = true;
    }
  }

  /** Writes the current chunk while the next one is being read; at most one write in flight. */
  private async flush(): Promise<void> {
    await this.inFlight;
    if (this.chunk.count === 0) return;
    const chunk = this.chunk;
    this.chunk = this.spare ?? newChunk();
    this.chunk.count = 0;
    this.spare = null;
    this.inFlight = this.write(chunk).then(() => {
      this.spare = chunk;
    });
    // A failed write surfaces at the next flush or at the end; keep it from being an unhandled rejection meanwhile.
    this.inFlight.catch(() => undefined);
  }

  private async write(chunk: StagedChunk): Promise<void> {
    const taken = await this.store.stage(this.importId, chunk);
    const counts = [0, 0, 0];
    for (let i = 0; i < chunk.count; i++) {
      const f = chunk.flags[i];
      if (f & FLAG_SMARTPHONE) counts[0] += 1;
      if (f & FLAG_INSTALLED) counts[1] += 1;
      if (f & FLAG_BLUETOOTH) counts[2] += 1;
    }
    if (taken < chunk.count) {
      // Rows whose employee was already staged (earlier in the file or in this chunk): rejected, and not counted.
      const duplicates = await this.store.duplicates(this.importId, chunk);
      const at = new Map<number, number>();
      for (let i = 0; i < chunk.count; i++) at.set(chunk.lines[i], i);
      for (const d of duplicates) {
        const f = chunk.flags[at.get(d.line)!];
        if (f & FLAG_SMARTPHONE) counts[0] -= 1;
        if (f & FLAG_INSTALLED) counts[1] -= 1;
        if (f & FLAG_BLUETOOTH) counts[2] -= 1;
        this.reject(d.line, `duplicate employee id (first on line ${d.first})`);
      }
      this.rejected.sort((a, b) => a.line - b.line);
    }
    this.aggregates.headcount += taken;
    this.aggregates.smartphoneHolders += counts[0];
    this.aggregates.installed += counts[1];
    this.aggregates.bluetoothOn += counts[2];
    this.rowsAccepted += taken;
    const dirty = this.rejectedDirty;
    this.rejectedDirty = false;
    await this.store.progress(this.importId, { ...this.progress(), rejected: dirty ? this.rejected : undefined });
  }
}
