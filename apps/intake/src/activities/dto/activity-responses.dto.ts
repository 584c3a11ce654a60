import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ACTIVITY_KINDS, IsCalendarDate, IsUnitCode, VENUE_TYPES, type ActivityKind, type VenueType } from '@app/contracts';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';

export class ActivityReceiptDto {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty({ minimum: 1 }) revision!: number;
}

export class ActivityRevisionDto {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty() orgUnitCode!: string;
  @ApiProperty({ enum: ACTIVITY_KINDS }) kind!: ActivityKind;
  @ApiProperty() date!: string;
  @ApiPropertyOptional({ enum: VENUE_TYPES }) venueType?: VenueType;
  @ApiProperty() revision!: number;
  @ApiProperty() latest!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The counts of the kind' }) counts!: Record<
    string,
    number | boolean
  >;
  @ApiProperty() submittedAt!: string;
}

export class ActivityPageDto {
  @ApiProperty({ type: [ActivityRevisionDto] }) items!: ActivityRevisionDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class ListActivitiesQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUnitCode() unit?: string;
  @ApiPropertyOptional({ enum: ACTIVITY_KINDS }) @IsOptional() @IsIn(ACTIVITY_KINDS) kind?: ActivityKind;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() to?: string;
  @QueryInt({ min: 1, max: 1000, default: 100 }) limit?: number;
  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 }) offset?: number;
}
