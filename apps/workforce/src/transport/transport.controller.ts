import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CampaignCalendar, CurrentPrincipal, ProblemException, Roles, ScopeService, type Principal } from '@app/platform';
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
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body: the same answer, nothing new; same key, other body: 409',
  })
  @ApiResponse({ status: 202, type: TransportCheckResultDto })
  async record(
    @Param() params: HubParamDto,
    @Body() body: TransportCheckDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<TransportCheckResultDto> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new ProblemException(400, 'Idempotency-Key must be 1 to 200 visible ASCII characters', [
        { field: 'Idempotency-Key', message: 'invalid' },
      ]);
    }
    await this.calendar.assertWithin({ date: body.date });
    const unit = await this.scope.assertCanWrite(principal, params.code);
    if (unit.type !== 'transport_hub') {
      throw new ProblemException(422, `org unit ${params.code} is a ${unit.type}, not a transport hub`, [
        { field: 'code', message: 'checks are recorded for units of type transport_hub' },
      ]);
    }
    const { date, ...counts } = body;
    return this.checks.record(principal.keyId, params.code, date, counts, idempotencyKey ?? null);
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
