import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { IsCalendarDate, IsCount, IsUnitCode, VENUE_TYPES, type ActivityKind, type VenueType } from '@app/contracts';
import { SatisfiesCountRule } from '../../common/count.rules';

/** Fields every activity has; each kind's class adds its `kind` (one of ACTIVITY_KINDS) and its own counts, and only those are accepted. */
export class ActivityBaseDto {
  @ApiProperty({ example: '29236' }) @IsUnitCode() orgUnitCode!: string;
  @ApiProperty({ example: '2020-08-25', description: 'The day of the activity; not in the future, not before the campaign start' })
  @IsCalendarDate()
  date!: string;
}

const kindIs = (kind: ActivityKind) => IsIn([kind], { message: `kind must be ${kind}` });

export class BroadcastActivityDto extends ActivityBaseDto {
  @ApiProperty({ enum: ['broadcast'] }) @kindIs('broadcast') kind!: 'broadcast';
  @ApiProperty({ description: 'Commune radio sessions aired that day' }) @IsCount() sessionsAired!: number;
  @ApiProperty({ description: '≤ sessionsAired' })
  @IsCount()
  @SatisfiesCountRule({ parts: ['sessionsWithStartAnnouncement'], limit: 'sessionsAired' })
  sessionsWithStartAnnouncement!: number;
  @ApiProperty({ description: '≤ sessionsAired' })
  @IsCount()
  @SatisfiesCountRule({ parts: ['sessionsWithEndAnnouncement'], limit: 'sessionsAired' })
  sessionsWithEndAnnouncement!: number;
  @ApiProperty() @IsBoolean() supportLocationsAnnounced!: boolean;
}

export class DoorToDoorActivityDto extends ActivityBaseDto {
  @ApiProperty({ enum: ['door_to_door'] }) @kindIs('door_to_door') kind!: 'door_to_door';
  @ApiProperty() @IsCount() householdsVisited!: number;
  @ApiProperty({ description: '≤ householdsVisited' })
  @IsCount()
  @SatisfiesCountRule({ parts: ['householdsReminded'], limit: 'householdsVisited' })
  householdsReminded!: number;
}

export class PropagandaTeamActivityDto extends ActivityBaseDto {
  @ApiProperty({ enum: ['propaganda_team'] }) @kindIs('propaganda_team') kind!: 'propaganda_team';
  @ApiProperty({ description: '≤ members (a team has at least one member)' })
  @IsCount()
  @SatisfiesCountRule({ parts: ['teamsFormed'], limit: 'members' })
  teamsFormed!: number;
  @ApiProperty() @IsCount() members!: number;
}

export class VenueOutreachActivityDto extends ActivityBaseDto {
  @ApiProperty({ enum: ['venue_outreach'] }) @kindIs('venue_outreach') kind!: 'venue_outreach';
  @ApiProperty({ enum: VENUE_TYPES }) @IsIn(VENUE_TYPES) venueType!: VenueType;
  @ApiProperty() @IsCount() venuesMobilised!: number;
  @ApiProperty() @IsCount() customersGuided!: number;
}

export class HqVisitorCheckActivityDto extends ActivityBaseDto {
  @ApiProperty({ enum: ['hq_visitor_check'] }) @kindIs('hq_visitor_check') kind!: 'hq_visitor_check';
  @ApiProperty({ description: '≥ alreadyInstalled + installedOnSite + turnedAway' })
  @IsCount()
  @SatisfiesCountRule({ parts: ['alreadyInstalled', 'installedOnSite', 'turnedAway'], limit: 'visitors' })
  visitors!: number;
  @ApiProperty() @IsCount() alreadyInstalled!: number;
  @ApiProperty() @IsCount() installedOnSite!: number;
  @ApiProperty() @IsCount() turnedAway!: number;
}

export class FamilyHelpActivityDto extends ActivityBaseDto {
  @ApiProperty({ enum: ['family_help'] }) @kindIs('family_help') kind!: 'family_help';
  @ApiProperty({ description: 'Installs done for family members' }) @IsCount() installsHelped!: number;
}

export const ACTIVITY_DTOS = {
  broadcast: BroadcastActivityDto,
  door_to_door: DoorToDoorActivityDto,
  propaganda_team: PropagandaTeamActivityDto,
  venue_outreach: VenueOutreachActivityDto,
  hq_visitor_check: HqVisitorCheckActivityDto,
  family_help: FamilyHelpActivityDto,
} as const satisfies Record<ActivityKind, new () => ActivityBaseDto>;

export type CreateActivityDto = InstanceType<(typeof ACTIVITY_DTOS)[ActivityKind]>;
