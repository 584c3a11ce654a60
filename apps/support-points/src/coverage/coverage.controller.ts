import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { CoverageService, type Coverage } from './coverage.service';
import { CoverageQuery } from './dto/coverage.query';

@ApiTags('coverage')
@Controller('v1/coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  @Get()
  @Roles('analyst', 'portal', 'telecom')
  @ApiOperation({ summary: 'Communes with and without an open support point on a date, optionally under a district: where help is missing' })
  async get(@Query() q: CoverageQuery, @CurrentPrincipal() principal: Principal): Promise<Coverage> {
    return this.coverage.coverage(principal, q);
  }
}
