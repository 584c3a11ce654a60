import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

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

  @ApiPropertyOptional({
    default: false,
    description:
      'Judge the file and answer what it would change (rows accepted and refused, joined/left, counts before and after) without changing the roster: ' +
      'the answer is a preview (state "preview") with a token that confirms it',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : value === 'true' || value === '1' || value === true))
  @IsBoolean()
  dryRun?: boolean;
}

export class HeldImportListQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Only the uploads waiting for a confirmation (preview or pending)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : value === 'true' || value === '1' || value === true))
  @IsBoolean()
  held?: boolean;
}

export class ConfirmHeldImportDto {
  @ApiProperty({ description: 'The previewToken of the upload answer (or of GET /v1/roster-imports/{id} for an EZ-board key)' })
  @IsString()
  @Length(8, 200)
  previewToken!: string;
}

export class RosterImportParamDto {
  @ApiProperty({ description: 'Import id from the upload answer or the enterprise import list' })
  @IsUUID()
  id!: string;
}

export class RosterImportListQueryDto extends HeldImportListQueryDto {
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

const HOLD_STATES_DOC =
  '"completed": in force; "preview": a dry run, nothing changed; "pending": removes more than ROSTER_MAX_REMOVAL_SHARE of the previous roster, nothing changed until confirmed';

export class RosterFiguresDto {
  @ApiProperty({
    type: RosterAggregatesDto,
    nullable: true,
    description: "The enterprise's counts in force as of the date (null: no roster yet)",
  })
  before!: RosterAggregatesDto | null;
  @ApiProperty({ type: RosterAggregatesDto, description: "The upload's counts (rows refused are in neither: see rowsRejected)" })
  after!: RosterAggregatesDto;
}

export class RosterUploadResultDto extends RosterAggregatesDto {
  @ApiProperty() importId!: string;
  @ApiProperty({ enum: ['completed', 'preview', 'pending'], description: HOLD_STATES_DOC }) state!: 'completed' | 'preview' | 'pending';
  @ApiProperty({ nullable: true, description: 'Confirms this preview (POST /v1/roster-imports/{id}/confirm); null once in force' })
  previewToken!: string | null;
  @ApiProperty({ nullable: true, description: 'What the answer means for the roster (Accept-Language: vi or en); null when in force' })
  message!: string | null;
  @ApiProperty({ type: RosterFiguresDto }) figures!: RosterFiguresDto;
  @ApiProperty({ nullable: true, description: 'Share of the previous roster this upload removes (left ÷ previous headcount)' })
  removalShare!: number | null;
  @ApiProperty({
    nullable: true,
    description: 'Revision of the roster for (enterprise, asOf): 1, then +1 per replacement; null while held',
  })
  revision!: number | null;
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
  @ApiProperty({
    enum: ['running', 'completed', 'failed', 'preview', 'pending', 'rejected', 'superseded', 'expired'],
    description: HOLD_STATES_DOC,
  })
  state!: 'running' | 'completed' | 'failed' | 'preview' | 'pending' | 'rejected' | 'superseded' | 'expired';
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
  @ApiProperty({ type: RosterAggregatesDto, nullable: true, description: 'The counts in force when the upload was judged' })
  before!: RosterAggregatesDto | null;
  @ApiProperty({ nullable: true }) removalShare!: number | null;
  @ApiProperty({
    nullable: true,
    description: "A held upload's confirmation token, shown to those who may confirm it (an EZ-board key in scope, an admin)",
  })
  previewToken!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, description: 'When a held upload was confirmed, rejected, superseded or expired' }) decidedAt!:
    string | null;
  @ApiProperty({ nullable: true, description: "When retention erased the upload's rows (ROSTER_RETENTION_DAYS); its counts stay" })
  rowsErasedAt!: string | null;
}
