import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsCalendarDate } from '@app/contracts';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';
import { ContactAccessService } from '../common/contacts';

export class ContactAccessQueryDto {
  @ApiPropertyOptional({ description: 'Only the reads of this key (its id, as GET /v1/api-keys of the registry lists it)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  key?: string;

  @ApiPropertyOptional({ example: '2020-08-30', description: 'Only reads on or after this day' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @QueryInt({ min: 1, max: 1000, description: 'Rows per page (default 100)' })
  limit?: number;

  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 })
  offset?: number;
}

/** Who read heads' contacts in full (personal data, docs/data-protection.md): admins only (no @Roles). */
@ApiTags('compliance')
@Controller('v1/contact-access')
export class ContactAccessController {
  constructor(private readonly contacts: ContactAccessService) {}

  @Get()
  @ApiOperation({
    summary:
      "The record of every read or export that showed heads' phone or e-mail in full: which key (id, role, unit), when (Vietnam time), which route, how many units and which; newest first (admin)",
  })
  async list(@Query() q: ContactAccessQueryDto) {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    return { ...(await this.contacts.list({ keyId: q.key, from: q.from, limit, offset })), limit, offset };
  }
}
