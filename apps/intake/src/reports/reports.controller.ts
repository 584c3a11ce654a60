import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ROLES, type Role } from '@app/contracts';
import {
  CurrentPrincipal,
  IDEMPOTENCY_API_HEADER,
  IDEMPOTENCY_HEADER,
  idempotencyKeyOf,
  idempotentRequest,
  ProblemException,
  replyWith,
  Roles,
  type Principal,
} from '@app/platform';
import { BatchReportsDto, MAX_BATCH_ITEMS } from './dto/batch-reports.dto';
import { CreateReportDto } from './dto/create-report.dto';
import { ListReportsQueryDto } from './dto/list-reports.query.dto';
import { BatchResultDto, ImportResultDto, ReportPageDto, ReportReceiptDto } from './dto/report-responses.dto';
import { BatchBodyPipe, ReportBodyPipe } from './report-body.pipe';
import { reportOf } from './report-checker';
import { parseReportCsv } from './report-csv';
import { ReportsService } from './reports.service';

/** Who may submit reports: agency portals, the EZ board (for the enterprises it oversees) and admins. Analysts only read. */
export const REPORT_WRITERS: Role[] = ['portal', 'ez_board'];

@ApiTags('reports')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles(...REPORT_WRITERS)
  @ApiOperation({ summary: 'Submit one adoption report; a new body for the same (unit, cohort, asOf) is a correction (revision + 1)' })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 202, type: ReportReceiptDto })
  @ApiBody({ type: CreateReportDto })
  async submit(
    @CurrentPrincipal() principal: Principal,
    // Declared `unknown` so the global pipe leaves it to ReportBodyPipe (which applies the same rules).
    @Body(ReportBodyPipe) body: unknown,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportReceiptDto> {
    const report = reportOf(body as CreateReportDto);
    const request = idempotentRequest(principal, 'intake:reports', idempotencyKey, () => report);
    return replyWith(reply, await this.reports.submit(principal, report, request));
  }

  @Post('batch')
  @HttpCode(HttpStatus.OK)
  @Roles(...REPORT_WRITERS)
  @ApiOperation({
    summary: `Submit up to ${MAX_BATCH_ITEMS} reports in one transaction; a result per item, valid items accepted even when others fail`,
  })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 200, type: BatchResultDto })
  @ApiBody({ type: BatchReportsDto })
  async batch(
    @CurrentPrincipal() principal: Principal,
    // Declared `unknown` so the global pipe leaves it to BatchBodyPipe (the same rules, without copying every item).
    @Body(BatchBodyPipe) body: unknown,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchResultDto> {
    const { reports } = body as BatchReportsDto;
    const request = idempotentRequest(principal, 'intake:reports/batch', idempotencyKey, () => reports);
    return replyWith(reply, await this.reports.submitMany(principal, reports, request));
  }

  @Post('import')
  @HttpCode(HttpStatus.OK)
  @Roles(...REPORT_WRITERS)
  @ApiOperation({
    summary: 'Import reports from CSV (text/csv)',
    description:
      'Header (English): org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on. ' +
      'Header (Vietnamese): Mã đơn vị,Nhóm,Ngày,Tổng số,Có điện thoại thông minh,Đã cài đặt,Bật Bluetooth. ' +
      'Dates YYYY-MM-DD or DD/MM/YYYY; a result per data line, numbered from the file (the header is line 1).',
  })
  @ApiConsumes('text/csv')
  @ApiBody({
    schema: {
      type: 'string',
      example:
        'org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on\n29236,residents,2020-08-25,1000,800,500,450\n',
    },
  })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 200, type: ImportResultDto })
  async import(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportResultDto> {
    if (typeof body !== 'string') {
      throw new ProblemException(415, 'send the CSV file as the body with Content-Type: text/csv', [
        { field: 'body', message: 'body must be text/csv' },
      ]);
    }
    idempotencyKeyOf(idempotencyKey);
    const parsed = parseReportCsv(body, MAX_BATCH_ITEMS);
    if (!parsed.ok) throw new ProblemException(400, parsed.errors.map((e) => e.message).join('; '), parsed.errors);
    const request = idempotentRequest(principal, 'intake:reports/import', idempotencyKey, () => body);
    const out = replyWith(
      reply,
      await this.reports.submitMany(
        principal,
        parsed.lines.map((l) => l.item),
        request,
      ),
    );
    return {
      accepted: out.accepted,
      unchanged: out.unchanged,
      rejected: out.rejected,
      results: out.results.map(({ index, ...rest }) => ({ line: parsed.lines[index].line, ...rest })),
    };
  }

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Every revision of the reports the key may read (portal: its subtree; analyst and admin: all)' })
  @ApiResponse({ status: 200, type: ReportPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() q: ListReportsQueryDto): Promise<ReportPageDto> {
    return this.reports.list(principal, q);
  }
}
