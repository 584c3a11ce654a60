import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RosterImportedV1 } from '@app/contracts';
import { EventOutbox } from '@app/platform';
import type { RosterAggregates, RosterDiff } from './domain/roster-diff';

/** Rows staged together, column by column: 32-byte hashes back to back, lines, and flags (bit 0 smartphone, 1 installed, 2 Bluetooth on). */
export interface StagedChunk {
  count: number;
  hashes: Buffer;
  lines: Int32Array;
  flags: Uint8Array;
}

export const FLAG_SMARTPHONE = 1;
export const FLAG_INSTALLED = 2;
export const FLAG_BLUETOOTH = 4;

/** A PostgreSQL array literal of integers (cheaper than letting the driver quote every element). */
function intArray(values: Int32Array | Uint8Array, n: number): string {
  let s = '{';
  for (let i = 0; i < n; i++) s += i === 0 ? values[i] : `,${values[i]}`;
  return `${s}}`;
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportProgress {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Set when the capped list changed since the last write. */
  rejected?: RejectedLine[];
}

export interface ImportRecord {
  id: string;
  enterpriseCode: string;
  asOf: string;
  state: 'running' | 'completed' | 'failed';
  format: string | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejected: RejectedLine[];
  failure: string | null;
  revision: number | null;
  aggregates: RosterAggregates | null;
  diff: RosterDiff | null;
  startedAt: string;
  finishedAt: string | null;
  rowsErasedAt: string | null;
}

export class ImportNoLongerRunningError extends Error {}

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
   * rows were taken; a row not taken repeats an employee already staged (see `duplicates`).
   */
  async stage(importId: string, chunk: StagedChunk): Promise<number> {
    const n = chunk.count;
    const rows: Array<{ n: number }> = await this.ds.query(
      `WITH ins AS (
         INSERT INTO roster_rows (import_id, employee_hash, line, has_smartphone, installed, bluetooth_on)
         SELECT $1, substring($2::bytea FROM (t.o::int - 1) * 32 + 1 FOR 32), t.l, (t.f & 1) <> 0, (t.f & 2) <> 0, (t.f & 4) <> 0
         FROM unnest($3::int[], $4::int[]) WITH ORDINALITY AS t(l, f, o)
         ON CONFLICT (import_id, employee_hash) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [importId, chunk.hashes.subarray(0, n * 32), intArray(chunk.lines, n), intArray(chunk.flags, n)],
    );
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
   * Puts the staged roster in force, in one transaction: the pointer swap, the diff against the previous
   * roster, the import's outcome and its one event. Serialised per enterprise, so two uploads racing
   * each see the other's result as "previous".
   */
  async complete(
    id: string,
    enterpriseCode: string,
    asOf: string,
    p: ImportProgress & { rejected: RejectedLine[] },
    aggregates: RosterAggregates,
  ): Promise<{ revision: number; diff: RosterDiff; supersededImportId: string | null }> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('roster:' || $1))`, [enterpriseCode]);
      const state: Array<{ state: string }> = await m.query(`SELECT state FROM roster_imports WHERE id = $1 FOR UPDATE`, [id]);
      if (state[0]?.state !== 'running') throw new ImportNoLongerRunningError(`import ${id} is ${state[0]?.state ?? 'missing'}`);
      const prev: Array<{ import_id: string; as_of: string; revision: number }> = await m.query(
        `SELECT import_id, as_of::text AS as_of, revision FROM rosters WHERE enterprise_code = $1 AND as_of <= $2 ORDER BY as_of DESC LIMIT 1`,
        [enterpriseCode, asOf],
      );
      const previous = prev[0] ?? null;
      const diff = previous
        ? await this.diff(m, id, previous.import_id)
        : { joined: aggregates.headcount, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 };
      const sameDate = previous !== null && previous.as_of === asOf;
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
      if (sameDate) await m.query(`UPDATE roster_imports SET superseded = true WHERE id = $1`, [previous.import_id]);
      await m.query(
        `UPDATE roster_imports SET state = 'completed', finished_at = now(), heartbeat_at = now(), revision = $2,
           rows_read = $3, rows_accepted = $4, rows_rejected = $5, rejected = $6::jsonb,
           headcount = $7, smartphone_holders = $8, installed = $9, bluetooth_on = $10,
           joined = $11, left_count = $12, newly_installed = $13, newly_bluetooth_on = $14, previous_import_id = $15
         WHERE id = $1`,
        [
          id,
          revision,
          p.rowsRead,
          p.rowsAccepted,
          p.rowsRejected,
          JSON.stringify(p.rejected),
          aggregates.headcount,
          aggregates.smartphoneHolders,
          aggregates.installed,
          aggregates.bluetoothOn,
          diff.joined,
          diff.left,
          diff.newlyInstalled,
          diff.newlyBluetoothOn,
          previous?.import_id ?? null,
        ],
      );
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
      return { revision, diff, supersededImportId: sameDate ? previous.import_id : null };
    });
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

  /** Deletes the rows of failed and superseded imports (a roster's rows live only as long as it is in force). */
  async purge(onlyId?: string): Promise<number> {
    const ids: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM roster_imports WHERE NOT rows_purged AND (state = 'failed' OR superseded) ${onlyId ? 'AND id = $1' : ''}`,
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

  async listFor(enterpriseCode: string, limit: number): Promise<ImportRecord[]> {
    const rows: ImportRow[] = await this.ds.query(
      `SELECT ${IMPORT_COLUMNS} FROM roster_imports WHERE enterprise_code = $1 ORDER BY started_at DESC LIMIT $2`,
      [enterpriseCode, limit],
    );
    return rows.map(toRecord);
  }
}

const IMPORT_COLUMNS = `id, enterprise_code, as_of::text AS as_of, state, format, rows_read, rows_accepted, rows_rejected, rejected, failure, revision,
  headcount, smartphone_holders, installed, bluetooth_on, joined, left_count, newly_installed, newly_bluetooth_on, started_at, finished_at, rows_erased_at`;

interface ImportRow {
  id: string;
  enterprise_code: string;
  as_of: string;
  state: ImportRecord['state'];
  format: string | null;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rejected: RejectedLine[];
  failure: string | null;
  revision: number | null;
  headcount: number | null;
  smartphone_holders: number | null;
  installed: number | null;
  bluetooth_on: number | null;
  joined: number | null;
  left_count: number | null;
  newly_installed: number | null;
  newly_bluetooth_on: number | null;
  started_at: Date;
  finished_at: Date | null;
  rows_erased_at: Date | null;
}

function toRecord(r: ImportRow): ImportRecord {
  return {
    id: r.id,
    enterpriseCode: r.enterprise_code,
    asOf: r.as_of,
    state: r.state,
    format: r.format,
    rowsRead: r.rows_read,
    rowsAccepted: r.rows_accepted,
    rowsRejected: r.rows_rejected,
    rejected: r.rejected,
    failure: r.failure,
    revision: r.revision,
    aggregates:
      r.headcount === null
        ? null
        : {
            headcount: r.headcount,
            smartphoneHolders: r.smartphone_holders ?? 0,
            installed: r.installed ?? 0,
            bluetoothOn: r.bluetooth_on ?? 0,
          },
    diff:
      r.joined === null
        ? null
        : {
            joined: r.joined,
            left: r.left_count ?? 0,
            newlyInstalled: r.newly_installed ?? 0,
            newlyBluetoothOn: r.newly_bluetooth_on ?? 0,
          },
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    rowsErasedAt: r.rows_erased_at ? r.rows_erased_at.toISOString() : null,
  };
}
