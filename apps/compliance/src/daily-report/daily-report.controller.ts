import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CampaignCalendar, CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { htmlResponse, markFreshness } from '../common/respond';
import { renderHtml, renderMarkdown } from './daily-report.render';
import { DailyReportService } from './daily-report.service';
import { DailyReportQueryDto } from './dto/daily-report-query.dto';

@ApiTags('compliance')
@Controller('v1/daily-report')
export class DailyReportController {
  constructor(
    private readonly reports: DailyReportService,
    private readonly calendar: CampaignCalendar,
  ) {}

  @Get()
  @Roles('analyst')
  @ApiProduces('text/html', 'text/markdown')
  @ApiOperation({ summary: "The DIC's daily report to the chairman (Vietnamese; ?lang=en for English; ?format=md for Markdown)" })
  async report(
    @Query() q: DailyReportQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { asOfEvent, doc } = await this.reports.build(q.date ?? this.calendar.today(), q.lang ?? 'vi', p);
    markFreshness(reply, asOfEvent);
    if (q.format === 'md') {
      void reply.header('content-language', doc.lang);
      void reply.header('content-type', 'text/markdown; charset=utf-8');
      return renderMarkdown(doc);
    }
    return renderHtml(doc, htmlResponse(reply, doc.lang));
  }
}
