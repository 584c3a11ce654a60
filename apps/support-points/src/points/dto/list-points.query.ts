import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';

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

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
