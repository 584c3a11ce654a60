import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, ScopeService, type Principal } from '@app/platform';
import { UnitCodeParams } from '../org-units/dto/upsert-org-unit.dto';
import { CohortParams, SetCohortDto } from './dto/set-cohort.dto';
import { CohortsService } from './cohorts.service';

@ApiTags('cohorts')
@Controller('v1/org-units/:code/cohorts')
export class CohortsController {
  constructor(
    private readonly cohorts: CohortsService,
    private readonly scope: ScopeService,
  ) {}

  @Put(':cohort')
  @ApiOperation({ summary: "Set a cohort's denominator (admin): a commune's residents, a department's staff, as of a date" })
  async set(@Param() p: CohortParams, @Body() body: SetCohortDto) {
    return this.cohorts.set({ orgUnitCode: p.code, cohort: p.cohort, headcount: body.headcount, asOf: body.asOf });
  }

  @Get()
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: "A unit's cohort denominators, newest asOf first per cohort" })
  async list(@Param() { code }: UnitCodeParams, @CurrentPrincipal() principal: Principal) {
    if (principal.role === 'portal') await this.scope.assertCanRead(principal, code);
    return this.cohorts.list(code);
  }
}
