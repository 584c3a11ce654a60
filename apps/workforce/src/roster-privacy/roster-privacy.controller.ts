import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { EnterpriseParamDto } from '../rosters/dto/roster-upload.dto';
import { langOf } from '../rosters/roster-messages';
import { RosterScope } from '../rosters/roster-scope.service';
import { RosterErasureRequestDto, RosterErasureResultDto } from './dto/roster-erasure.dto';
import { RosterPrivacyService } from './roster-privacy.service';

@ApiTags('rosters')
@Controller('v1')
export class RosterPrivacyController {
  constructor(
    private readonly privacy: RosterPrivacyService,
    private readonly scope: RosterScope,
  ) {}

  // A POST with the id in the body, not a DELETE with it in the path: paths end up in access logs.
  @Post('enterprises/:code/roster-erasures')
  @Roles('ez_board')
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase one worker's roster rows on request (personal data law 91/2025/QH15)",
    description:
      'Every stored row of the worker in this enterprise (matched through the keyed hash rows are stored under) is deleted; ' +
      'the answer lists the uploads they were erased from. Counts already computed and published stay. Admin keys, or EZ-board keys whose unit covers the enterprise.',
  })
  @ApiResponse({ status: 200, type: RosterErasureResultDto })
  async erase(
    @Param() params: EnterpriseParamDto,
    @Body() body: RosterErasureRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ): Promise<RosterErasureResultDto> {
    await this.scope.assertCanErase(principal, params.code, langOf(req.headers['accept-language']));
    return this.privacy.eraseEmployee(params.code, body.employeeId, principal);
  }
}
