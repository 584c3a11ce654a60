import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { BLOCS, UNIT_TYPES, IsCalendarDate, IsUnitCode, IsVietnamesePhone, type Bloc, type UnitType } from '@app/contracts';

export class UnitHeadDto {
  @ApiProperty({ example: 'Nguyễn Văn A' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'Chủ tịch UBND' }) @IsString() @Length(1, 200) title!: string;
  @ApiPropertyOptional({
    example: '0294 3862 123',
    description: 'a Vietnamese mobile (0912345678, +84912345678) or landline with its area code (0294 3862 123); stored as +84…',
  })
  @IsOptional()
  @IsVietnamesePhone()
  phone?: string;
  @ApiPropertyOptional({ example: 'chutich@travinh.gov.vn' })
  @IsOptional()
  @IsEmail()
  @Length(3, 254)
  email?: string;
}

export class UnitCodeParams {
  @ApiProperty({ example: '842' }) @IsUnitCode() code!: string;
}

/** PUT /v1/org-units/{code}: the whole state of the unit (omitted optional fields are cleared). */
export class UpsertOrgUnitDto {
  @ApiProperty({ example: 'Thành phố Trà Vinh' }) @IsString() @Length(1, 300) name!: string;
  @ApiProperty({ enum: UNIT_TYPES }) @IsIn(UNIT_TYPES) type!: UnitType;
  @ApiPropertyOptional({ enum: BLOCS, description: 'departments and mass organisations only' }) @IsOptional() @IsIn(BLOCS) bloc?: Bloc;
  @ApiPropertyOptional({ example: '84', description: 'parent on the administrative tree' })
  @IsOptional()
  @IsUnitCode()
  adminParentCode?: string;
  @ApiPropertyOptional({
    example: '84',
    description: 'parent on the accountability tree; for a district, commune or hamlet it defaults to the administrative parent',
  })
  @IsOptional()
  @IsUnitCode()
  accountableToCode?: string;
  @ApiPropertyOptional({ type: UnitHeadDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => UnitHeadDto) head?: UnitHeadDto;
}

export class RetireOrgUnitDto {
  @ApiPropertyOptional({
    example: '2020-09-01',
    description:
      'the first day the unit no longer reports; on the campaign calendar (not ahead of today); defaults to today in the campaign time zone',
  })
  @IsOptional()
  @IsCalendarDate()
  retiredOn?: string;
}
