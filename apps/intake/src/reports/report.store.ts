import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { uuidv7 } from 'uuidv7';
import { ReportAcceptedV1, type Cohort, type EventEnvelope } from '@app/contracts';
import { EventOutbox, type Principal } from '@app/platform';
import { sameCounts, type ReportCounts } from './report-rules';

/** A report that passed every check and is ready to be stored. */
export interface CheckedReport extends ReportCounts {
  readonly orgUnitCode: string;
  readonly cohort: Cohort;
  readonly asOf: string;
}

export type WriteOutcome = { status: 'accepted' | 'unchanged'; reportId: string; revision: number };

interface HeadRow extends Partial<ReportCounts> {
  org_unit_code: string;
  cohort: string;
  as_of: string;
  revision: number;
  report_id: string | null;
}

const keyOf = (u: string, c: string, a: string) => `${u}\u0000${c}\u0000${a}`;

/**
 * Writes reports with a constant number of statements per batch (whatever its size), all in the caller's
 * transaction. The usual batch (each (unit, cohort, asOf) once): one statement upserts the heads, deciding
 * each revision in the database (a head whose counts differ, or that has no report yet, becomes
 * revision + 1 with the new report's id; an identical one is locked and left as it is) and inserts the
 * new revisions from what it returned; a second reads the unchanged heads back (only when there are
 * any); one more inserts the outbox rows. Row writes per accepted report: its head (inserted or updated
 * once), the report, the outbox row (and the relay's mark): four, not six. A batch naming a key twice
 * (each later item judged against the one before) takes the general path: lock the heads in one
 * statement, decide in memory, then one statement for the revisions and the heads.
 */
@Injectable()
export class ReportStore {
  constructor(private readonly outbox: EventOutbox) {}

  async write(m: EntityManager, principal: Principal, items: readonly CheckedReport[]): Promise<WriteOutcome[]> {
    return this.writeAs(
      m,
      items.map((it) => ({ ...it, submittedBy: principal.keyId })),
    );
  }

  /** `write` for reports of several keys at once (single reports written together): each row records its own key. */
  async writeAs(m: EntityManager, items: ReadonlyArray<CheckedReport & { readonly submittedBy: string }>): Promise<WriteOutcome[]> {
    if (items.length === 0) return [];
    const keys = new Set(items.map((it) => keyOf(it.orgUnitCode, it.cohort, it.asOf)));
    return keys.size === items.length ? this.writeDistinct(m, items) : this.writeInOrder(m, items);
  }

