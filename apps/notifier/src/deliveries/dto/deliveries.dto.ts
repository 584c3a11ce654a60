import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsCalendarDate } from '@app/contracts';

export class DayDto {
  @ApiProperty({ example: '2020-08-30', description: 'The report day (YYYY-MM-DD)' })
  @IsCalendarDate()
  date!: string;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ example: '2020-08-30' })
  @IsOptional()
  @IsCalendarDate()
  day?: string;

  @ApiPropertyOptional({ enum: ['report', 'reminder'] })
  @IsOptional()
  @IsIn(['report', 'reminder'])
  kind?: 'report' | 'reminder';

  @ApiPropertyOptional({ enum: ['pending', 'sent', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'sent', 'failed'])
  status?: 'pending' | 'sent' | 'failed';

  @ApiPropertyOptional({ description: "A subscriber's e-mail or a unit's code" })
  @IsOptional()
  @IsString()
  @Length(1, 320)
  recipient?: string;
}
