import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { langOf, type Lang } from '@app/domain';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { FollowUpCommentDto, FollowUpLangDto, FollowUpQueryDto, FollowUpStatusDto } from './dto/follow-up.dto';
import { QualityService } from './quality.service';

const langFor = (req: FastifyRequest, lang: Lang | undefined): Lang => lang ?? langOf(req.headers['accept-language']);

/** The follow-up list of data-quality violations (docs/api.md, Data quality). */
@ApiTags('quality')
@Controller('v1/quality/follow-ups')
export class QualityController {
  constructor(private readonly quality: QualityService) {}

  @Get()
  @Roles('analyst', 'portal', 'ez_board', 'transport', 'telecom')
  @ApiOperation({
    summary:
      'Data-quality violations to follow up, most severe first: a rate that fell, an outlier jump (modified z-score), smartphone holders over the known headcount, a copied report, more people than registered, a roster mismatch. Admin and analyst keys see every unit, a unit key its own subtree',
  })
  list(@Query() q: FollowUpQueryDto, @CurrentPrincipal() p: Principal, @Req() req: FastifyRequest) {
    return this.quality.list(p, q, langFor(req, q.lang));
  }

  @Get(':id')
  @Roles('analyst', 'portal', 'ez_board', 'transport', 'telecom')
  @ApiOperation({ summary: 'One follow-up with its comments' })
  get(@Param('id') id: string, @Query() q: FollowUpLangDto, @CurrentPrincipal() p: Principal, @Req() req: FastifyRequest) {
    return this.quality.get(p, id, langFor(req, q.lang));
  }

  @Patch(':id')
  @Roles('portal', 'ez_board', 'transport', 'telecom')
  @ApiOperation({
    summary:
      'Mark a follow-up (someone is on it), resolve it or reopen it, with an optional comment: the DIC (admin) for any unit, a unit key for its subtree. Published as QualityFollowUpChangedV1',
  })
  setStatus(
    @Param('id') id: string,
    @Body() body: FollowUpStatusDto,
    @Query() q: FollowUpLangDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.quality.setStatus(p, id, body.status, body.comment, langFor(req, q.lang));
  }

  @Post(':id/comments')
  @Roles('portal', 'ez_board', 'transport', 'telecom')
  @ApiOperation({ summary: 'Comment on a follow-up (the DIC or the unit); the text stays in compliance, the event carries the count' })
  comment(
    @Param('id') id: string,
    @Body() body: FollowUpCommentDto,
    @Query() q: FollowUpLangDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.quality.comment(p, id, body.body, langFor(req, q.lang));
  }
}
