import { IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { defineEvent } from '../catalog';
import { COHORTS, TARGET_STATUSES, TREES, type Cohort, type TargetStatus, type Tree } from '../enums';
import { IsCalendarDate, IsCount, IsUnitCode } from '../validators';
import { AdoptionCountsV1 } from './intake.events';

/** A unit's figure for a cohort on one tree, holding from `date` on until a later update. */
export class FigureUpdatedV1Data extends AdoptionCountsV1 {
  @IsUnitCode() orgUnitCode!: string;
  @IsIn(COHORTS) cohort!: Cohort;
  @IsIn(TREES) tree!: Tree;
  @IsCalendarDate() date!: string;
  @IsOptional() @IsCount() population!: number | null;
  @IsCount() reportingUnits!: number;
  @IsCount() expectedUnits!: number;
}
export const FigureUpdatedV1 = defineEvent('rates.figure.updated', 1, 'FigureUpdatedV1', FigureUpdatedV1Data);

export class TargetStatusChangedV1Data {
  @IsString() @Length(1, 64) targetId!: string;
  @IsUnitCode() orgUnitCode!: string;
  @IsCalendarDate() date!: string;
  @IsIn(TARGET_STATUSES) status!: TargetStatus;
  @IsOptional() @IsIn(TARGET_STATUSES) previousStatus!: TargetStatus | null;
  @IsOptional() @IsNumber() @Min(0) @Max(1) value!: number | null;
  @IsNumber() @Min(0) @Max(1) threshold!: number;
  @IsOptional() @IsCalendarDate() forecastDate!: string | null;
  @IsInt() @Min(0) gap!: number;
}
export const TargetStatusChangedV1 = defineEvent('rates.target.status-changed', 1, 'TargetStatusChangedV1', TargetStatusChangedV1Data);
