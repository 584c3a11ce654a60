import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { PointIdParams } from '../points/dto/point-id.params';
import { LogSessionDto } from './dto/log-session.dto';
import { assertIdempotencyKey } from './idempotency.store';
import { SessionsService } from './sessions.service';

@ApiTags('support points')
@Controller('v1/support-points')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post(':id/sessions')
  @Roles('telecom')
  @ApiOperation({
    summary: "Log a day's session at a point: a new day is revision 1, different figures for the same day the next revision",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'same key and body: the same answer, nothing new; same key, other body: 409',
  })
  @ApiResponse({ status: 201, description: 'a new revision was stored and support.session.logged published' })
  @ApiResponse({ status: 200, description: 'the same figures were already the latest for that day: nothing new' })
  async log(
    @Param() params: PointIdParams,
    @Body() dto: LogSessionDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const key = assertIdempotencyKey(idempotencyKey);
    const answer = await this.sessions.log(principal, params.id, dto, key);
    void reply.status(answer.status);
    if (answer.replayed) void reply.header('idempotent-replayed', 'true');
    return answer.body;
  }
}
