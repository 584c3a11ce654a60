import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { COHORTS, IsCalendarDate, IsUnitCode, type Cohort } from '@app/contracts';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';

export class ListReportsQueryDto {
  @ApiPropertyOptional({ description: 'Only this unit (its own reports)' }) @IsOptional() @IsUnitCode() unit?: string;
  @ApiPropertyOptional({ enum: COHORTS }) @IsOptional() @IsIn(COHORTS) cohort?: Cohort;
  @ApiPropertyOptional({ description: 'asOf ≥ from' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional({ description: 'asOf ≤ to' }) @IsOptional() @IsCalendarDate() to?: string;
  @QueryInt({ min: 1, max: 1000, default: 100 }) limit?: number;
  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 }) offset?: number;
}
