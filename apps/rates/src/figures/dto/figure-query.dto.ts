import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { COHORTS, IsCalendarDate, IsUnitCode, type Cohort } from '@app/contracts';

export class FigureQueryDto {
  @ApiProperty({ example: '84' }) @IsUnitCode() unit!: string;
  @ApiProperty({ enum: COHORTS, example: 'residents' }) @IsIn(COHORTS) cohort!: Cohort;
  @ApiPropertyOptional({ example: '2020-08-19', description: 'as of this day (default: the latest computed day)' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;
}
