import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { COHORTS, IsCalendarDate, IsUnitCode, type Cohort } from '@app/contracts';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

export class ListReportsQueryDto {
  @ApiPropertyOptional({ description: 'Only this unit (its own reports)' }) @IsOptional() @IsUnitCode() unit?: string;
  @ApiPropertyOptional({ enum: COHORTS }) @IsOptional() @IsIn(COHORTS) cohort?: Cohort;
  @ApiPropertyOptional({ description: 'asOf ≥ from' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional({ description: 'asOf ≤ to' }) @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Transform(toInt) @IsInt() @Min(0) offset?: number;
}
