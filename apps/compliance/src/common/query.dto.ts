import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate } from '@app/contracts';
import { LANGS, type Lang } from '@app/domain';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';

export class DateQueryDto {
  @ApiPropertyOptional({
    example: '2020-08-21',
    description: 'The day the figures are for (default: the latest campaign day on which something was reported)',
  })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({ enum: LANGS, description: 'Language of names and labels (default: from Accept-Language, else Vietnamese)' })
  @IsOptional()
  @IsIn(LANGS)
  lang?: Lang;
}

export const FORMATS = ['json', 'csv'] as const;
export type ListFormat = (typeof FORMATS)[number];

/** Every list: paginated, and exportable as CSV (UTF-8 with BOM). Sort keys are whitelisted per list. */
export class ListQueryDto extends DateQueryDto {
  @QueryInt({ min: 1, max: 10000, description: 'Rows per page (default 50; CSV default 10000)' })
  limit?: number;

  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 })
  offset?: number;

  @ApiPropertyOptional({ enum: FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(FORMATS)
  format?: ListFormat;
}

export function pageOf(q: ListQueryDto): { limit: number; offset: number } {
  return { limit: q.limit ?? (q.format === 'csv' ? 10000 : 50), offset: q.offset ?? 0 };
}
