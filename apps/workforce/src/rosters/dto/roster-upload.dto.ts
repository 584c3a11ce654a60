import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export class EnterpriseParamDto {
  @ApiProperty({ example: 'DN-0001', description: 'Code of an org unit of type enterprise' })
  @IsUnitCode()
  code!: string;
}

export class RosterUploadQueryDto {
  @ApiProperty({
    example: '2020-08-25',
    description: 'The date the roster is true of (YYYY-MM-DD, on the campaign calendar: not in the future, not before the campaign start)',
  })
  @IsCalendarDate()
  asOf!: string;
}

export class RosterImportParamDto {
  @ApiProperty({ description: 'Import id from the upload answer or the enterprise import list' })
  @IsUUID()
  id!: string;
}

export class RosterImportListQueryDto {
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 200 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class RejectedLineDto {
  @ApiProperty({ example: 17, description: 'Line of the CSV (row number in the XLSX sheet)' })
  line!: number;
  @ApiProperty({
    example: 'Bluetooth on without Bluezone installed',
    description: 'Never quotes the row: ids, names and phones stay private',
  })
  reason!: string;
}

export class RosterAggregatesDto {
  @ApiProperty() headcount!: number;
  @ApiProperty() smartphoneHolders!: number;
  @ApiProperty() installed!: number;
  @ApiProperty() bluetoothOn!: number;
}

export class RosterDiffDto {
  @ApiProperty({ description: 'Workers in this roster and not in the previous one' }) joined!: number;
  @ApiProperty({ description: 'Workers in the previous roster and not in this one' }) left!: number;
  @ApiProperty({ description: 'Workers in both rosters, installed now and not before' }) newlyInstalled!: number;
  @ApiProperty({ description: 'Workers in both rosters, Bluetooth on now and not before' }) newlyBluetoothOn!: number;
}

export class RosterUploadResultDto extends RosterAggregatesDto {
  @ApiProperty() importId!: string;
  @ApiProperty({ description: 'Revision of the roster for (enterprise, asOf): 1, then +1 per replacement' }) revision!: number;
  @ApiProperty() rowsRead!: number;
  @ApiProperty() rowsAccepted!: number;
  @ApiProperty() rowsRejected!: number;
  @ApiProperty({ type: [RejectedLineDto], description: 'The first 1,000 rejected lines' }) rejected!: RejectedLineDto[];
  @ApiProperty({ description: 'Rejected lines beyond the listed ones' }) rejectedNotListed!: number;
  @ApiProperty({ type: RosterDiffDto }) diff!: RosterDiffDto;
}

export class RosterImportDto {
  @ApiProperty() id!: string;
  @ApiProperty() enterpriseCode!: string;
  @ApiProperty() asOf!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) state!: 'running' | 'completed' | 'failed';
  @ApiProperty({ enum: ['csv', 'xlsx'], nullable: true }) format!: string | null;
  @ApiProperty() rowsRead!: number;
  @ApiProperty() rowsAccepted!: number;
  @ApiProperty() rowsRejected!: number;
  @ApiProperty({ type: [RejectedLineDto] }) rejected!: RejectedLineDto[];
  @ApiProperty() rejectedNotListed!: number;
  @ApiProperty({ nullable: true, description: 'Why a failed import failed' }) failure!: string | null;
  @ApiProperty({ nullable: true }) revision!: number | null;
  @ApiProperty({ type: RosterAggregatesDto, nullable: true }) aggregates!: RosterAggregatesDto | null;
  @ApiProperty({ type: RosterDiffDto, nullable: true }) diff!: RosterDiffDto | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, description: "When retention erased the upload's rows (ROSTER_RETENTION_DAYS); its counts stay" })
  rowsErasedAt!: string | null;
}
