import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '@app/contracts';
import { CurrentPrincipal, Roles } from './auth.decorators';
import type { Principal } from './principal';

@ApiTags('operations')
@Controller('v1/whoami')
export class WhoAmIController {
  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'The key this request was made with: its id, role and unit (never the key itself)' })
  whoami(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
