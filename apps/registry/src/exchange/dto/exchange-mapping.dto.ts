import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { COHORTS, EXCHANGE_FIELDS, IsUnitCode, type Cohort, type ExchangeField } from '@app/contracts';

/** Codes of the other system: DHIS2 uids or codes, ADX category and option codes. */
export const EXTERNAL_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const EXTERNAL_CODE_MESSAGE = '$property must be a code of the other system (letters, digits, "_", "-", ".", ":"; at most 100)';

export class ElementParams {
  @ApiProperty({ enum: COHORTS }) @IsIn(COHORTS) cohort!: Cohort;
  @ApiProperty({ enum: EXCHANGE_FIELDS }) @IsIn(EXCHANGE_FIELDS) field!: ExchangeField;
}

export class MapElementDto {
  @ApiProperty({ example: 'BZ_INSTALLED', description: 'DHIS2 data element (uid or code, as the files carry it)' })
  @Matches(EXTERNAL_CODE, { message: EXTERNAL_CODE_MESSAGE })
  dataElement!: string;

  @ApiPropertyOptional({ example: 'RESIDENTS', description: "dataValueSets' categoryOptionCombo; empty or absent for the default combo" })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  categoryOptionCombo?: string;

  @ApiPropertyOptional({
    example: { COHORT: 'RESIDENTS' },
    description: 'ADX disaggregation attributes of the dataValue (category code → option code); {} or absent for none',
  })
  @IsOptional()
  @IsObject()
  adxDisaggregation?: Record<string, string>;
}

export class ExternalUnitParams {
  @ApiProperty({ example: 'TV_CAU_KE' }) @Matches(EXTERNAL_CODE, { message: EXTERNAL_CODE_MESSAGE }) externalCode!: string;
}

export class MapUnitDto {
  @ApiProperty({ example: '29236' }) @IsUnitCode() orgUnitCode!: string;
}

export class ElementMappingDto {
  @ApiProperty({ enum: COHORTS }) cohort!: Cohort;
  @ApiProperty({ enum: EXCHANGE_FIELDS }) field!: ExchangeField;
  @ApiProperty() dataElement!: string;
  @ApiProperty() categoryOptionCombo!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) adxDisaggregation!: Record<string, string>;
  @ApiProperty() revision!: number;
}

export class UnitMappingDto {
  @ApiProperty() externalCode!: string;
  @ApiProperty() orgUnitCode!: string;
  @ApiProperty() revision!: number;
}

export class ExchangeMappingDto {
  @ApiProperty({ type: [ElementMappingDto] }) elements!: ElementMappingDto[];
  @ApiProperty({ type: [UnitMappingDto] }) units!: UnitMappingDto[];
}
