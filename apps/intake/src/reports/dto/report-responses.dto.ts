import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COHORTS, type Cohort } from '@app/contracts';
import type { FieldError } from '../../common/field-errors';

export class ReportReceiptDto {
  @ApiProperty({ format: 'uuid' }) reportId!: string;
  @ApiProperty({ minimum: 1, description: '1 for the first report of (unit, cohort, asOf); each correction adds one' }) revision!: number;
}

export class FieldErrorDto {
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
}

export const ITEM_STATUSES = ['accepted', 'unchanged', 'rejected'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export class BatchItemResultDto {
  @ApiProperty({ description: 'Position in `reports` (0-based)' }) index!: number;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: ItemStatus;
  @ApiPropertyOptional({ format: 'uuid' }) reportId?: string;
  @ApiPropertyOptional() revision?: number;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldError[];
}

export class BatchResultDto {
  @ApiProperty() accepted!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ type: [BatchItemResultDto] }) results!: BatchItemResultDto[];
}

export class ImportLineResultDto {
  @ApiProperty({ description: 'Line of the CSV file (the header is line 1)' }) line!: number;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: ItemStatus;
  @ApiPropertyOptional({ format: 'uuid' }) reportId?: string;
  @ApiPropertyOptional() revision?: number;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldError[];
}

export class ImportResultDto {
  @ApiProperty() accepted!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ type: [ImportLineResultDto] }) results!: ImportLineResultDto[];
}

export class ReportRevisionDto {
  @ApiProperty({ format: 'uuid' }) reportId!: string;
  @ApiProperty() orgUnitCode!: string;
  @ApiProperty({ enum: COHORTS }) cohort!: Cohort;
  @ApiProperty() asOf!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ description: 'false when a later revision for the same (unit, cohort, asOf) supersedes this one' }) latest!: boolean;
  @ApiProperty() headcount!: number;
  @ApiProperty() smartphoneHolders!: number;
  @ApiProperty() installed!: number;
  @ApiProperty() bluetoothOn!: number;
  @ApiProperty() submittedAt!: string;
}

export class ReportPageDto {
  @ApiProperty({ type: [ReportRevisionDto] }) items!: ReportRevisionDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
