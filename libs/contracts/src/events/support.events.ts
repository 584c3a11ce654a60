import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { defineEvent } from '../catalog';
import { IsCalendarDate, IsCount, IsUnitCode } from '../validators';

export class SupportPointOpenedV1Data {
  @IsString() @Length(1, 64) pointId!: string;
  /** Org-unit code of the telecom operator or the Post Office running the point. */
  @IsUnitCode() operatorCode!: string;
  @IsUnitCode() communeCode!: string;
  @IsString() @Length(1, 500) address!: string;
  @IsCalendarDate() openedOn!: string;
  @IsOptional() @IsString() @Length(0, 200) hours!: string | null;
  @IsInt() @Min(1) revision!: number;
}
export const SupportPointOpenedV1 = defineEvent('support.point.opened', 1, 'SupportPointOpenedV1', SupportPointOpenedV1Data);

export class SupportPointClosedV1Data {
  @IsString() @Length(1, 64) pointId!: string;
  @IsUnitCode() operatorCode!: string;
  @IsUnitCode() communeCode!: string;
  @IsCalendarDate() closedOn!: string;
  @IsInt() @Min(1) revision!: number;
}
export const SupportPointClosedV1 = defineEvent('support.point.closed', 1, 'SupportPointClosedV1', SupportPointClosedV1Data);

/** A point's day: people assisted, installs done, Bluetooth switched on. Same (point, date) with a higher revision supersedes. */
export class SupportSessionLoggedV1Data {
  @IsString() @Length(1, 64) pointId!: string;
  @IsUnitCode() operatorCode!: string;
  @IsUnitCode() communeCode!: string;
  @IsCalendarDate() date!: string;
  @IsInt() @Min(1) revision!: number;
  @IsCount() assisted!: number;
  @IsCount() installed!: number;
  @IsCount() bluetoothEnabled!: number;
}
export const SupportSessionLoggedV1 = defineEvent('support.session.logged', 1, 'SupportSessionLoggedV1', SupportSessionLoggedV1Data);
