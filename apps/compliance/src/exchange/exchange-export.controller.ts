import { Controller, Get, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { addDays } from '@app/domain';
import { CurrentPrincipal, ProblemException, Roles, ScopeService, type Principal } from '@app/platform';
import { markFreshness } from '../common/respond';
import { ExportQueryDto } from './dto/export-query.dto';
import { adxOf, dataValueSetOf, ExchangeExportService } from './exchange-export.service';

const DEFAULT_DATA_SET = 'BLUEZONE_DAILY';
const NOTE =
  'The latest revision of every report of the period and the subtree, one value per count mapped in the registry mapping table ' +
  '(GET /v1/exchange/mapping on the registry); counts without a mapping are left out; units without an org-unit mapping keep their code. ' +
  'Importing the file again (intake POST /v1/reports/adx or /v1/reports/data-value-sets) changes nothing.';

@ApiTags('exchange')
@Controller('v1/exports')
export class ExchangeExportController {
  constructor(
    private readonly exports: ExchangeExportService,
    private readonly scope: ScopeService,
  ) {}

  @Get('adx')
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: 'Reports of a period and a subtree as an ADX message (IHE QRPH ADX, application/adx+xml)', description: NOTE })
  @ApiProduces('application/adx+xml')
  async adx(@Query() q: ExportQueryDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const values = await this.read(q, p, reply);
    return new StreamableFile(Readable.from(adxOf(values, q.dataSet ?? DEFAULT_DATA_SET, new Date().toISOString())), {
      type: 'application/adx+xml; charset=utf-8',
      disposition: `attachment; filename="bluezone-${q.unit}-${q.from}-${q.to}.adx.xml"`,
    });
  }

  @Get('data-value-sets')
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: 'Reports of a period and a subtree as a DHIS2 data value set (JSON)', description: NOTE })
  @ApiProduces('application/json')
  async dataValueSets(@Query() q: ExportQueryDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const values = await this.read(q, p, reply);
    return new StreamableFile(Readable.from(dataValueSetOf(values, q.dataSet ?? DEFAULT_DATA_SET, q.to)), {
      type: 'application/json; charset=utf-8',
      disposition: `attachment; filename="bluezone-${q.unit}-${q.from}-${q.to}.json"`,
    });
  }

  private async read(q: ExportQueryDto, p: Principal, reply: FastifyReply) {
    if (q.from > q.to)
      throw new ProblemException(400, 'from is after to', [{ field: 'from', message: `from (${q.from}) must not be after to (${q.to})` }]);
    if (addDays(q.from, 366) <= q.to)
      throw new ProblemException(400, 'period too long', [{ field: 'from', message: 'from and to must be at most 366 days apart' }]);
    await this.scope.assertCanRead(p, q.unit);
    const { asOfEvent, values } = await this.exports.values(q);
    markFreshness(reply, asOfEvent);
    return values;
  }
}
