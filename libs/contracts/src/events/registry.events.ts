import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent } from '../catalog';
import {
  BLOCS,
  COHORTS,
  METRICS,
  ROLES,
  TREES,
  UNIT_TYPES,
  type Bloc,
  type Cohort,
  type Metric,
  type Role,
  type Tree,
  type UnitType,
} from '../enums';
import { IsCalendarDate, IsCount, IsUnitCode, IsVietnamesePhone } from '../validators';

export class UnitHeadV1 {
  @IsString() @Length(1, 200) name!: string;
  @IsString() @Length(1, 200) title!: string;
}

/** The full state of an org unit after a real change. `revision` grows by one per change of the unit, so a replica keeps the highest. */
export class OrgUnitUpsertedV1Data {
  @IsUnitCode() code!: string;
  @IsString() @Length(1, 300) name!: string;
  @IsIn(UNIT_TYPES) type!: UnitType;
  @IsOptional() @IsIn(BLOCS) bloc!: Bloc | null;
  @IsOptional() @IsUnitCode() adminParentCode!: string | null;
  @IsOptional() @IsUnitCode() accountableToCode!: string | null;
  @IsOptional() @ValidateNested() @Type(() => UnitHeadV1) head!: UnitHeadV1 | null;
  @IsOptional() @IsInt() @Min(1) @Max(10) level!: number | null;
  @IsBoolean() active!: boolean;
  @IsInt() @Min(1) revision!: number;
}
export const OrgUnitUpsertedV1 = defineEvent('registry.orgunit.upserted', 1, 'OrgUnitUpsertedV1', OrgUnitUpsertedV1Data);

/** v2 of a head: how to reach them. Personal data (docs/data-protection.md): null when not given. */
export class UnitHeadV2 {
  @IsString() @Length(1, 200) name!: string;
  @IsString() @Length(1, 200) title!: string;
  /** E.164 (+84912345678). */
  @IsOptional() @IsVietnamesePhone() phone!: string | null;
  @IsOptional() @IsEmail() @Length(3, 254) email!: string | null;
}

/** v2: the head carries a phone and an e-mail. A v1 event is upcast with neither (libs/contracts/src/event-contracts.ts). */
export class OrgUnitUpsertedV2Data {
  @IsUnitCode() code!: string;
  @IsString() @Length(1, 300) name!: string;
  @IsIn(UNIT_TYPES) type!: UnitType;
  @IsOptional() @IsIn(BLOCS) bloc!: Bloc | null;
  @IsOptional() @IsUnitCode() adminParentCode!: string | null;
  @IsOptional() @IsUnitCode() accountableToCode!: string | null;
  @IsOptional() @ValidateNested() @Type(() => UnitHeadV2) head!: UnitHeadV2 | null;
  @IsOptional() @IsInt() @Min(1) @Max(10) level!: number | null;
  @IsBoolean() active!: boolean;
  @IsInt() @Min(1) revision!: number;
}
export const OrgUnitUpsertedV2 = defineEvent('registry.orgunit.upserted', 2, 'OrgUnitUpsertedV2', OrgUnitUpsertedV2Data);

export class OrgUnitRetiredV1Data {
  @IsUnitCode() code!: string;
  @IsCalendarDate() retiredOn!: string;
  @IsInt() @Min(1) revision!: number;
}
export const OrgUnitRetiredV1 = defineEvent('registry.orgunit.retired', 1, 'OrgUnitRetiredV1', OrgUnitRetiredV1Data);

/** A cohort denominator (a commune's residents, a department's staff) as of a date. */
export class CohortSetV1Data {
  @IsUnitCode() orgUnitCode!: string;
  @IsIn(COHORTS) cohort!: Cohort;
  @IsCount() headcount!: number;
  @IsCalendarDate() asOf!: string;
}
export const CohortSetV1 = defineEvent('registry.cohort.set', 1, 'CohortSetV1', CohortSetV1Data);

export class TargetSetV1Data {
  @IsString() @Length(1, 64) targetId!: string;
  @IsString() @Length(1, 300) name!: string;
  @IsIn(METRICS) metric!: Metric;
  @IsArray() @ArrayMinSize(1) @IsIn(COHORTS, { each: true }) cohorts!: Cohort[];
  @IsIn(TREES) tree!: Tree;
  /** Unit types the target covers (the units expected to report); empty means every type that may report its cohorts. */
  @IsArray() @IsIn(UNIT_TYPES, { each: true }) scopeUnitTypes!: UnitType[];
  /** Tree levels the target covers (1 = province); empty means all levels. */
  @IsArray() @IsInt({ each: true }) scopeLevels!: number[];
  /** A fraction: 0.5 is 50%. */
  @IsNumber() @Min(0) @Max(1) threshold!: number;
  @IsCalendarDate() deadline!: string;
  @IsOptional() @IsCalendarDate() campaignStart!: string | null;
  @IsInt() @Min(1) @Max(366) reportingWindowDays!: number;
  @IsInt() @Min(1) revision!: number;
}
export const TargetSetV1 = defineEvent('registry.target.set', 1, 'TargetSetV1', TargetSetV1Data);

