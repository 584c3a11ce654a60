import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { AnalyticsService } from '../analytics/analytics.service';
import { viewerOf } from '../common/contacts';
import { htmlResponse, markFreshness } from '../common/respond';
import { renderHtml, renderMarkdown } from './daily-report.render';
import { DailyReportService } from './daily-report.service';
import { DailyReportQueryDto } from './dto/daily-report-query.dto';

@ApiTags('compliance')
@Controller('v1/daily-report')
export class DailyReportController {
  constructor(
    private readonly reports: DailyReportService,
    private readonly analytics: AnalyticsService,
  ) {}

  @Get()
  @Roles('analyst')
  @ApiProduces('text/html', 'text/markdown')
  @ApiOperation({
    summary: "The DIC's daily report to the chairman (Vietnamese; ?lang=en or Accept-Language for English; ?format=md for Markdown)",
  })
  async report(
    @Query() q: DailyReportQueryDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const date = q.date ?? (await this.analytics.defaultDay());
    const { asOfEvent, doc } = await this.reports.build(date, { ...viewerOf(req, p, q.lang), principal: p });
    markFreshness(reply, asOfEvent);
    if (q.format === 'md') {
      void reply.header('content-language', doc.lang);
      void reply.header('content-type', 'text/markdown; charset=utf-8');
      return renderMarkdown(doc);
    }
    return renderHtml(doc, htmlResponse(reply, doc.lang));
  }
}
