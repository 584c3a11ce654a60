import { Body, Controller, Get, Param, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '@app/platform';
import { SetTargetDto, TargetIdParams } from './dto/set-target.dto';
import { TargetsService } from './targets.service';

@ApiTags('targets')
@Controller('v1/targets')
export class TargetsController {
  constructor(private readonly targets: TargetsService) {}

  @Put(':id')
  @ApiOperation({
    summary:
      'Create or replace a campaign target (admin), with its Vietnamese and English names; publishes registry.target.set v2 on a real change',
  })
  async set(@Param() { id }: TargetIdParams, @Body() body: SetTargetDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.targets.set({
      targetId: id,
      nameVi: (body.nameVi ?? body.name)!.normalize('NFC'),
      nameEn: (body.nameEn ?? body.name)!.normalize('NFC'),
      metric: body.metric,
      cohorts: body.cohorts,
      tree: body.tree,
      scopeUnitTypes: body.scopeUnitTypes ?? [],
      scopeLevels: body.scopeLevels ?? [],
      threshold: body.threshold,
      deadline: body.deadline,
      campaignStart: body.campaignStart ?? null,
      reportingWindowDays: body.reportingWindowDays,
    });
    void reply.status(result.outcome === 'created' ? 201 : 200);
    return { ...result.target, outcome: result.outcome };
  }

  @Get()
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: 'Every target' })
  async list() {
    return this.targets.list();
  }

  @Get(':id')
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: 'One target' })
  async get(@Param() { id }: TargetIdParams) {
    return this.targets.get(id);
  }
}
