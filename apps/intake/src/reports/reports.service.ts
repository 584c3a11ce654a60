import { ListFilter } from '../common/list-filter';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignCalendar, IdempotencyStore, type IdempotentAnswer, type IdempotentRequest, type Principal } from '@app/platform';
import { inTransaction } from '../common/transaction';
import { UnitDirectory } from '../common/unit-directory.service';
import type { BatchItemResultDto, BatchResultDto, ReportPageDto, ReportReceiptDto } from './dto/report-responses.dto';
import type { ListReportsQueryDto } from './dto/list-reports.query.dto';
import { ReportBatchWriter } from './report-batch-writer';
import { ReportChecker } from './report-checker';
import { ReportGroupWriter } from './report-group-writer';
import { ReportStore, type CheckedReport } from './report.store';

@Injectable()
export class ReportsService {
  constructor(
    private readonly ds: DataSource,
    private readonly units: UnitDirectory,
    private readonly calendar: CampaignCalendar,
    private readonly idempotency: IdempotencyStore,
    private readonly store: ReportStore,
    private readonly writer: ReportGroupWriter,
    private readonly batches: ReportBatchWriter,
  ) {}

  /** One report: 404 unknown unit, 422 retired unit / wrong cohort / date outside the campaign, 403 out of scope. */
  async submit(
    principal: Principal,
    report: CheckedReport,
    idempotency: IdempotentRequest | null,
  ): Promise<IdempotentAnswer<ReportReceiptDto>> {
    if (!idempotency) {
      // Checked and written in a transaction shared with the other single reports arriving meanwhile.
      const outcome = await this.writer.write(principal, report);
      return { status: HttpStatus.ACCEPTED, body: { reportId: outcome.reportId, revision: outcome.revision }, replayed: false };
    }
    // With a key: a transaction of its own, so that a concurrent twin waits on the key's row.
    // The checks run on the transaction's connection: one wait for the pool per request, not two.
    return inTransaction(this.ds, async (m) => {
      const checker = await ReportChecker.open(this.units, this.calendar, [report.orgUnitCode], m);
      await checker.assert(principal, report);
      return this.idempotency.once(m, idempotency, async () => {
        const [outcome] = await this.store.write(m, principal, [report]);
        return { status: HttpStatus.ACCEPTED, body: { reportId: outcome.reportId, revision: outcome.revision } };
      });
    });
  }

  /** Many reports (a JSON batch, a CSV file), each judged on its own; every valid one is written, all in one transaction (shared with concurrent batches). */
  async submitMany(
    principal: Principal,
    items: readonly unknown[],
    idempotency: IdempotentRequest | null,
  ): Promise<IdempotentAnswer<BatchResultDto>> {
    const results: BatchItemResultDto[] = new Array<BatchItemResultDto>(items.length);
    const shaped: Array<{ index: number; report: CheckedReport }> = [];
    items.forEach((item, index) => {
      const s = ReportChecker.shapeOf(item);
      if (s.ok) shaped.push({ index, report: s.report });
      else results[index] = { index, status: 'rejected', errors: s.errors };
    });

    const checker = await ReportChecker.open(
      this.units,
      this.calendar,
      shaped.map((v) => v.report.orgUnitCode),
    );
    const accepted: Array<{ index: number; report: CheckedReport }> = [];
    for (const item of shaped) {
      const verdict = await checker.check(principal, item.report);
      if (verdict.ok) accepted.push(item);
      else results[item.index] = { index: item.index, status: 'rejected', errors: verdict.errors };
    }
    // Written in a transaction shared with the batches arriving meanwhile (report-batch-writer.ts).
    return this.batches.write(
      principal,
      accepted.map((a) => a.report),
      idempotency,
      (outcomes) => {
        outcomes.forEach((o, i) => {
          const index = accepted[i].index;
          results[index] = { index, status: o.status, reportId: o.reportId, revision: o.revision };
        });
        const body: BatchResultDto = {
          accepted: results.filter((r) => r.status === 'accepted').length,
          unchanged: results.filter((r) => r.status === 'unchanged').length,
          rejected: results.filter((r) => r.status === 'rejected').length,
          results,
        };
        return { status: HttpStatus.OK, body };
      },
    );
  }

  /** Every revision, oldest date first, limited to what the key may read. */
  async list(principal: Principal, q: ListReportsQueryDto): Promise<ReportPageDto> {
    if (q.unit) await this.units.assertCanRead(principal, q.unit);
    const filter = new ListFilter()
      .add((i) => `r.org_unit_code = $${i}`, q.unit)
      .add((i) => `r.cohort = $${i}`, q.cohort)
      .add((i) => `r.as_of >= $${i}::date`, q.from)
      .add((i) => `r.as_of <= $${i}::date`, q.to)
      .readableBy(this.units, principal, 'r.org_unit_code', q.unit);
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const rows: Array<{
      report_id: string;
      org_unit_code: string;
      cohort: CheckedReport['cohort'];
      as_of: string;
      revision: number;
      latest: boolean;
      headcount: number;
      smartphone_holders: number;
      installed: number;
      bluetooth_on: number;
      submitted_at: Date;
      total: string;
    }> = await this.ds.query(
      `SELECT r.report_id, r.org_unit_code, r.cohort, r.as_of::text AS as_of, r.revision, (h.revision = r.revision) AS latest,
              r.headcount, r.smartphone_holders, r.installed, r.bluetooth_on, r.submitted_at, count(*) OVER () AS total
       FROM reports r
       JOIN report_heads h ON h.org_unit_code = r.org_unit_code AND h.cohort = r.cohort AND h.as_of = r.as_of
       ${filter.sql}
       ORDER BY r.as_of, r.org_unit_code, r.cohort, r.revision
       LIMIT ${limit} OFFSET ${offset}`,
      filter.params,
    );
    let total = rows.length ? Number(rows[0].total) : 0;
    if (rows.length === 0 && offset > 0) {
      const c: Array<{ n: string }> = await this.ds.query(`SELECT count(*) AS n FROM reports r ${filter.sql}`, filter.params);
      total = Number(c[0].n);
    }
    return {
      items: rows.map((r) => ({
        reportId: r.report_id,
        orgUnitCode: r.org_unit_code,
        cohort: r.cohort,
        asOf: r.as_of,
        revision: r.revision,
        latest: r.latest,
        headcount: r.headcount,
        smartphoneHolders: r.smartphone_holders,
        installed: r.installed,
        bluetoothOn: r.bluetooth_on,
        submittedAt: new Date(r.submitted_at).toISOString(),
      })),
      total,
      limit,
      offset,
    };
  }
}
