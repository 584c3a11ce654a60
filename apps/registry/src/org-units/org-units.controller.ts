import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, ProblemException, Roles, ScopeService, type Principal } from '@app/platform';
import { RetireOrgUnitDto, UnitCodeParams, UpsertOrgUnitDto } from './dto/upsert-org-unit.dto';
import { ListOrgUnitsQuery } from './dto/list-org-units.query';
import { normaliseHead } from './org-unit.rules';
import { OrgUnitsService } from './org-units.service';

@ApiTags('org-units')
@Controller('v1/org-units')
export class OrgUnitsController {
  constructor(
    private readonly units: OrgUnitsService,
    private readonly scope: ScopeService,
  ) {}

  @Put(':code')
  @ApiOperation({ summary: 'Create or replace an org unit (admin). 201 when created, 200 otherwise; publishes only a real change.' })
  @ApiResponse({ status: 422, description: 'a rule is broken: parent type, missing or retired parent, cycle, bloc' })
  async upsert(@Param() { code }: UnitCodeParams, @Body() body: UpsertOrgUnitDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.units.upsert({
      code,
      name: body.name.normalize('NFC'),
      type: body.type,
      bloc: body.bloc ?? null,
      adminParentCode: body.adminParentCode ?? null,
      accountableToCode: body.accountableToCode ?? null,
      head: body.head ? normaliseHead(body.head) : null,
    });
    void reply.status(result.outcome === 'created' ? 201 : 200);
    return { ...result.unit, outcome: result.outcome };
  }

  @Post('import')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'CSV with columns code,name,type,level,parent_code (as data/tra-vinh-units.csv) and optional unit_type,bloc,accountable_to_code,head_name,head_title,head_phone,head_email',
    schema: { type: 'string' },
  })
  @ApiOperation({ summary: 'Import org units from CSV (admin): all or nothing; every bad line is listed with its number and reason' })
  @ApiResponse({ status: 422, description: 'bad lines (problem+json, `rejected: [{line, reason}]`); nothing stored, nothing published' })
  async import(@Body() body: unknown) {
    if (typeof body !== 'string')
      throw new ProblemException(415, 'send the file as the request body with Content-Type: text/csv', [
        { field: 'body', message: 'expected text/csv' },
      ]);
    return this.units.importCsv(body);
  }

  @Post(':code/retire')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire an org unit (admin): it stays, with its history, marked inactive' })
  async retire(@Param() { code }: UnitCodeParams, @Body() body: RetireOrgUnitDto) {
    const result = await this.units.retire(code, body.retiredOn);
    return { ...result.unit, outcome: result.outcome };
  }

  @Get(':code')
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: 'One unit with its parents (nearest first) and direct children on both trees' })
  async get(@Param() { code }: UnitCodeParams, @CurrentPrincipal() principal: Principal) {
    if (principal.role === 'portal') await this.scope.assertCanRead(principal, code);
    return this.units.describe(code);
  }

  @Get()
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: 'Units by parent, type, level and tree, paginated: {items, total, limit, offset}' })
  async list(@Query() query: ListOrgUnitsQuery, @CurrentPrincipal() principal: Principal) {
    return this.units.list(query, principal);
  }
}
