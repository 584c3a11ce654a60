import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { AnalyticsService } from '../analytics/analytics.service';
import { viewerOf } from '../common/contacts';
import { htmlResponse, markFreshness } from '../common/respond';
import { renderHtml, renderMarkdown } from './daily-report.render';
import { DailyReportService } from './daily-report.service';
import { DOCUMENT_CONTENT_TYPE, OfficialDocumentService } from './document/official-document.service';
import { DailyReportQueryDto } from './dto/daily-report-query.dto';

@ApiTags('compliance')
@Controller('v1/daily-report')
export class DailyReportController {
  constructor(
    private readonly reports: DailyReportService,
    private readonly analytics: AnalyticsService,
    private readonly documents: OfficialDocumentService,
  ) {}

  @Get()
  @Roles('analyst')
  @ApiProduces('text/html', 'text/markdown', DOCUMENT_CONTENT_TYPE.pdf, DOCUMENT_CONTENT_TYPE.docx)
  @ApiOperation({
    summary:
      "The DIC's daily report to the chairman (Vietnamese; ?lang=en or Accept-Language for English; ?format=md for Markdown; ?format=pdf or docx for the signed-off administrative document of Decree 30/2020/ND-CP)",
  })
  async report(
    @Query() q: DailyReportQueryDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    const date = q.date ?? (await this.analytics.defaultDay());
    const { asOfEvent, doc } = await this.reports.build(date, { ...viewerOf(req, p, q.lang), principal: p });
    markFreshness(reply, asOfEvent);
    if (q.format === 'pdf' || q.format === 'docx') {
      void reply.header('content-type', DOCUMENT_CONTENT_TYPE[q.format]);
      void reply.header('content-language', doc.lang);
      void reply.header('content-disposition', `attachment; filename="${this.documents.filename(date, q.format)}"`);
      void reply.header('cache-control', 'no-store');
      return this.documents.render(doc, date, q.format);
    }
    if (q.format === 'md') {
      void reply.header('content-language', doc.lang);
      void reply.header('content-type', 'text/markdown; charset=utf-8');
      return renderMarkdown(doc);
    }
    return renderHtml(doc, htmlResponse(reply, doc.lang));
  }
}
