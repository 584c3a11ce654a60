import { IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../catalog';
import { COHORTS, type Cohort } from '../enums';
import { IsCalendarDate, IsUnitCode } from '../validators';

/** The data-quality rules compliance checks every report against (docs/api.md, Data quality). */
export const QUALITY_RULES = [
  'rate_drop',
  'outlier_jump',
  'holders_over_headcount',
  'stale_copy',
  'over_denominator',
  'roster_mismatch',
] as const;
export type QualityRule = (typeof QUALITY_RULES)[number];

export const QUALITY_SEVERITIES = ['info', 'warning', 'error'] as const;
export type QualitySeverity = (typeof QUALITY_SEVERITIES)[number];

/** Where a follow-up stands: open (raised), marked (someone is on it), resolved (by a person), cleared (the report that raised it was superseded). */
export const FOLLOW_UP_STATUSES = ['open', 'marked', 'resolved', 'cleared'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/**
 * A report (or a report against its roster) broke a data-quality rule. Facts only: the rule, the unit, the
 * cohort and day, the value the rule measured and the limit it broke. No name, no comment text.
 */
export class QualityViolationRaisedV1Data {
  @IsUUID() violationId!: string;
  @IsIn(QUALITY_RULES) rule!: QualityRule;
  @IsIn(QUALITY_SEVERITIES) severity!: QualitySeverity;
  @IsUnitCode() orgUnitCode!: string;
  @IsIn(COHORTS) cohort!: Cohort;
  @IsCalendarDate() asOf!: string;
  /** The measured value (a rate drop, a modified z-score, a count or share over a limit, days copied, a count difference). */
  @IsNumber() value!: number;
  /** The configured limit it went past. */
  @IsNumber() limit!: number;
  /** The report (reportId) that raised it, null when a roster import did. */
  @IsOptional() @IsUUID() reportId!: string | null;
  @IsISO8601({ strict: true }) raisedAt!: string;
}
export const QualityViolationRaisedV1 = defineEvent(
  'compliance.quality.violation-raised',
  1,
  'QualityViolationRaisedV1',
  QualityViolationRaisedV1Data,
);

/** A follow-up changed status or gained a comment (the comment's text stays in compliance). */
export class QualityFollowUpChangedV1Data {
  @IsUUID() violationId!: string;
  @IsIn(QUALITY_RULES) rule!: QualityRule;
  @IsUnitCode() orgUnitCode!: string;
  @IsIn(FOLLOW_UP_STATUSES) status!: FollowUpStatus;
  @IsInt() @Min(0) comments!: number;
  @IsISO8601({ strict: true }) changedAt!: string;
}
export const QualityFollowUpChangedV1 = defineEvent(
  'compliance.quality.follow-up-changed',
  1,
  'QualityFollowUpChangedV1',
  QualityFollowUpChangedV1Data,
);
