import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';

export class CoverageQuery {
  @ApiPropertyOptional({ example: '2020-08-30', description: 'the day to judge (YYYY-MM-DD); default today in Vietnam' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({ example: '845', description: 'only the communes under this district (or province) on the administrative tree' })
  @IsOptional()
  @IsUnitCode()
  district?: string;
}
