import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCalendarDate } from '@app/contracts';

export class DateQueryDto {
  @ApiPropertyOptional({ example: '2020-08-21', description: 'The day the figures are for (default: today in Vietnam)' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;
}

export const FORMATS = ['json', 'csv'] as const;
export type ListFormat = (typeof FORMATS)[number];

/** Every list: paginated, and exportable as CSV (UTF-8 with BOM). Sort keys are whitelisted per list. */
export class ListQueryDto extends DateQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 10000, description: 'Rows per page (default 50; CSV default 10000)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ enum: FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(FORMATS)
  format?: ListFormat;
}

export function pageOf(q: ListQueryDto): { limit: number; offset: number } {
  return { limit: q.limit ?? (q.format === 'csv' ? 10000 : 50), offset: q.offset ?? 0 };
}
