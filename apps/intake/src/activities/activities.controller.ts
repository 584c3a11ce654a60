import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ROLES } from '@app/contracts';
import {
  CurrentPrincipal,
  IDEMPOTENCY_API_HEADER,
  IDEMPOTENCY_HEADER,
  idempotentRequest,
  replyWith,
  Roles,
  type Principal,
} from '@app/platform';
import { REPORT_WRITERS } from '../reports/reports.controller';
import { ActivitiesService } from './activities.service';
import { ActivityPageDto, ActivityReceiptDto, ListActivitiesQueryDto } from './dto/activity-responses.dto';
import { ACTIVITY_DTOS } from './dto/create-activity.dto';

const KIND_MODELS = Object.values(ACTIVITY_DTOS);

@ApiTags('activities')
@ApiExtraModels(...KIND_MODELS)
@Controller('v1/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles(...REPORT_WRITERS)
  @ApiOperation({
    summary: "Record one day's campaign activity of a unit; the counts depend on `kind`, fields of other kinds are refused (400)",
    description:
      'Identity: (unit, kind, date) and, for venue_outreach, venueType. A new body for the same identity is a correction (revision + 1).',
  })
  @ApiBody({ schema: { oneOf: KIND_MODELS.map((m) => ({ $ref: getSchemaPath(m) })), discriminator: { propertyName: 'kind' } } })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 202, type: ActivityReceiptDto })
  async record(
    @CurrentPrincipal() principal: Principal,
    @Body() body: Record<string, unknown>,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ActivityReceiptDto> {
    const activity = this.activities.activityOf(this.activities.parse(body));
    const request = idempotentRequest(principal, 'intake:activities', idempotencyKey, () => activity);
    return replyWith(reply, await this.activities.record(principal, activity, request));
  }

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Every revision of the activities the key may read' })
  @ApiResponse({ status: 200, type: ActivityPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() q: ListActivitiesQueryDto): Promise<ActivityPageDto> {
    return this.activities.list(principal, q);
  }
}
