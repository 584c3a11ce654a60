import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';

export class UpsertPointDto {
  @ApiProperty({ example: 'VNPT-TV', description: 'org-unit code of the telecom operator or the Post Office running the point' })
  @IsUnitCode()
  operator!: string;

  @ApiProperty({ example: '29236', description: 'org-unit code of the commune (type commune) where the point is' })
  @IsUnitCode()
  communeCode!: string;

  @ApiProperty({ example: 'Điểm giao dịch VNPT, ấp Chợ, xã Phong Phú' })
  @IsString()
  @Length(1, 500)
  address!: string;

  @ApiProperty({ example: '2020-08-22', description: 'first day the point is open (YYYY-MM-DD)' })
  @IsCalendarDate()
  openedOn!: string;

  @ApiPropertyOptional({ example: '07:30-11:30, 13:30-17:00', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  hours?: string | null;
}
