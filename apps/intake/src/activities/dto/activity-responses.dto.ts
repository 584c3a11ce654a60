import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ACTIVITY_KINDS, IsCalendarDate, IsUnitCode, VENUE_TYPES, type ActivityKind, type VenueType } from '@app/contracts';

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

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

export class ListActivitiesQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUnitCode() unit?: string;
  @ApiPropertyOptional({ enum: ACTIVITY_KINDS }) @IsOptional() @IsIn(ACTIVITY_KINDS) kind?: ActivityKind;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Transform(toInt) @IsInt() @Min(0) offset?: number;
}
