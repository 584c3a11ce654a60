import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCalendarDate, IsCount, IsUnitCode } from '@app/contracts';
import { IsOptional } from 'class-validator';

export class HubParamDto {
  @ApiProperty({ example: 'BX-TRAVINH', description: 'Code of an org unit of type transport_hub' })
  @IsUnitCode()
  code!: string;
}

export class TransportCheckDto {
  @ApiProperty({ example: '2020-08-25' }) @IsCalendarDate() date!: string;
  @ApiProperty({ example: 1200 }) @IsCount() passengersChecked!: number;
  @ApiProperty({ example: 700 }) @IsCount() alreadyInstalled!: number;
  @ApiProperty({ example: 350 }) @IsCount() installedOnSite!: number;
  @ApiProperty({ example: 20 }) @IsCount() refused!: number;
}

export class TransportCheckRangeDto {
  @ApiPropertyOptional({ example: '2020-08-01' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional({ example: '2020-08-31' }) @IsOptional() @IsCalendarDate() to?: string;
}

export class TransportCheckResultDto extends TransportCheckDto {
  @ApiProperty() checkId!: string;
  @ApiProperty() hubCode!: string;
  @ApiProperty({ description: '1 for the first check of (hub, date), +1 per correction' }) revision!: number;
  @ApiProperty() submittedAt!: string;
}

export class TransportCheckRowDto extends TransportCheckResultDto {
  @ApiProperty({ description: 'A later revision for the same (hub, date) replaces this one' }) superseded!: boolean;
}
