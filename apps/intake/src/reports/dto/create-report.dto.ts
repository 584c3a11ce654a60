import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { COHORTS, IsCalendarDate, IsCount, IsUnitCode, MAX_COUNT, type Cohort } from '@app/contracts';
import { SatisfiesCountRule } from '../../common/count.rules';
import { REPORT_COUNT_RULES } from '../report.rules';

const rule = (field: string) => {
  const r = REPORT_COUNT_RULES.find((x) => x.field === field)!;
  return SatisfiesCountRule({ parts: r.parts, limit: r.limit });
};

/** One unit's adoption figures for one cohort as of a date. */
export class CreateReportDto {
  @ApiProperty({ example: '29236', description: 'Org-unit code (GSO code for administrative units)' })
  @IsUnitCode()
  orgUnitCode!: string;

  @ApiProperty({ enum: COHORTS, example: 'residents' })
  @IsIn(COHORTS)
  cohort!: Cohort;

  @ApiProperty({ example: '2020-08-25', description: 'Date the figures describe; not in the future, not before the campaign start' })
  @IsCalendarDate()
  asOf!: string;

  @ApiProperty({ minimum: 0, maximum: MAX_COUNT, example: 1200 })
  @IsCount()
  headcount!: number;

  @ApiProperty({ minimum: 0, maximum: MAX_COUNT, example: 900, description: '≤ headcount' })
  @IsCount()
  @rule('smartphoneHolders')
  smartphoneHolders!: number;

  @ApiProperty({ minimum: 0, maximum: MAX_COUNT, example: 700, description: '≤ smartphoneHolders' })
  @IsCount()
  @rule('installed')
  installed!: number;

  @ApiProperty({ minimum: 0, maximum: MAX_COUNT, example: 650, description: '≤ installed' })
  @IsCount()
  @rule('bluetoothOn')
  bluetoothOn!: number;
}
