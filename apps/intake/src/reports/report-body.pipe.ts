import { Injectable, type PipeTransform, type Type } from '@nestjs/common';
import { createValidationPipe } from '@app/platform';
import { BatchReportsDto, MAX_BATCH_ITEMS } from './dto/batch-reports.dto';
import { CreateReportDto } from './dto/create-report.dto';
import { isPlainValidReport } from './report.rules';

/**
 * A request body that a hand-written check (unit-tested to agree with the DTO) accepts is used as it is;
 * any other goes through the global pipe's own validation of the DTO, so its 400 is exactly the one it
 * always was. The global pipe costs far more than the rest of these paths: class-validator per report,
 * and for a batch class-transformer's copy of every item (with its metadata lookups per field) before
 * the items are checked one by one anyway.
 */
export class PlainBodyPipe<T extends object> implements PipeTransform<unknown, Promise<T>> {
  private readonly full = createValidationPipe();

  constructor(
    private readonly dto: Type<T>,
    private readonly accepts: (value: unknown) => boolean,
  ) {}

  async transform(value: unknown): Promise<T> {
    if (this.accepts(value)) return value as T;
    return (await this.full.transform(value, { type: 'body', metatype: this.dto, data: undefined })) as T;
  }
}

/** The body of POST /v1/reports. */
@Injectable()
export class ReportBodyPipe extends PlainBodyPipe<CreateReportDto> {
  constructor() {
    super(CreateReportDto, isPlainValidReport);
  }
}

/** The body of POST /v1/reports/batch: `{ reports: [...] }` and nothing else, 1 to MAX_BATCH_ITEMS items (each checked by the service). */
export function isPlainBatch(value: unknown): value is BatchReportsDto {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  let n = 0;
  for (const k in value) {
    if (k !== 'reports') return false;
    n++;
  }
  const reports = (value as { reports?: unknown }).reports;
  return n === 1 && Array.isArray(reports) && reports.length >= 1 && reports.length <= MAX_BATCH_ITEMS;
}

@Injectable()
export class BatchBodyPipe extends PlainBodyPipe<BatchReportsDto> {
  constructor() {
    super(BatchReportsDto, isPlainBatch);
  }
}
