import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DateQueryDto } from '../../common/query.dto';

export const REPORT_FORMATS = ['html', 'md', 'pdf', 'docx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export class DailyReportQueryDto extends DateQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'html' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}
