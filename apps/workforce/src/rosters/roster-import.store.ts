import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RosterImportedV1 } from '@app/contracts';
import { EventOutbox } from '@app/platform';
import type { RosterAggregates, RosterDiff } from './domain/roster-diff';
import {
  HELD_STATES,
  HeldImportError,
  IMPORT_COLUMNS,
  ImportNoLongerRunningError,
  toRecord,
  type HoldRule,
  type ImportProgress,
  type ImportRecord,
  type ImportRow,
  type PreviousRoster,
  type RejectedLine,
  type Settled,
  type StagedChunk,
} from './roster-import.model';

/** A PostgreSQL array literal of integers (cheaper than letting the driver quote every element). */
function intArray(values: Int32Array | Uint8Array, n: number): string {
  let s = '{';
  for (let i = 0; i < n; i++) s += i === 0 ? values[i] : `,${values[i]}`;
  return `${s}}`;
}

/** Every SQL statement of roster imports. Unqualified names: the connection's search_path is the service schema. */
@Injectable()
export class RosterImportStore {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
  ) {}

  async begin(id: string, enterpriseCode: string, asOf: string, keyId: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO roster_imports (id, enterprise_code, as_of, state, started_by_key) VALUES ($1, $2, $3, 'running', $4)`,
      [id, enterpriseCode, asOf, keyId],
    );
  }

  async setFormat(id: string, format: string): Promise<void> {
    await this.ds.query(`UPDATE roster_imports SET format = $2 WHERE id = $1`, [id, format]);
  }

  /**
   * Stages a chunk with one statement: the hashes as one binary parameter (32 bytes a row), lines and flags
   * as two integer arrays, unnested server-side (one round trip per chunk, not per row). Answers how many
   * rows were taken; a row not taken repeats an employee already staged (see `duplicates`). The function
   * (migration RosterStageFunction) inserts in hash order, and skips repeats with ON CONFLICT only when a
   * plain insert meets one: the staging insert is PostgreSQL's whole share of an import's CPU.
   */
  async stage(importId: string, chunk: StagedChunk): Promise<number> {
    const n = chunk.count;
    const rows: Array<{ n: number }> = await this.ds.query(`SELECT roster_stage($1, $2, $3::int[], $4::int[]) AS n`, [
      importId,
      chunk.hashes.subarray(0, n * 32),
      intArray(chunk.lines, n),
      intArray(chunk.flags, n),
    ]);
    return rows[0].n;
  }

  /**
   * The rows of a staged chunk that were not taken, each with the line its employee was first taken from
   * (a staged row keeps its own line, so a chunk row whose hash is held under another line is a duplicate).
   */
  async duplicates(importId: string, chunk: StagedChunk): Promise<Array<{ line: number; first: number }>> {
    return this.ds.query(
      `SELECT t.l AS line, r.line AS first
       FROM unnest($3::int[]) WITH ORDINALITY AS t(l, o)
       JOIN roster_rows r ON r.import_id = $1 AND r.employee_hash = substring($2::bytea FROM (t.o::int - 1) * 32 + 1 FOR 32)
       WHERE r.line <> t.l
       ORDER BY t.l`,
      [importId, chunk.hashes.subarray(0, chunk.count * 32), intArray(chunk.lines, chunk.count)],
    );
  }

  async progress(id: string, p: ImportProgress): Promise<void> {
    await this.ds.query(
      `UPDATE roster_imports SET rows_read = $2, rows_accepted = $3, rows_rejected = $4, rejected = COALESCE($5::jsonb, rejected), heartbeat_at = now()
       WHERE id = $1 AND state = 'running'`,
      [id, p.rowsRead, p.rowsAccepted, p.rowsRejected, p.rejected ? JSON.stringify(p.rejected) : null],
    );
  }

  async heartbeat(id: string): Promise<void> {
    await this.ds.query(`UPDATE roster_imports SET heartbeat_at = now() WHERE id = $1 AND state = 'running'`, [id]);
  }

  /**
   * Ends an upload whose rows are staged, in one transaction serialised per enterprise (two uploads racing
   * each see the other's result as "previous"): the diff against the roster in force as of its date, then
   * either in force (the pointer swap, the outcome and its one event) or held (a dry run's preview, or a
   * replacement removing too much: pending) with no roster change, no event and no outbox entry. Either way
   * an older held upload of the enterprise is superseded: the newest file is the one to confirm.
   */
  async settle(
    id: string,
    enterpriseCode: string,
    asOf: string,
    p: ImportProgress & { rejected: RejectedLine[] },
    aggregates: RosterAggregates,
    rule: HoldRule,
  ): Promise<Settled> {
    return this.ds.transaction(async (m) => {
      await lockEnterprise(m, enterpriseCode);
      const state: Array<{ state: string }> = await m.query(`SELECT state FROM roster_imports WHERE id = $1 FOR UPDATE`, [id]);
      if (state[0]?.state !== 'running') throw new ImportNoLongerRunningError(`import ${id} is ${state[0]?.state ?? 'missing'}`);
      const previous = await this.previousRoster(m, enterpriseCode, asOf);
      const diff = previous
        ? await this.diff(m, id, previous.importId)
        : { joined: aggregates.headcount, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 };
      const before = previous ? aggregatesOf(previous) : null;
      const removalShare = previous ? (previous.headcount === 0 ? 0 : diff.left / previous.headcount) : null;
      const dropped: Array<{ id: string }> = await m.query(
        `UPDATE roster_imports SET state = 'superseded', decided_at = now() WHERE enterprise_code = $1 AND state IN ('preview', 'pending') AND id <> $2 RETURNING id`,
        [enterpriseCode, id],
      );
      const droppedHolds = dropped.map((r) => r.id);
      const held = rule.dryRun ? 'preview' : removalShare !== null && removalShare > rule.maxRemovalShare ? 'pending' : null;
      if (held) {
        await this.recordOutcome(m, id, {
          state: held,
          revision: null,
          token: rule.token,
          progress: p,
          aggregates,
          diff,
          previousImportId: previous?.importId ?? null,
          before,
          removalShare,
        });
        return { state: held, diff, before, removalShare, droppedHolds };
      }
      const done = await this.putInForce(m, { id, enterpriseCode, asOf, progress: p, aggregates, diff, previous, before, removalShare });
      return { ...done, droppedHolds };
    });
  }

  /**
   * Puts a held upload in force with the token of its preview, provided the roster it was judged against is
   * still the one in force (else its diff would be stale: the file is to be uploaded again).
   */
  async confirm(id: string, token: string, keyId: string): Promise<Settled & { state: 'completed' }> {
    const found: Array<{ enterprise_code: string }> = await this.ds.query(`SELECT enterprise_code FROM roster_imports WHERE id = $1`, [id]);
    if (!found[0]) throw new HeldImportError('notHeld', 'failed');
    return this.ds.transaction(async (m) => {
      await lockEnterprise(m, found[0].enterprise_code);
      const rows: ImportRow[] = await m.query(`SELECT ${IMPORT_COLUMNS} FROM roster_imports WHERE id = $1 FOR UPDATE`, [id]);
      const rec = toRecord(rows[0]);
      if (!HELD_STATES.includes(rec.state)) throw new HeldImportError('notHeld', rec.state);
      if (!rec.previewToken || !sameToken(rec.previewToken, token)) throw new HeldImportError('wrongToken', rec.state);
      const previous = await this.previousRoster(m, rec.enterpriseCode, rec.asOf);
      if ((previous?.importId ?? null) !== rows[0].previous_import_id) throw new HeldImportError('rosterChanged', rec.state);
      await m.query(`UPDATE roster_imports SET decided_by_key = $2, decided_at = now() WHERE id = $1`, [id, keyId]);
      const done = await this.putInForce(m, {
        id,
        enterpriseCode: rec.enterpriseCode,
        asOf: rec.asOf,
        progress: rec,
        aggregates: rec.aggregates!,
        diff: rec.diff!,
        previous,
        before: rec.before,
        removalShare: rec.removalShare,
      });
      return { ...done, droppedHolds: [] };
    });
  }

  /** Drops a held upload (its rows are purged after). */
  async reject(id: string, keyId: string): Promise<void> {
    const [rows]: [Array<{ id: string }>, number] = await this.ds.query(
      `UPDATE roster_imports SET state = 'rejected', decided_by_key = $2, decided_at = now() WHERE id = $1 AND state IN ('preview', 'pending') RETURNING id`,
      [id, keyId],
    );
    if (rows.length === 0) {
      const rec = await this.find(id);
      throw new HeldImportError('notHeld', rec?.state ?? 'failed');
    }
  }

  /** Held uploads nobody confirmed within `hours`: expired (their rows are purged after). */
  async expireHolds(hours: number): Promise<string[]> {
    const [rows]: [Array<{ id: string }>, number] = await this.ds.query(
      `UPDATE roster_imports SET state = 'expired', decided_at = now()
       WHERE state IN ('preview', 'pending') AND finished_at < now() - ($1::int * interval '1 hour') RETURNING id`,
      [hours],
    );
    return rows.map((r) => r.id);
  }

  private async previousRoster(m: EntityManager, enterpriseCode: string, asOf: string): Promise<PreviousRoster | null> {
    const prev: Array<{
      import_id: string;
      as_of: string;
      revision: number;
      headcount: number;
      smartphone_holders: number;
      installed: number;
      bluetooth_on: number;
    }> = await m.query(
      `SELECT import_id, as_of::text AS as_of, revision, headcount, smartphone_holders, installed, bluetooth_on
       FROM rosters WHERE enterprise_code = $1 AND as_of <= $2 ORDER BY as_of DESC LIMIT 1`,
      [enterpriseCode, asOf],
    );
    const r = prev[0];
    return r
      ? {
          importId: r.import_id,
          asOf: r.as_of,
          revision: r.revision,
          headcount: r.headcount,
          smartphoneHolders: r.smartphone_holders,
          installed: r.installed,
          bluetoothOn: r.bluetooth_on,
        }
      : null;
  }

  /** The roster in force from now on: the pointer, the import's outcome and its one event. */
  private async putInForce(
    m: EntityManager,
    u: {
      id: string;
      enterpriseCode: string;
      asOf: string;
      progress: ImportProgress & { rejected: RejectedLine[] };
      aggregates: RosterAggregates;
      diff: RosterDiff;
      previous: PreviousRoster | null;
      before: RosterAggregates | null;
      removalShare: number | null;
    },
  ): Promise<Omit<Settled & { state: 'completed' }, 'droppedHolds'>> {
    const { id, enterpriseCode, asOf, progress: p, aggregates, diff, previous } = u;
    const sameDate = previous !== null && previous.asOf === asOf;
    const revision = sameDate ? previous.revision + 1 : 1;
    await m.query(
      `INSERT INTO rosters (enterprise_code, as_of, import_id, revision, headcount, smartphone_holders, installed, bluetooth_on, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (enterprise_code, as_of) DO UPDATE SET import_id = EXCLUDED.import_id, revision = EXCLUDED.revision,
         headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
         bluetooth_on = EXCLUDED.bluetooth_on, updated_at = now()`,
      [
        enterpriseCode,
        asOf,
        id,
        revision,
        aggregates.headcount,
        aggregates.smartphoneHolders,
        aggregates.installed,
        aggregates.bluetoothOn,
      ],
    );
    if (sameDate) await m.query(`UPDATE roster_imports SET superseded = true WHERE id = $1`, [previous.importId]);
    await this.recordOutcome(m, id, {
      state: 'completed',
      revision,
      token: null,
      progress: p,
      aggregates,
      diff,
      previousImportId: previous?.importId ?? null,
      before: u.before,
      removalShare: u.removalShare,
    });
    await this.outbox.record(m, RosterImportedV1, enterpriseCode, {
      importId: id,
      enterpriseCode,
      asOf,
      revision,
      rowsAccepted: p.rowsAccepted,
      rowsRejected: p.rowsRejected,
      ...aggregates,
      ...diff,
    });
    return {
      state: 'completed',
      revision,
      diff,
      before: u.before,
      removalShare: u.removalShare,
      supersededImportId: sameDate ? previous.importId : null,
    };
  }

  /** An upload's outcome, in force or held: what it holds, what it changes, and against which roster. */
  private async recordOutcome(
    m: EntityManager,
    id: string,
    o: {
      state: 'completed' | 'preview' | 'pending';
      revision: number | null;
      token: string | null;
      progress: ImportProgress & { rejected: RejectedLine[] };
      aggregates: RosterAggregates;
      diff: RosterDiff;
      previousImportId: string | null;
      before: RosterAggregates | null;
      removalShare: number | null;
    },
  ): Promise<void> {
    const { progress: p, aggregates: a, diff: d } = o;
    await m.query(
      `UPDATE roster_imports SET state = $2, finished_at = now(), heartbeat_at = now(), revision = $3, preview_token = $4,
         rows_read = $5, rows_accepted = $6, rows_rejected = $7, rejected = $8::jsonb,
         headcount = $9, smartphone_holders = $10, installed = $11, bluetooth_on = $12,
         joined = $13, left_count = $14, newly_installed = $15, newly_bluetooth_on = $16, previous_import_id = $17,
         before_figures = $18::jsonb, removal_share = $19
       WHERE id = $1`,
      [
        id,
        o.state,
        o.revision,
        o.token,
        p.rowsRead,
        p.rowsAccepted,
        p.rowsRejected,
        JSON.stringify(p.rejected),
        a.headcount,
        a.smartphoneHolders,
        a.installed,
        a.bluetoothOn,
        d.joined,
        d.left,
        d.newlyInstalled,
        d.newlyBluetoothOn,
        o.previousImportId,
        o.before ? JSON.stringify(o.before) : null,
        o.removalShare,
      ],
    );
  }

  private async diff(m: EntityManager, id: string, previousId: string): Promise<RosterDiff> {
    const rows: Array<Record<keyof RosterDiff, string>> = await m.query(
      `SELECT count(*) FILTER (WHERE p.employee_hash IS NULL) AS "joined",
              count(*) FILTER (WHERE n.employee_hash IS NULL) AS "left",
              count(*) FILTER (WHERE n.installed AND NOT p.installed) AS "newlyInstalled",
              count(*) FILTER (WHERE n.bluetooth_on AND NOT p.bluetooth_on) AS "newlyBluetoothOn"
       FROM (SELECT employee_hash, installed, bluetooth_on FROM roster_rows WHERE import_id = $1) n
       FULL JOIN (SELECT employee_hash, installed, bluetooth_on FROM roster_rows WHERE import_id = $2) p USING (employee_hash)`,
      [id, previousId],
    );
    const r = rows[0];
    return {
      joined: Number(r.joined),
      left: Number(r.left),
      newlyInstalled: Number(r.newlyInstalled),
      newlyBluetoothOn: Number(r.newlyBluetoothOn),
    };
  }

  /** Marks an import failed (only while it is still running) with a message fit to show; its rows are purged after. */
  async fail(id: string, failure: string, p?: ImportProgress): Promise<void> {
    await this.ds.query(
      `UPDATE roster_imports SET state = 'failed', failure = $2, finished_at = now(),
         rows_read = COALESCE($3, rows_read), rows_accepted = COALESCE($4, rows_accepted), rows_rejected = COALESCE($5, rows_rejected),
         rejected = COALESCE($6::jsonb, rejected)
       WHERE id = $1 AND state = 'running'`,
      [id, failure, p?.rowsRead ?? null, p?.rowsAccepted ?? null, p?.rowsRejected ?? null, p?.rejected ? JSON.stringify(p.rejected) : null],
    );
  }

  /** Imports whose process died mid-upload: failed, so their staging is purged and they stop looking alive. */
  async failStale(staleAfterMs: number): Promise<string[]> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [Array<{ id: string }>, number] = await this.ds.query(
      `UPDATE roster_imports SET state = 'failed', failure = 'interrupted: the service stopped during the upload; the previous roster stays in force', finished_at = now()
       WHERE state = 'running' AND heartbeat_at < now() - ($1::bigint * interval '1 millisecond') RETURNING id`,
      [staleAfterMs],
    );
    return rows.map((r) => r.id);
  }

  /** Deletes the rows of failed, rejected, expired and superseded imports (a roster's rows live only as long as it is in force). */
  async purge(onlyId?: string): Promise<number> {
    const ids: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM roster_imports WHERE NOT rows_purged AND (state IN ('failed', 'rejected', 'superseded', 'expired') OR superseded) ${onlyId ? 'AND id = $1' : ''}`,
      onlyId ? [onlyId] : [],
    );
    let n = 0;
    for (const { id } of ids) {
      await this.ds.transaction(async (m) => {
        await m.query(`DELETE FROM roster_rows WHERE import_id = $1`, [id]);
        await m.query(`UPDATE roster_imports SET rows_purged = true WHERE id = $1`, [id]);
      });
      n += 1;
    }
    return n;
  }

  async find(id: string): Promise<ImportRecord | null> {
    const rows: ImportRow[] = await this.ds.query(`SELECT ${IMPORT_COLUMNS} FROM roster_imports WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** An enterprise's uploads, newest first; `held`: only those waiting for a confirmation. */
  async listFor(enterpriseCode: string, limit: number, held = false): Promise<ImportRecord[]> {
    const rows: ImportRow[] = await this.ds.query(
      `SELECT ${IMPORT_COLUMNS} FROM roster_imports WHERE enterprise_code = $1 ${held ? HELD_FILTER : ''} ORDER BY started_at DESC LIMIT $2`,
      [enterpriseCode, limit],
    );
    return rows.map(toRecord);
  }

  /** Every upload waiting for a confirmation, oldest first (bounded: one per enterprise at most). */
  async listHeld(limit: number): Promise<ImportRecord[]> {
    const rows: ImportRow[] = await this.ds.query(
      `SELECT ${IMPORT_COLUMNS} FROM roster_imports WHERE true ${HELD_FILTER} ORDER BY finished_at LIMIT $1`,
      [limit],
    );
    return rows.map(toRecord);
  }
}

const HELD_FILTER = `AND state IN ('preview', 'pending')`;

function lockEnterprise(m: EntityManager, enterpriseCode: string): Promise<unknown> {
  return m.query(`SELECT pg_advisory_xact_lock(hashtext('roster:' || $1))`, [enterpriseCode]);
}

function aggregatesOf(a: RosterAggregates): RosterAggregates {
  return { headcount: a.headcount, smartphoneHolders: a.smartphoneHolders, installed: a.installed, bluetoothOn: a.bluetoothOn };
}

/** Compares tokens in constant time (a token guessed a character at a time must not be). */
function sameToken(stored: string, given: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
