import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent, ItemsOf } from '../catalog';
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
  /** Ratios of the sums above (null without a denominator); fractions, never percentages. Optional: consumers may recompute them. */
  @IsOptional() @IsNumber() @Min(0) installRate?: number | null;
  @IsOptional() @IsNumber() @Min(0) bluetoothRate?: number | null;
  @IsOptional() @IsNumber() @Min(0) populationRate?: number | null;
}
export const FigureUpdatedV1 = defineEvent('rates.figure.updated', 1, 'FigureUpdatedV1', FigureUpdatedV1Data);

export class TargetStatusChangedV1Data {
  @IsString() @Length(1, 64) targetId!: string;
  @IsUnitCode() orgUnitCode!: string;
  @IsCalendarDate() date!: string;
  @IsIn(TARGET_STATUSES) status!: TargetStatus;
  @IsOptional() @IsIn(TARGET_STATUSES) previousStatus!: TargetStatus | null;
  /** Can exceed 1 for a resident rate when the population denominator is older than the reports. */
  @IsOptional() @IsNumber() @Min(0) value!: number | null;
  @IsNumber() @Min(0) @Max(1) threshold!: number;
  /** The day the recent trend reaches the threshold; made up to the deadline only (null after it, once met, or with no trend). */
  @IsOptional() @IsCalendarDate() forecastDate!: string | null;
  /** People still needed to reach the threshold; 0 when met or when there is no denominator to measure it against. */
  @IsInt() @Min(0) gap!: number;
  /** Units of the subtree that reported within the target's window, and units of the types the target covers. */
  @IsOptional() @IsCount() reportingUnits?: number;
  @IsOptional() @IsCount() expectedUnits?: number;
  /** False when no unit of the subtree reported within the window: the unit is not reporting (shown, never counted as zero). */
  @IsOptional() @IsBoolean() reporting?: boolean;
}
export const TargetStatusChangedV1 = defineEvent('rates.target.status-changed', 1, 'TargetStatusChangedV1', TargetStatusChangedV1Data);

/**
 * A unit no longer has a status against a target from `date` on: it retired that day, or it left the target's scope
 * (its subtree holds no unit of the types the target covers any more: moved or emptied). Its statuses before `date`
 * stand; a later `rates.target.status-changed` for a day from `date` on gives it one again.
 */
export class TargetStatusWithdrawnV1Data {
  @IsString() @Length(1, 64) targetId!: string;
  @IsUnitCode() orgUnitCode!: string;
  @IsCalendarDate() date!: string;
  /** The status it held on the day before. */
  @IsIn(TARGET_STATUSES) previousStatus!: TargetStatus;
}
export const TargetStatusWithdrawnV1 = defineEvent(
  'rates.target.status-withdrawn',
  1,
  'TargetStatusWithdrawnV1',
  TargetStatusWithdrawnV1Data,
);

/**
 * Items a bundle (below) carries at most. A flush of a province publishes a few thousand figures and statuses; NATS'
 * default payload limit (1 MB) holds ~2,500 figures of ~400 bytes, so a flush is a handful of bundles.
 */
export const BUNDLE_MAX_ITEMS = 500;

/**
 * A bundle's array: 1 to BUNDLE_MAX_ITEMS items, each valid as `item` (for class-validator, through @ValidateNested and
 * @Type; for the compiled checks, through @ItemsOf).
 */
function BundleItems(item: new () => object): PropertyDecorator {
  const decorators = [
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(BUNDLE_MAX_ITEMS),
    ValidateNested({ each: true }),
    Type(() => item),
    ItemsOf(item),
  ];
  return (target, property) => {
    for (const d of decorators) d(target, property);
  };
}

/**
 * The figures of one flush of rates, in one event instead of one event each (every event on the stream costs an outbox
 * row, a publish, a delivery, a decode and an inbox row in each consumer). Each item is what rates.figure.updated v1
 * would carry, and means the same; no two items of a bundle share a (unit, cohort, tree, date), and they are newer than
 * any figure of an earlier event and older than any of a later one (the bundle's occurredAt and id order them).
 */
export class FiguresUpdatedV1Data {
  @BundleItems(FigureUpdatedV1Data) figures!: FigureUpdatedV1Data[];
}
export const FiguresUpdatedV1 = defineEvent('rates.figures.updated', 1, 'FiguresUpdatedV1', FiguresUpdatedV1Data);

/**
 * The status changes of one flush of rates, in one event: each item is what rates.target.status-changed v1 would carry,
 * with the same rules as FiguresUpdatedV1's items (no two share a (target, unit, date)).
 */
export class TargetStatusesChangedV1Data {
  @BundleItems(TargetStatusChangedV1Data) statuses!: TargetStatusChangedV1Data[];
}
export const TargetStatusesChangedV1 = defineEvent(
  'rates.target.statuses-changed',
  1,
  'TargetStatusesChangedV1',
  TargetStatusesChangedV1Data,
);
