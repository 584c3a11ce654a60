import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  CurrentPrincipal,
  IDEMPOTENCY_API_HEADER,
  IDEMPOTENCY_HEADER,
  idempotentRequest,
  replyWith,
  Roles,
  type Principal,
} from '@app/platform';
import { PointIdParams } from '../points/dto/point-id.params';
import { LogSessionDto } from './dto/log-session.dto';
import { SessionsService, type SessionAnswer } from './sessions.service';

@ApiTags('support points')
@Controller('v1/support-points')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post(':id/sessions')
  @Roles('telecom')
  @ApiOperation({
    summary: "Log a day's session at a point: a new day is revision 1, different figures for the same day the next revision",
  })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 201, description: 'a new revision was stored and support.session.logged published' })
  @ApiResponse({ status: 200, description: 'the same figures were already the latest for that day: nothing new' })
  async log(
    @Param() params: PointIdParams,
    @Body() dto: LogSessionDto,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionAnswer> {
    const request = idempotentRequest(principal, 'support-points:sessions', idempotencyKey, () => ({ pointId: params.id, ...dto }));
    return replyWith(reply, await this.sessions.log(principal, params.id, dto, request));
  }
}
