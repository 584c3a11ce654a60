import { Injectable, type PipeTransform } from '@nestjs/common';
import { createValidationPipe } from '@app/platform';
import { CreateReportDto } from './dto/create-report.dto';
import { isPlainValidReport } from './report.rules';

/**
 * The body of POST /v1/reports: a body that passes `isPlainValidReport` (the batch fast path, unit-tested
 * to agree with CreateReportDto) is used as it is; any other goes through the global pipe's own validation
 * of CreateReportDto, so its 400 is exactly the one it always was. class-validator costs far more per
 * request than the rest of the checks on this path.
 */
@Injectable()
export class ReportBodyPipe implements PipeTransform<unknown, Promise<CreateReportDto>> {
  private readonly full = createValidationPipe();

  async transform(value: unknown): Promise<CreateReportDto> {
    if (isPlainValidReport(value)) return value as CreateReportDto;
    return (await this.full.transform(value, { type: 'body', metatype: CreateReportDto, data: undefined })) as CreateReportDto;
  }
}
