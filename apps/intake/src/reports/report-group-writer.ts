import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignCalendar, type Principal } from '@app/platform';
import { inTransaction } from '../common/transaction';
import { UnitDirectory } from '../common/unit-directory.service';
import { ReportChecker } from './report-checker';
import { ReportStore, type CheckedReport, type WriteOutcome } from './report.store';

interface Pending {
  readonly principal: Principal;
  readonly report: CheckedReport;
  readonly resolve: (o: WriteOutcome) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit for single reports (POST /v1/reports without an Idempotency-Key). A report is checked and
 * written in a transaction shared with the reports that arrived while the previous transactions were
 * running: alone when the service is quiet, many to a transaction under load. Each request still gets
 * its own answer only once its report (with its outbox event) is committed, and its own 404 / 422 / 403,
 * which keeps it out of the write without touching the others. The transactions are the batch path's:
 * heads locked in key order, revisions decided in order of arrival (two identical reports in one group:
 * the second is "unchanged"), one outbox insert. Why it pays: a transaction that writes outbox rows also
 * NOTIFYs the relay, and PostgreSQL commits notifying transactions one at a time (a cluster-wide lock held
 * through the commit's WAL flush), so one report per transaction caps single reports at the disk's flush
 * rate whatever the pool size.
 */
@Injectable()
export class ReportGroupWriter {
  /** Transactions in flight at once; the reports arriving meanwhile wait for the next one. */
  static readonly MAX_RUNNING = 2;
  /** Reports per transaction at most. */
  static readonly MAX_GROUP = 500;

  private readonly queue: Pending[] = [];
  private running = 0;
  /** Sizes of the last groups written (for tests: shows that reports did share transactions). */
  readonly recentGroupSizes: number[] = [];

  constructor(
    private readonly ds: DataSource,
    private readonly units: UnitDirectory,
    private readonly calendar: CampaignCalendar,
    private readonly store: ReportStore,
  ) {}

  /** Checks and writes one report; rejects with the same exception a solo write would throw. */
  write(principal: Principal, report: CheckedReport): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ principal, report, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < ReportGroupWriter.MAX_RUNNING && this.queue.length > 0) {
      const group = this.queue.splice(0, ReportGroupWriter.MAX_GROUP);
      this.running++;
      void this.flush(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async flush(group: Pending[]): Promise<void> {
    this.recentGroupSizes.push(group.length);
    if (this.recentGroupSizes.length > 100) this.recentGroupSizes.shift();
    let refused: Map<Pending, unknown>;
    let written: Array<{ p: Pending; outcome: WriteOutcome }>;
    try {
      ({ refused, written } = await inTransaction(this.ds, async (m) => {
        const checker = await ReportChecker.open(
          this.units,
          this.calendar,
          group.map((p) => p.report.orgUnitCode),
          m,
        );
        const refusedNow = new Map<Pending, unknown>();
        const accepted: Pending[] = [];
        for (const p of group) {
          const verdict = await checker.check(p.principal, p.report);
          if (verdict.ok) accepted.push(p);
          else refusedNow.set(p, verdict.refusal);
        }
        const outcomes = await this.store.writeAs(
          m,
          accepted.map((p) => ({ ...p.report, submittedBy: p.principal.keyId })),
        );
        return { refused: refusedNow, written: accepted.map((p, i) => ({ p, outcome: outcomes[i] })) };
      }));
    } catch (err) {
      // A failure of the shared transaction (not a refusal: those are per report) must not fail the
      // others' requests with it: each is tried again in a transaction of its own.
      if (group.length > 1) {
        for (const p of group) await this.flush([p]);
        return;
      }
      for (const p of group) p.reject(err);
      return;
    }
    for (const [p, err] of refused) p.reject(err);
    for (const { p, outcome } of written) p.resolve(outcome);
  }
}
