import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COHORTS, type Cohort } from '@app/contracts';
import type { FieldError } from '../../common/field-errors';
import { FieldErrorDto, ITEM_STATUSES, type ItemStatus } from '../../reports/dto/report-responses.dto';

export class ExchangeReportResultDto {
  @ApiProperty({ description: 'Position among the reports the file holds (0-based), in the order first met' }) index!: number;
  @ApiProperty({ description: "The file's org unit code" }) orgUnit!: string;
  @ApiProperty({ description: "The file's period (ADX 2020-08-25/P1D, DHIS2 20200825)" }) period!: string;
  @ApiProperty({ description: 'Our unit code (the mapping table, or the code itself)' }) orgUnitCode!: string;
  @ApiProperty({ enum: COHORTS }) cohort!: Cohort;
  @ApiProperty() asOf!: string;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: ItemStatus;
  @ApiPropertyOptional({ format: 'uuid' }) reportId?: string;
  @ApiPropertyOptional() revision?: number;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: "The same errors as a /v1/reports/batch item's" }) errors?: FieldError[];
}

export class UnplacedValueDto {
  @ApiProperty({ example: 'group 2, dataValue 3 (line 14)' }) at!: string;
  @ApiProperty() orgUnit!: string;
  @ApiProperty() period!: string;
  @ApiProperty() dataElement!: string;
  @ApiProperty({ type: [FieldErrorDto] }) errors!: FieldError[];
}

export class ExchangeImportResultDto {
  @ApiProperty() accepted!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty({ description: 'Reports rejected (data values that could not be placed are counted in `unplaced`)' }) rejected!: number;
  @ApiProperty({ type: [ExchangeReportResultDto] }) results!: ExchangeReportResultDto[];
  @ApiProperty({
    type: [UnplacedValueDto],
    description: 'Data values that belong to no report: unmapped data element, not a single day, missing attributes',
  })
  unplaced!: UnplacedValueDto[];
}