  /** Every item a key of its own: the heads decide the revisions in one statement. */
  private async writeDistinct(
    m: EntityManager,
    items: ReadonlyArray<CheckedReport & { readonly submittedBy: string }>,
  ): Promise<WriteOutcome[]> {
    const submittedAt = new Date().toISOString();
    const ids = items.map(() => uuidv7());
    // Heads are upserted in key order, so two batches touching the same keys queue behind each other
    // instead of deadlocking; a concurrent twin waits on the head's lock, then (READ COMMITTED) compares
    // with the committed counts and leaves the head as it is: "unchanged", no second revision.
    const written: Array<{ org_unit_code: string; cohort: string; as_of: string; revision: number; report_id: string }> = await m.query(
      `WITH v AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::uuid[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[])
           AS v(org_unit_code, cohort, as_of, report_id, headcount, smartphone_holders, installed, bluetooth_on, submitted_by)
       ), up AS (
         INSERT INTO report_heads AS h (org_unit_code, cohort, as_of, revision, report_id, headcount, smartphone_holders, installed, bluetooth_on)
         SELECT org_unit_code, cohort, as_of, 1, report_id, headcount, smartphone_holders, installed, bluetooth_on FROM v ORDER BY 1, 2, 3
         ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE
           SET revision = h.revision + 1, report_id = excluded.report_id, headcount = excluded.headcount,
               smartphone_holders = excluded.smartphone_holders, installed = excluded.installed, bluetooth_on = excluded.bluetooth_on
           WHERE h.report_id IS NULL
              OR (h.headcount, h.smartphone_holders, h.installed, h.bluetooth_on)
                 IS DISTINCT FROM (excluded.headcount, excluded.smartphone_holders, excluded.installed, excluded.bluetooth_on)
         RETURNING h.org_unit_code, h.cohort, h.as_of, h.revision, h.report_id
       ), ins AS (
         INSERT INTO reports (report_id, org_unit_code, cohort, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on, submitted_at, submitted_by)
         SELECT up.report_id, up.org_unit_code, up.cohort, up.as_of, up.revision, v.headcount, v.smartphone_holders, v.installed, v.bluetooth_on,
                $10::timestamptz, v.submitted_by
         FROM up JOIN v ON v.report_id = up.report_id
       )
       SELECT org_unit_code, cohort, as_of::text AS as_of, revision, report_id FROM up`,
      [
        items.map((r) => r.orgUnitCode),
        items.map((r) => r.cohort),
        items.map((r) => r.asOf),
        ids,
        items.map((r) => r.headcount),
        items.map((r) => r.smartphoneHolders),
        items.map((r) => r.installed),
        items.map((r) => r.bluetoothOn),
        items.map((r) => r.submittedBy),
        submittedAt,
      ],
    );
    const byKey = new Map(written.map((w) => [keyOf(w.org_unit_code, w.cohort, w.as_of), w]));
    const unchanged = items.filter((it) => !byKey.has(keyOf(it.orgUnitCode, it.cohort, it.asOf)));
    const kept = new Map<string, { revision: number; report_id: string }>();
    if (unchanged.length) {
      // Locked by the upsert above: what this reads is the committed head, and stays so until commit.
      const rows: Array<{ org_unit_code: string; cohort: string; as_of: string; revision: number; report_id: string }> = await m.query(
        `SELECT h.org_unit_code, h.cohort, h.as_of::text AS as_of, h.revision, h.report_id
         FROM report_heads h JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(org_unit_code, cohort, as_of)
           ON h.org_unit_code = k.org_unit_code AND h.cohort = k.cohort AND h.as_of = k.as_of`,
        [unchanged.map((r) => r.orgUnitCode), unchanged.map((r) => r.cohort), unchanged.map((r) => r.asOf)],
      );
      for (const r of rows) kept.set(keyOf(r.org_unit_code, r.cohort, r.as_of), r);
    }
    const outcomes: WriteOutcome[] = [];
    const inserts: Array<CheckedReport & { reportId: string; revision: number }> = [];
    for (const it of items) {
      const k = keyOf(it.orgUnitCode, it.cohort, it.asOf);
      const w = byKey.get(k);
      if (w) {
        inserts.push({ ...it, reportId: w.report_id, revision: w.revision });
        outcomes.push({ status: 'accepted', reportId: w.report_id, revision: w.revision });
      } else {
        const h = kept.get(k)!;
        outcomes.push({ status: 'unchanged', reportId: h.report_id, revision: h.revision });
      }
    }
    await this.recordEvents(m, inserts, submittedAt);
    return outcomes;
  }

  /** A batch naming some key more than once: each item judged against the revision before it, in order. */
  private async writeInOrder(
    m: EntityManager,
    items: ReadonlyArray<CheckedReport & { readonly submittedBy: string }>,
  ): Promise<WriteOutcome[]> {
    const heads = await this.lockHeads(m, items);
    const submittedAt = new Date().toISOString();
    const outcomes: WriteOutcome[] = [];
    const inserts: Array<CheckedReport & { submittedBy: string; reportId: string; revision: number }> = [];
    const changed = new Set<string>();
    for (const it of items) {
      const k = keyOf(it.orgUnitCode, it.cohort, it.asOf);
      const head = heads.get(k)!;
      if (head.revision > 0 && head.report_id && sameCounts(head as ReportCounts, it)) {
        outcomes.push({ status: 'unchanged', reportId: head.report_id, revision: head.revision });
        continue;
      }
      const next: HeadRow = { ...head, revision: head.revision + 1, report_id: uuidv7(), ...pickCounts(it) };
      heads.set(k, next);
      changed.add(k);
      inserts.push({ ...it, reportId: next.report_id!, revision: next.revision });
      outcomes.push({ status: 'accepted', reportId: next.report_id!, revision: next.revision });
    }
    if (inserts.length === 0) return outcomes;

    const finals = [...changed].map((k) => heads.get(k)!);
    // The new revisions and the heads they become, in one statement.
    await m.query(
      `WITH inserted AS (
         INSERT INTO reports (report_id, org_unit_code, cohort, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on, submitted_at, submitted_by)
         SELECT r.report_id, r.org_unit_code, r.cohort, r.as_of, r.revision, r.headcount, r.smartphone_holders, r.installed, r.bluetooth_on,
                $10::timestamptz, r.submitted_by
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $11::text[])
           AS r(report_id, org_unit_code, cohort, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on, submitted_by)
       )
       UPDATE report_heads h SET revision = v.revision, report_id = v.report_id, headcount = v.headcount,
         smartphone_holders = v.smartphone_holders, installed = v.installed, bluetooth_on = v.bluetooth_on
       FROM unnest($12::text[], $13::text[], $14::date[], $15::int[], $16::uuid[], $17::int[], $18::int[], $19::int[], $20::int[])
         AS v(org_unit_code, cohort, as_of, revision, report_id, headcount, smartphone_holders, installed, bluetooth_on)
       WHERE h.org_unit_code = v.org_unit_code AND h.cohort = v.cohort AND h.as_of = v.as_of`,
      [
        inserts.map((r) => r.reportId),
        inserts.map((r) => r.orgUnitCode),
        inserts.map((r) => r.cohort),
        inserts.map((r) => r.asOf),
        inserts.map((r) => r.revision),
        inserts.map((r) => r.headcount),
        inserts.map((r) => r.smartphoneHolders),
        inserts.map((r) => r.installed),
        inserts.map((r) => r.bluetoothOn),
        submittedAt,
        inserts.map((r) => r.submittedBy),
        finals.map((h) => h.org_unit_code),
        finals.map((h) => h.cohort),
        finals.map((h) => h.as_of),
        finals.map((h) => h.revision),
        finals.map((h) => h.report_id),
        finals.map((h) => h.headcount),
        finals.map((h) => h.smartphoneHolders),
        finals.map((h) => h.installed),
        finals.map((h) => h.bluetoothOn),
      ],
    );
    await this.recordEvents(m, inserts, submittedAt);
    return outcomes;
  }

