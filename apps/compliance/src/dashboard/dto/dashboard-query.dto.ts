import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsCalendarDate } from '@app/contracts';
import { REPORT_LANGS, type ReportLang } from '../../daily-report/dto/daily-report-query.dto';

export class DashboardQueryDto {
  @ApiPropertyOptional({ example: '2020-08-21', description: 'The day shown (default: the latest day with data)' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({ enum: REPORT_LANGS, default: 'vi' })
  @IsOptional()
  @IsIn(REPORT_LANGS)
  lang?: ReportLang;
}

/** The login form (application/x-www-form-urlencoded): the key, and where to go back to. */
export class DashboardLoginDto extends DashboardQueryDto {
  @ApiProperty({ description: 'An analyst (or admin) API key; kept in an HttpOnly cookie, never shown again' })
  @IsString()
  @Length(8, 200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'key must be printable ASCII without spaces' })
  key!: string;
}

export class DashboardLogoutDto extends DashboardQueryDto {}
