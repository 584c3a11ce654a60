import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsUnitCode, ROLES, type Role } from '@app/contracts';

export class IssueApiKeyDto {
  @ApiPropertyOptional({
    example: '842',
    description: 'the unit the key acts for; required for portal, ez_board, transport and telecom keys',
  })
  @IsOptional()
  @IsUnitCode()
  orgUnitCode?: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
  @ApiPropertyOptional({ example: 'Phường 4 portal', description: 'a note for whoever lists the keys' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string;
}

export class ApiKeyIdParams {
  @ApiProperty() @IsUUID() id!: string;
}

export class ListApiKeysQuery {
  @ApiPropertyOptional() @IsOptional() @IsUnitCode() orgUnitCode?: string;
  @ApiPropertyOptional({ description: 'also list revoked keys' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' || value === true ? true : value === 'false' || value === false ? false : value,
  )
  @IsBoolean()
  includeRevoked?: boolean;
}
