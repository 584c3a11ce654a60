import { IsBoolean, IsIn, IsInt, IsISO8601, IsUUID, Min, ValidateIf } from 'class-validator';
import { defineEvent } from '../catalog';
import { ACTIVITY_KINDS, COHORTS, VENUE_TYPES, type ActivityKind, type Cohort, type VenueType } from '../enums';
import { IsCalendarDate, IsCount, IsUnitCode } from '../validators';

/** The four counts every adoption figure is made of; 0 ≤ bluetoothOn ≤ installed ≤ smartphoneHolders ≤ headcount. */
export class AdoptionCountsV1 {
  @IsCount() headcount!: number;
  @IsCount() smartphoneHolders!: number;
  @IsCount() installed!: number;
  @IsCount() bluetoothOn!: number;
}

/** A unit's report for a cohort as of a date. A later `asOf` supersedes; for the same `asOf` the higher `revision` does. */
export class ReportAcceptedV1Data extends AdoptionCountsV1 {
  @IsUUID() reportId!: string;
  @IsUnitCode() orgUnitCode!: string;
  @IsIn(COHORTS) cohort!: Cohort;
  @IsCalendarDate() asOf!: string;
  @IsInt() @Min(1) revision!: number;
  @IsISO8601({ strict: true }) submittedAt!: string;
}
export const ReportAcceptedV1 = defineEvent('intake.report.accepted', 1, 'ReportAcceptedV1', ReportAcceptedV1Data);

const kindIs = (...kinds: ActivityKind[]) => ValidateIf((o: { kind: ActivityKind }) => kinds.includes(o.kind));

/** One unit's activity of one kind on one day. Only the counts of its kind are present (others are absent). */
export class ActivityRecordedV1Data {
  @IsUUID() activityId!: string;
  @IsUnitCode() orgUnitCode!: string;
  @IsIn(ACTIVITY_KINDS) kind!: ActivityKind;
  @IsCalendarDate() date!: string;
  @IsInt() @Min(1) revision!: number;
  @IsISO8601({ strict: true }) submittedAt!: string;

  @kindIs('broadcast') @IsCount() sessionsAired?: number;
  @kindIs('broadcast') @IsCount() sessionsWithStartAnnouncement?: number;
  @kindIs('broadcast') @IsCount() sessionsWithEndAnnouncement?: number;
  @kindIs('broadcast') @IsBoolean() supportLocationsAnnounced?: boolean;

  @kindIs('door_to_door') @IsCount() householdsVisited?: number;
  @kindIs('door_to_door') @IsCount() householdsReminded?: number;

  @kindIs('propaganda_team') @IsCount() teamsFormed?: number;
  @kindIs('propaganda_team') @IsCount() members?: number;

  @kindIs('venue_outreach') @IsIn(VENUE_TYPES) venueType?: VenueType;
  @kindIs('venue_outreach') @IsCount() venuesMobilised?: number;
  @kindIs('venue_outreach') @IsCount() customersGuided?: number;

  @kindIs('hq_visitor_check') @IsCount() visitors?: number;
  @kindIs('hq_visitor_check') @IsCount() alreadyInstalled?: number;
  @kindIs('hq_visitor_check') @IsCount() installedOnSite?: number;
  @kindIs('hq_visitor_check') @IsCount() turnedAway?: number;

  @kindIs('family_help') @IsCount() installsHelped?: number;
}
export const ActivityRecordedV1 = defineEvent('intake.activity.recorded', 1, 'ActivityRecordedV1', ActivityRecordedV1Data);