  /** The outbox rows of the new revisions, in the same transaction (one insert per 1,000 events). */
  private async recordEvents(
    m: EntityManager,
    inserts: ReadonlyArray<CheckedReport & { reportId: string; revision: number }>,
    submittedAt: string,
  ): Promise<void> {
    const events: EventEnvelope[] = inserts.map((r) =>
      this.outbox.build(ReportAcceptedV1, r.orgUnitCode, {
        reportId: r.reportId,
        orgUnitCode: r.orgUnitCode,
        cohort: r.cohort,
        asOf: r.asOf,
        revision: r.revision,
        headcount: r.headcount,
        smartphoneHolders: r.smartphoneHolders,
        installed: r.installed,
        bluetoothOn: r.bluetoothOn,
        submittedAt,
      }),
    );
    await this.outbox.recordMany(m, events);
  }

  /**
   * Creates the missing heads and locks them all, in key order so that two batches touching the same
   * keys queue behind each other instead of deadlocking. A concurrent twin of this request waits here and
   * then sees the committed revision, so it answers "unchanged" instead of writing a second revision.
   */
  private async lockHeads(m: EntityManager, items: readonly CheckedReport[]): Promise<Map<string, HeadRow>> {
    const seen = new Map<string, CheckedReport>();
    for (const it of items) seen.set(keyOf(it.orgUnitCode, it.cohort, it.asOf), it);
    const keys = [...seen.keys()].sort();
    const params = [keys.map((k) => seen.get(k)!.orgUnitCode), keys.map((k) => seen.get(k)!.cohort), keys.map((k) => seen.get(k)!.asOf)];
    // A head that exists is "updated" to itself: ON CONFLICT DO UPDATE locks it and returns its latest
    // committed values (after waiting for a concurrent writer), which a plain SELECT … FOR UPDATE would give
    // in a second statement.
    const rows: Array<{
      org_unit_code: string;
      cohort: string;
      as_of: string;
      revision: number;
      report_id: string | null;
      headcount: number | null;
      smartphone_holders: number | null;
      installed: number | null;
      bluetooth_on: number | null;
    }> = await m.query(
      `INSERT INTO report_heads AS h (org_unit_code, cohort, as_of)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[]) ORDER BY 1, 2, 3
       ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET revision = h.revision
       RETURNING h.org_unit_code, h.cohort, h.as_of::text AS as_of, h.revision, h.report_id, h.headcount, h.smartphone_holders, h.installed, h.bluetooth_on`,
      params,
    );
    const out = new Map<string, HeadRow>();
    for (const r of rows) {
      out.set(keyOf(r.org_unit_code, r.cohort, r.as_of), {
        org_unit_code: r.org_unit_code,
        cohort: r.cohort,
        as_of: r.as_of,
        revision: r.revision,
        report_id: r.report_id,
        headcount: r.headcount ?? undefined,
        smartphoneHolders: r.smartphone_holders ?? undefined,
        installed: r.installed ?? undefined,
        bluetoothOn: r.bluetooth_on ?? undefined,
      });
    }
    return out;
  }
}

function pickCounts(c: ReportCounts): ReportCounts {
  return { headcount: c.headcount, smartphoneHolders: c.smartphoneHolders, installed: c.installed, bluetoothOn: c.bluetoothOn };
}
