import { IsInt, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../catalog';
import { IsCalendarDate, IsCount, IsUnitCode } from '../validators';
import { AdoptionCountsV1 } from './intake.events';

/**
 * An enterprise roster replaced as of a date: aggregates and the change since the previous roster only.
 * No name, phone number or employee id ever appears here (docs/architecture.md).
 * Rates treat it as the enterprise's `enterprise_workers` report for `asOf`.
 */
export class RosterImportedV1Data extends AdoptionCountsV1 {
  @IsUUID() importId!: string;
  @IsUnitCode() enterpriseCode!: string;
  @IsCalendarDate() asOf!: string;
  @IsInt() @Min(1) revision!: number;
  @IsCount() rowsAccepted!: number;
  @IsCount() rowsRejected!: number;
  @IsCount() joined!: number;
  @IsCount() left!: number;
  @IsCount() newlyInstalled!: number;
  @IsCount() newlyBluetoothOn!: number;
}
export const RosterImportedV1 = defineEvent('workforce.roster.imported', 1, 'RosterImportedV1', RosterImportedV1Data);

export class TransportCheckedV1Data {
  @IsUnitCode() hubCode!: string;
  @IsCalendarDate() date!: string;
  @IsInt() @Min(1) revision!: number;
  @IsCount() passengersChecked!: number;
  @IsCount() alreadyInstalled!: number;
  @IsCount() installedOnSite!: number;
  @IsCount() refused!: number;
}
export const TransportCheckedV1 = defineEvent('workforce.transport.checked', 1, 'TransportCheckedV1', TransportCheckedV1Data);
