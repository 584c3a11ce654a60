import { HttpStatus, Injectable } from '@nestjs/common';
import { idempotentRequest, ProblemException, type IdempotentAnswer, type Principal } from '@app/platform';
import type { Cohort } from '@app/contracts';
import { MAX_BATCH_ITEMS } from '../reports/dto/batch-reports.dto';
import { ReportsService } from '../reports/reports.service';
import { assembleReports, type DataValue, type PeriodFormat } from './data-values';
import type { ExchangeImportResultDto, ExchangeReportResultDto } from './dto/exchange-import.dto';
import { EXCHANGE_MESSAGES, say, type Lang } from './exchange-messages';
import { ExchangeMappingStore } from './exchange-mapping.store';

/** Data values a file may hold: every count of as many reports as a batch. */
export const MAX_DATA_VALUES = MAX_BATCH_ITEMS * 4;

/**
 * ADX and dataValueSets imports: the data values become report items (data values grouped per unit, cohort
 * and day through the mapping table) and go to the batch's own `submitMany`, so they are checked by the same
 * ReportChecker, written by the same writer in one transaction, answered with the same per-item errors and
 * kept under the same Idempotency-Key rules as POST /v1/reports/batch.
 */
@Injectable()
export class ExchangeImportService {
  constructor(
    private readonly mapping: ExchangeMappingStore,
    private readonly reports: ReportsService,
  ) {}

  async import(
    principal: Principal,
    values: readonly DataValue[],
    format: PeriodFormat,
    idempotencyKey: string | undefined,
    lang: Lang,
  ): Promise<IdempotentAnswer<ExchangeImportResultDto>> {
    const mapping = await this.mapping.forImport(values.map((v) => v.orgUnit));
    const { reports, unplaced } = assembleReports(values, mapping, format, lang);
    if (reports.length > MAX_BATCH_ITEMS) {
      const detail = say(EXCHANGE_MESSAGES.tooManyReports, lang, { max: MAX_BATCH_ITEMS });
      throw new ProblemException(413, detail, [{ field: 'body', message: detail }]);
    }
    const sent = reports.filter((r) => r.errors.length === 0);
    const request = idempotentRequest(principal, `intake:reports/${format}`, idempotencyKey, () => ({
      reports: reports.map((r) => ({ item: r.item, errors: r.errors })),
      unplaced,
    }));
    const answer = await this.reports.submitMany(
      principal,
      sent.map((r) => r.item),
      request,
    );
    const byItem = new Map(sent.map((r, i) => [r, answer.body.results[i]]));
    const results = reports.map((r, index): ExchangeReportResultDto => {
      const head = {
        index,
        orgUnit: r.orgUnit,
        period: r.period,
        orgUnitCode: r.item.orgUnitCode as string,
        cohort: r.item.cohort as Cohort,
        asOf: r.item.asOf as string,
      };
      const out = byItem.get(r);
      if (!out) return { ...head, status: 'rejected', errors: r.errors };
      const { index: _batchIndex, ...rest } = out;
      return { ...head, ...rest };
    });
    return {
      status: HttpStatus.OK,
      replayed: answer.replayed,
      body: {
        accepted: results.filter((r) => r.status === 'accepted').length,
        unchanged: results.filter((r) => r.status === 'unchanged').length,
        rejected: results.filter((r) => r.status === 'rejected').length,
        results,
        unplaced,
      },
    };
  }
}
