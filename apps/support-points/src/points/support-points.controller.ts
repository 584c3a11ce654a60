import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { ListPointsQuery } from './dto/list-points.query';
import { PointDateDto } from './dto/point-date.dto';
import { PointIdParams } from './dto/point-id.params';
import { UpsertPointDto } from './dto/upsert-point.dto';
import type { PointView, SessionView } from './support-point.store';
import { SupportPointsService } from './support-points.service';

@ApiTags('support points')
@Controller('v1/support-points')
export class SupportPointsController {
  constructor(private readonly points: SupportPointsService) {}

  @Put(':id')
  @Roles('telecom')
  @ApiOperation({ summary: 'Create or update a support point (an update that changes nothing publishes nothing)' })
  @ApiBody({ type: UpsertPointDto })
  @ApiResponse({ status: 201, description: 'created; support.point.opened published' })
  @ApiResponse({ status: 200, description: 'updated (support.point.opened with the next revision) or unchanged' })
  async upsert(
    @Param() params: PointIdParams,
    @Body() dto: UpsertPointDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PointView & { changed: boolean }> {
    const result = await this.points.upsert(principal, params.id, dto);
    void reply.status(result.created ? 201 : 200);
    return { ...result.point, changed: result.changed };
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('telecom')
  @ApiOperation({ summary: 'Close a point from a date on (the date is its first closed day); publishes support.point.closed' })
  async close(@Param() params: PointIdParams, @Body() dto: PointDateDto, @CurrentPrincipal() principal: Principal): Promise<PointView> {
    return this.points.close(principal, params.id, dto.date);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Roles('telecom')
  @ApiOperation({ summary: 'Reopen a closed point from a date on; publishes support.point.opened' })
  async reopen(@Param() params: PointIdParams, @Body() dto: PointDateDto, @CurrentPrincipal() principal: Principal): Promise<PointView> {
    return this.points.reopen(principal, params.id, dto.date);
  }

  @Get()
  @Roles('analyst', 'portal', 'telecom')
  @ApiOperation({ summary: 'Points by commune, district (administrative tree), operator, and open on a date' })
  async list(@Query() q: ListPointsQuery, @CurrentPrincipal() principal: Principal) {
    return this.points.list(principal, q);
  }

  @Get(':id')
  @Roles('analyst', 'portal', 'telecom')
  @ApiOperation({ summary: "One point with its open/closed history and the latest revision of each day's session" })
  async get(@Param() params: PointIdParams, @CurrentPrincipal() principal: Principal): Promise<PointView & { sessions: SessionView[] }> {
    return this.points.get(principal, params.id);
  }
}
