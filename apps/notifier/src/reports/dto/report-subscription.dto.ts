import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumberString,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';

export class CreateReportSubscriptionDto {
  @ApiProperty({ example: 'vanphong@travinh.gov.vn' })
  @IsEmail()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  email!: string;

  @ApiProperty({ example: 'Văn phòng UBND tỉnh (Chủ tịch)' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ enum: ['vi', 'en'], default: 'vi' })
  @IsOptional()
  @IsIn(['vi', 'en'])
  lang?: 'vi' | 'en';

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class SubscriptionIdParams {
  @ApiProperty()
  @IsNumberString({ no_symbols: true })
  @Length(1, 18)
  id!: string;
}

export class ReportScheduleDto {
  @ApiProperty({ example: '17:00', description: 'Time of day in Vietnam (Asia/Ho_Chi_Minh), HH:MM' })
  @Matches(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: 'time must be HH:MM (00:00 to 23:59)' })
  time!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  remindersEnabled?: boolean;

  @ApiPropertyOptional({
    example: [3, 1, 0],
    description: 'Days before a deadline on which heads of short units are reminded (0: the deadline day)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(31)
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(366, { each: true })
  reminderDaysBefore?: number[];
}
