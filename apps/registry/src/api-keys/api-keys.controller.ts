import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyIdParams, IssueApiKeyDto, ListApiKeysQuery } from './dto/issue-api-key.dto';
import { ApiKeysService } from './api-keys.service';

/** Admin only (no @Roles): keys are what every other service trusts. */
@ApiTags('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Issue a key (admin). The key is in this response only; the registry keeps its SHA-256.' })
  @ApiResponse({ status: 201, description: '{id, key, role, orgUnitCode, label, issuedAt}' })
  async issue(@Body() body: IssueApiKeyDto) {
    return this.keys.issue({ role: body.role, orgUnitCode: body.orgUnitCode ?? null, label: body.label ?? null });
  }

  @Get()
  @ApiOperation({ summary: 'List keys (admin): never the key nor its hash' })
  async list(@Query() q: ListApiKeysQuery) {
    return { items: await this.keys.list(q) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key (admin); every service refuses it within seconds' })
  async revoke(@Param() { id }: ApiKeyIdParams) {
    return this.keys.revoke(id);
  }
}
