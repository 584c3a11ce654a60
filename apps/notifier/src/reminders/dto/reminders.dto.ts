import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';

export class UnitCodeParams {
  @ApiProperty({ example: '844' })
  @IsUnitCode()
  unitCode!: string;
}

export class OptOutDto {
  @ApiPropertyOptional({ example: 'Đơn vị đã sáp nhập' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class ReminderDayQuery {
  @ApiProperty({ example: '2020-08-29' })
  @IsCalendarDate()
  date!: string;
}
