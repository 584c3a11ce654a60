import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import {
  CurrentPrincipal,
  IDEMPOTENCY_API_HEADER,
  IDEMPOTENCY_HEADER,
  idempotencyKeyOf,
  ProblemException,
  replyWith,
  Roles,
  type Principal,
} from '@app/platform';
import { REPORT_WRITERS } from '../reports/reports.controller';
import { readAdx } from './adx-reader';
import { DATA_VALUE_SETS_MAX_BYTES, readDataValueSet } from './data-value-sets-reader';
import { ExchangeImportResultDto } from './dto/exchange-import.dto';
import { EXCHANGE_MESSAGES, langOf, say } from './exchange-messages';
import { ExchangeImportService, MAX_DATA_VALUES } from './exchange-import.service';

/** Bytes an ADX file may have (read as a stream; 413 beyond). */
export const ADX_MAX_BYTES = 64 * 1024 * 1024;

const ADX_EXAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2020-08-25T17:00:00Z">
  <group orgUnit="29236" period="2020-08-25/P1D" dataSet="BLUEZONE_DAILY">
    <dataValue dataElement="BZ_HEADCOUNT" COHORT="RESIDENTS" value="1000"/>
    <dataValue dataElement="BZ_SMARTPHONE" COHORT="RESIDENTS" value="800"/>
    <dataValue dataElement="BZ_INSTALLED" COHORT="RESIDENTS" value="500"/>
    <dataValue dataElement="BZ_BLUETOOTH_ON" COHORT="RESIDENTS" value="450"/>
  </group>
</adx>`;

const MAPPING_NOTE =
  'Data elements map to a cohort and a count, org-unit codes to our unit codes, through the mapping table ' +
  '(registry: GET/PUT /v1/exchange/mapping); an org-unit code with no mapping is taken as our own. Only daily periods. ' +
  'The data values of one unit, cohort and day make one report, checked and written exactly as a /v1/reports/batch item ' +
  '(same rules, same per-item errors, same Idempotency-Key behaviour); data values that belong to no report are listed in `unplaced`.';

@ApiTags('reports')
@Controller('v1/reports')
export class ExchangeController {
  constructor(private readonly imports: ExchangeImportService) {}

  @Post('adx')
  @HttpCode(HttpStatus.OK)
  @Roles(...REPORT_WRITERS)
  @ApiOperation({
    summary: 'Import reports from an ADX message (IHE QRPH ADX, application/adx+xml), read as a stream',
    description: `${MAPPING_NOTE} Periods are ISO 8601 start/duration of one day (2020-08-25/P1D). At most ${ADX_MAX_BYTES / 1048576} MB and ${MAX_DATA_VALUES} data values (413). A DOCTYPE is refused (400).`,
  })
  @ApiConsumes('application/adx+xml')
  @ApiBody({ schema: { type: 'string', example: ADX_EXAMPLE } })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 200, type: ExchangeImportResultDto })
  async adx(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExchangeImportResultDto> {
    const lang = langOf(acceptLanguage);
    if (!(body instanceof Readable)) {
      const detail = say(EXCHANGE_MESSAGES.adxContentType, lang, { type: contentType ?? '' });
      throw new ProblemException(415, detail, [{ field: 'body', message: detail }]);
    }
    idempotencyKeyOf(idempotencyKey);
    const values = await readAdx(body, { maxBytes: ADX_MAX_BYTES, maxValues: MAX_DATA_VALUES }, lang);
    return replyWith(reply, await this.imports.import(principal, values, 'adx', idempotencyKey, lang));
  }

  @Post('data-value-sets')
  @HttpCode(HttpStatus.OK)
  @Roles(...REPORT_WRITERS)
  @ApiOperation({
    summary: 'Import reports from a DHIS2 data value set (JSON, as POST /api/dataValueSets takes it)',
    description: `${MAPPING_NOTE} Periods are DHIS2 daily periods (20200825); a value's period and orgUnit default to the set's, its categoryOptionCombo to the default combo. At most ${DATA_VALUE_SETS_MAX_BYTES / 1048576} MB (413) and ${MAX_DATA_VALUES} data values.`,
  })
  @ApiBody({
    schema: {
      type: 'object',
      example: {
        dataSet: 'BLUEZONE_DAILY',
        period: '20200825',
        orgUnit: '29236',
        dataValues: [
          { dataElement: 'BZ_HEADCOUNT', categoryOptionCombo: 'RESIDENTS', value: '1000' },
          { dataElement: 'BZ_SMARTPHONE', categoryOptionCombo: 'RESIDENTS', value: '800' },
          { dataElement: 'BZ_INSTALLED', categoryOptionCombo: 'RESIDENTS', value: '500' },
          { dataElement: 'BZ_BLUETOOTH_ON', categoryOptionCombo: 'RESIDENTS', value: '450' },
        ],
      },
    },
  })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiResponse({ status: 200, type: ExchangeImportResultDto })
  async dataValueSets(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExchangeImportResultDto> {
    const lang = langOf(acceptLanguage);
    idempotencyKeyOf(idempotencyKey);
    const values = readDataValueSet(body, MAX_DATA_VALUES, lang);
    return replyWith(reply, await this.imports.import(principal, values, 'dhis2', idempotencyKey, lang));
  }
}