/**
 * v2: a target has a Vietnamese and an English name (officials read Vietnamese first), instead of v1's one
 * `name`. A v1 event is upcast with its one name in both (libs/contracts/src/event-contracts.ts).
 */
export class TargetSetV2Data {
  @IsString() @Length(1, 64) targetId!: string;
  @IsString() @Length(1, 300) nameVi!: string;
  @IsString() @Length(1, 300) nameEn!: string;
  @IsIn(METRICS) metric!: Metric;
  @IsArray() @ArrayMinSize(1) @IsIn(COHORTS, { each: true }) cohorts!: Cohort[];
  @IsIn(TREES) tree!: Tree;
  /** Unit types the target covers (the units expected to report); empty means every type that may report its cohorts. */
  @IsArray() @IsIn(UNIT_TYPES, { each: true }) scopeUnitTypes!: UnitType[];
  /** Tree levels the target covers (1 = province); empty means all levels. */
  @IsArray() @IsInt({ each: true }) scopeLevels!: number[];
  /** A fraction: 0.5 is 50%. */
  @IsNumber() @Min(0) @Max(1) threshold!: number;
  @IsCalendarDate() deadline!: string;
  @IsOptional() @IsCalendarDate() campaignStart!: string | null;
  @IsInt() @Min(1) @Max(366) reportingWindowDays!: number;
  @IsInt() @Min(1) revision!: number;
}
export const TargetSetV2 = defineEvent('registry.target.set', 2, 'TargetSetV2', TargetSetV2Data);

/** Hash only: the key itself is shown once to whoever asked for it and never leaves the registry. */
export class ApiKeyIssuedV1Data {
  @IsString() @Length(1, 64) keyId!: string;
  @IsString() @Length(64, 64) keyHash!: string;
  @IsIn(ROLES) role!: Role;
  @IsOptional() @IsUnitCode() orgUnitCode!: string | null;
  @IsString() issuedAt!: string;
}
export const ApiKeyIssuedV1 = defineEvent('registry.apikey.issued', 1, 'ApiKeyIssuedV1', ApiKeyIssuedV1Data);

export class ApiKeyRevokedV1Data {
  @IsString() @Length(1, 64) keyId!: string;
  @IsString() revokedAt!: string;
}
export const ApiKeyRevokedV1 = defineEvent('registry.apikey.revoked', 1, 'ApiKeyRevokedV1', ApiKeyRevokedV1Data);

/** The report fields a DHIS2 data element can carry (the counts of a report). */
export const EXCHANGE_FIELDS = ['headcount', 'smartphoneHolders', 'installed', 'bluetoothOn'] as const;
export type ExchangeField = (typeof EXCHANGE_FIELDS)[number];

/** Codes of the other system (DHIS2 uids or codes, ADX category and option codes). */
const EXTERNAL_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/**
 * One row of the DHIS2/ADX mapping table: the data element (and category option combo, and ADX
 * disaggregation attributes) that carries one count of one cohort. `removed` deletes the row; consumers keep
 * the highest revision (order-insensitive).
 */
export class ExchangeElementMappedV1Data {
  @IsIn(COHORTS) cohort!: Cohort;
  @IsIn(EXCHANGE_FIELDS) field!: ExchangeField;
  @Matches(EXTERNAL_CODE) dataElement!: string;
  /** DHIS2 dataValueSets' categoryOptionCombo ('' for the default combo). */
  @IsString() @Length(0, 100) categoryOptionCombo!: string;
  /** ADX disaggregation attributes (category code → option code), {} when none. */
  @IsObject() adxDisaggregation!: Record<string, string>;
  @IsBoolean() removed!: boolean;
  @IsInt() @Min(1) revision!: number;
}
export const ExchangeElementMappedV1 = defineEvent(
  'registry.exchange.element.mapped',
  1,
  'ExchangeElementMappedV1',
  ExchangeElementMappedV1Data,
);

/** One org-unit code of the other system mapped to one of ours (`orgUnitCode` null: the row is removed). */
export class ExchangeUnitMappedV1Data {
  @Matches(EXTERNAL_CODE) externalCode!: string;
  @IsOptional() @IsUnitCode() orgUnitCode!: string | null;
  @IsInt() @Min(1) revision!: number;
}
export const ExchangeUnitMappedV1 = defineEvent('registry.exchange.unit.mapped', 1, 'ExchangeUnitMappedV1', ExchangeUnitMappedV1Data);
