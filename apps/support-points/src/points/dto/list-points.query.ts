import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';

export class ListPointsQuery {
  @ApiPropertyOptional({ description: 'commune code' })
  @IsOptional()
  @IsUnitCode()
  commune?: string;

  @ApiPropertyOptional({ description: 'district code: points in its communes (administrative tree)' })
  @IsOptional()
  @IsUnitCode()
  district?: string;

  @ApiPropertyOptional({ description: 'operator org-unit code' })
  @IsOptional()
  @IsUnitCode()
  operator?: string;

  @ApiPropertyOptional({ description: 'only points open on this date (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  openOn?: string;

  @QueryInt({ min: 1, max: 1000, default: 100 })
  limit?: number;

  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 })
  offset?: number;
}
