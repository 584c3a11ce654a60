import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { CreateReportDto } from './create-report.dto';

/** Items per POST /v1/reports/batch and data lines per CSV import. */
export const MAX_BATCH_ITEMS = 10_000;

/**
 * The items are checked one by one by the service, not by the global pipe: one bad item must not sink
 * the other 9,999. The hard size cap keeps a single request bounded.
 */
export class BatchReportsDto {
  @ApiProperty({ type: [CreateReportDto], maxItems: MAX_BATCH_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  reports!: unknown[];
}
