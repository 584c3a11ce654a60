import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { COHORTS, IsCalendarDate, IsCount, IsUnitCode, type Cohort } from '@app/contracts';

export class CohortParams {
  @ApiProperty({ example: '84' }) @IsUnitCode() code!: string;
  @ApiProperty({ enum: COHORTS }) @IsIn(COHORTS) cohort!: Cohort;
}

export class SetCohortDto {
  @ApiProperty({ example: 1009168 }) @IsCount() headcount!: number;
  @ApiProperty({
    example: '2019-04-01',
    description:
      'the date the headcount is true on (not in the future, at most ten years before the campaign start); a later asOf supersedes',
  })
  @IsCalendarDate()
  asOf!: string;
}
