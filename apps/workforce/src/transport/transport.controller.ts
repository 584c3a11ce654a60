import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  CampaignCalendar,
  CurrentPrincipal,
  IDEMPOTENCY_API_HEADER,
  IDEMPOTENCY_HEADER,
  idempotencyKeyOf,
  idempotentRequest,
  ProblemException,
  replyWith,
  Roles,
  ScopeService,
  type Principal,
} from '@app/platform';
import {
  HubParamDto,
  TransportCheckDto,
  TransportCheckRangeDto,
  TransportCheckResultDto,
  TransportCheckRowDto,
} from './dto/transport-check.dto';
import { TransportService } from './transport.service';

@ApiTags('transport')
@Controller('v1/transport-hubs')
export class TransportController {
  constructor(
    private readonly checks: TransportService,
    private readonly scope: ScopeService,
    private readonly calendar: CampaignCalendar,
  ) {}

  @Post(':code/checks')
  @Roles('transport')
  @HttpCode(202)
  @ApiOperation({ summary: "A hub's passenger checks for a day (a later submission for the same day is a new revision)" })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 202, type: TransportCheckResultDto })
  async record(
    @Param() params: HubParamDto,
    @Body() body: TransportCheckDto,
    @CurrentPrincipal() principal: Principal,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransportCheckResultDto> {
    idempotencyKeyOf(idempotencyKey);
    await this.calendar.assertWithin({ date: body.date });
    const unit = await this.scope.assertCanWrite(principal, params.code);
    if (unit.type !== 'transport_hub') {
      throw new ProblemException(422, `org unit ${params.code} is a ${unit.type}, not a transport hub`, [
        { field: 'code', message: 'checks are recorded for units of type transport_hub' },
      ]);
    }
    const { date, ...counts } = body;
    const request = idempotentRequest(principal, 'workforce:transport-checks', idempotencyKey, () => ({ hubCode: params.code, ...body }));
    return replyWith(reply, await this.checks.record(principal.keyId, params.code, date, counts, request));
  }

  @Get(':code/checks')
  @Roles('transport', 'analyst')
  @ApiOperation({ summary: "A hub's checks in a date range, every revision" })
  @ApiResponse({ status: 200, type: [TransportCheckRowDto] })
  async list(
    @Param() params: HubParamDto,
    @Query() q: TransportCheckRangeDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TransportCheckRowDto[]> {
    if (q.from && q.to && q.from > q.to)
      throw new ProblemException(400, 'from must not be after to', [{ field: 'from', message: 'from must not be after to' }]);
    await this.scope.assertCanRead(principal, params.code);
    return this.checks.list(params.code, q.from, q.to);
  }
}
