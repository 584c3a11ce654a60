import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignCalendar, type Principal } from '@app/platform';
import { GroupCommit, type Settled } from '../common/group-commit';
import { inTransaction } from '../common/transaction';
import { UnitDirectory } from '../common/unit-directory.service';
import { ReportChecker } from './report-checker';
import { ReportStore, type CheckedReport, type WriteOutcome } from './report.store';

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

  private readonly groups = new GroupCommit<{ principal: Principal; report: CheckedReport }, WriteOutcome>({
    maxRunning: ReportGroupWriter.MAX_RUNNING,
    maxSize: ReportGroupWriter.MAX_GROUP,
    sizeOf: () => 1,
    write: (group) => this.writeGroup(group),
  });
  /** Sizes of the last groups written (for tests: shows that reports did share transactions). */
  readonly recentGroupSizes = this.groups.recentGroupSizes;

  constructor(
    private readonly ds: DataSource,
    private readonly units: UnitDirectory,
    private readonly calendar: CampaignCalendar,
    private readonly store: ReportStore,
  ) {}

  /** Checks and writes one report; rejects with the same exception a solo write would throw. */
  write(principal: Principal, report: CheckedReport): Promise<WriteOutcome> {
    return this.groups.submit({ principal, report });
  }

  private writeGroup(group: ReadonlyArray<{ principal: Principal; report: CheckedReport }>): Promise<Array<Settled<WriteOutcome>>> {
    return inTransaction(this.ds, async (m) => {
      const checker = await ReportChecker.open(
        this.units,
        this.calendar,
        group.map((p) => p.report.orgUnitCode),
        m,
      );
      const settled = new Array<Settled<WriteOutcome>>(group.length);
      const accepted: number[] = [];
      for (const [i, p] of group.entries()) {
        const verdict = await checker.check(p.principal, p.report);
        if (verdict.ok) accepted.push(i);
        else settled[i] = { ok: false, error: verdict.refusal };
      }
      const outcomes = await this.store.writeAs(
        m,
        accepted.map((i) => group[i].report),
        accepted.map((i) => group[i].principal.keyId),
      );
      accepted.forEach((i, j) => (settled[i] = { ok: true, value: outcomes[j] }));
      return settled;
    });
  }
}
