import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ReportAcceptedV1, type Cohort, type EventEnvelope } from '@app/contracts';
import { intArrayLiteral, textArrayLiteral, uuidv7 } from '@app/persistence';
import { EventOutbox, type Principal } from '@app/platform';
import type { ReportCounts } from './report.rules';

/** A report that passed every check and is ready to be stored. */
export interface CheckedReport extends ReportCounts {
  readonly orgUnitCode: string;
  readonly cohort: Cohort;
  readonly asOf: string;
}

export type WriteOutcome = { status: 'accepted' | 'unchanged'; reportId: string; revision: number };

const keyOf = (u: string, c: string, a: string) => `${u}\u0000${c}\u0000${a}`;

/**
 * Writes reports in the caller's transaction with a few statements per batch, whatever its size. Each
 * key's head decides its revision in the database: one statement upserts the heads (a head whose counts
 * differ, or that has no report yet, becomes revision + 1 with the new report's id; an identical one is
 * locked and left as it is) and inserts the new revisions from what it returned; a second reads the
 * unchanged heads back (only when there are any); one more inserts the outbox rows. A batch naming a key
 * more than once is written in rounds (round k: the k-th item of each key, judged against the round
 * before), two statements per round: as many rounds as the most repeated key, usually one or two. Row
 * writes per accepted report: its head (inserted or updated once), the report, the outbox row (numbered as it
 * is written; the relay marks how far each subject is published, not each row).
 */
@Injectable()
export class ReportStore {
  constructor(private readonly outbox: EventOutbox) {}

  /**
   * Writes the reports, and their events to the outbox; or, given `events`, adds their events to it for the caller
   * to record (`record`) at the end of its transaction, after everything else it writes (enqueueEvents: last).
   */
  async write(m: EntityManager, principal: Principal, items: readonly CheckedReport[], events?: EventEnvelope[]): Promise<WriteOutcome[]> {
    return this.writeAs(
      m,
      items,
      items.map(() => principal.keyId),
      events,
    );
  }

  /** `write` for reports of several keys at once (single reports written together): `submittedBy[i]` is the key of `items[i]`. */
  async writeAs(
    m: EntityManager,
    items: readonly CheckedReport[],
    submittedBy: readonly string[],
    events?: EventEnvelope[],
  ): Promise<WriteOutcome[]> {
    if (items.length === 0) return [];
    const submittedAt = new Date().toISOString();
    const keys = items.map((it) => keyOf(it.orgUnitCode, it.cohort, it.asOf));
    // Round k holds the k-th item of each key, so that every round names a key at most once and each item
    // is judged against the one before it (written by the round before, in this transaction).
    const rounds: number[][] = [];
    const seen = new Map<string, number>();
    keys.forEach((k, i) => {
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      (rounds[n] ??= []).push(i);
    });
    const outcomes = new Array<WriteOutcome>(items.length);
    for (const round of rounds) {
      const written = await this.writeDistinct(m, items, submittedBy, keys, round, submittedAt);
      round.forEach((index, j) => (outcomes[index] = written[j]));
    }
    // The events of the new revisions, in the order of the items.
    const built: EventEnvelope[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'accepted') built.push(this.eventOf(items[i], o, submittedAt));
    });
    if (events) events.push(...built);
    else await this.record(m, built);
    return outcomes;
  }

  /** Records events in the outbox, in the caller's transaction (one insert per call, whatever the count). */
  async record(m: EntityManager, events: readonly EventEnvelope[]): Promise<void> {
    await this.outbox.recordMany(m, events);
  }

  /** The items `round` names, every one a key of its own: the heads decide the revisions in one statement. */
  private async writeDistinct(
    m: EntityManager,
    all: readonly CheckedReport[],
    submittedBy: readonly string[],
    allKeys: readonly string[],
    round: readonly number[],
    submittedAt: string,
  ): Promise<WriteOutcome[]> {
    const items = round.length === all.length ? all : round.map((i) => all[i]);
    const keys = round.length === all.length ? allKeys : round.map((i) => allKeys[i]);
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
        textArrayLiteral(items.map((r) => r.orgUnitCode)),
        textArrayLiteral(items.map((r) => r.cohort)),
        textArrayLiteral(items.map((r) => r.asOf)),
        textArrayLiteral(ids),
        intArrayLiteral(items.map((r) => r.headcount)),
        intArrayLiteral(items.map((r) => r.smartphoneHolders)),
        intArrayLiteral(items.map((r) => r.installed)),
        intArrayLiteral(items.map((r) => r.bluetoothOn)),
        textArrayLiteral(round.length === all.length ? submittedBy : round.map((i) => submittedBy[i])),
        submittedAt,
      ],
    );
    const byKey = new Map(written.map((w) => [keyOf(w.org_unit_code, w.cohort, w.as_of), w]));
    const unchanged = items.filter((_, j) => !byKey.has(keys[j]));
    const kept = new Map<string, { revision: number; report_id: string }>();
    if (unchanged.length) {
      // Locked by the upsert above: what this reads is the committed head, and stays so until commit.
      const rows: Array<{ org_unit_code: string; cohort: string; as_of: string; revision: number; report_id: string }> = await m.query(
        `SELECT h.org_unit_code, h.cohort, h.as_of::text AS as_of, h.revision, h.report_id
         FROM report_heads h JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(org_unit_code, cohort, as_of)
           ON h.org_unit_code = k.org_unit_code AND h.cohort = k.cohort AND h.as_of = k.as_of`,
        [
          textArrayLiteral(unchanged.map((r) => r.orgUnitCode)),
          textArrayLiteral(unchanged.map((r) => r.cohort)),
          textArrayLiteral(unchanged.map((r) => r.asOf)),
        ],
      );
      for (const r of rows) kept.set(keyOf(r.org_unit_code, r.cohort, r.as_of), r);
    }
    return keys.map((k): WriteOutcome => {
      const w = byKey.get(k);
      if (w) return { status: 'accepted', reportId: w.report_id, revision: w.revision };
      const h = kept.get(k)!;
      return { status: 'unchanged', reportId: h.report_id, revision: h.revision };
    });
  }

  /** The event of a new revision. */
  private eventOf(r: CheckedReport, o: WriteOutcome, submittedAt: string): EventEnvelope {
    return this.outbox.build(ReportAcceptedV1, r.orgUnitCode, {
      reportId: o.reportId,
      orgUnitCode: r.orgUnitCode,
      cohort: r.cohort,
      asOf: r.asOf,
      revision: o.revision,
      headcount: r.headcount,
      smartphoneHolders: r.smartphoneHolders,
      installed: r.installed,
      bluetoothOn: r.bluetoothOn,
      submittedAt,
    });
  }
}
