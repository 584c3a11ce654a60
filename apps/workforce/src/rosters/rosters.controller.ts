import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { CampaignCalendar, CurrentPrincipal, ProblemException, Roles, type Principal } from '@app/platform';
import { ROSTER_CONTENT_TYPES, XLSX_CONTENT_TYPE } from '../http/roster-body.parsers';
import {
  EnterpriseParamDto,
  RosterImportDto,
  RosterImportListQueryDto,
  RosterImportParamDto,
  RosterUploadQueryDto,
  RosterUploadResultDto,
} from './dto/roster-upload.dto';
import { RosterImportFailed, RosterImportService } from './roster-import.service';
import { RosterImportStore, type ImportRecord } from './roster-import.store';
import { RosterScope } from './roster-scope.service';
import { langOf, rosterMessage } from './roster-messages';
import { RosterFileError } from './sources/roster-file.error';

@ApiTags('rosters')
@Controller('v1')
export class RostersController {
  constructor(
    private readonly imports: RosterImportService,
    private readonly store: RosterImportStore,
    private readonly scope: RosterScope,
    private readonly calendar: CampaignCalendar,
  ) {}

  @Post('enterprises/:code/rosters')
  @Roles('ez_board', 'portal')
  @HttpCode(201)
  @ApiOperation({
    summary: "Replace an enterprise's worker roster as of a date (CSV or XLSX, streamed)",
    description:
      'Columns employee_id, has_smartphone, installed, bluetooth_on (English or Vietnamese headers); flags có/không, x/blank, 1/0, yes/no, true/false. ' +
      'Name and phone columns are read past and never stored. Employee ids are kept only as a keyed hash. ' +
      'The body is text/csv, an .xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream), ' +
      'or multipart/form-data with one file part. Answers once the roster is in force; GET /v1/roster-imports/{id} shows progress meanwhile.',
  })
  @ApiConsumes('text/csv', XLSX_CONTENT_TYPE, 'application/octet-stream', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 201, type: RosterUploadResultDto })
  @ApiResponse({ status: 415, description: 'Not a CSV or XLSX file' })
  @ApiResponse({ status: 422, description: 'No recognisable header, empty, malformed, or no row accepted: nothing changed' })
  async upload(
    @Param() params: EnterpriseParamDto,
    @Query() query: RosterUploadQueryDto,
    @Req() req: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RosterUploadResultDto> {
    await this.calendar.assertWithin({ asOf: query.asOf });
    const lang = langOf(req.headers['accept-language']);
    const unit = await this.scope.assertCanWrite(principal, params.code, lang);
    if (unit.type !== 'enterprise') {
      throw new ProblemException(422, `org unit ${params.code} is a ${unit.type}, not an enterprise`, [
        { field: 'code', message: 'rosters are uploaded for units of type enterprise' },
      ]);
    }
    const body = await this.bodyOf(req);
    try {
      const r = await this.imports.import({ enterpriseCode: params.code, asOf: query.asOf, keyId: principal.keyId, body });
      return {
        importId: r.importId,
        revision: r.revision,
        rowsRead: r.rowsRead,
        rowsAccepted: r.rowsAccepted,
        rowsRejected: r.rowsRejected,
        rejected: r.rejected,
        rejectedNotListed: r.rejectedNotListed,
        ...r.aggregates,
        diff: r.diff,
      };
    } catch (err) {
      if (!(err instanceof RosterImportFailed)) throw err;
      const cause = err.cause;
      const extra = { importId: err.importId, rowsRejected: err.rowsRejected, rejected: err.rejected };
      if (cause instanceof RosterFileError) {
        const detail = cause.text(lang);
        throw new ProblemException(cause.status, detail, [{ field: 'body', message: detail }], extra);
      }
      if (cause instanceof ProblemException) throw cause;
      throw new ProblemException(
        500,
        `${err.message.startsWith('interrupted') ? err.message : 'the import failed'}; the previous roster stays in force`,
        undefined,
        extra,
      );
    }
  }

  /** The file stream, whichever way it was sent; nothing is read before the key and scope are checked. */
  private async bodyOf(req: FastifyRequest): Promise<AsyncIterable<Buffer | string>> {
    const lang = langOf(req.headers['accept-language']);
    if (req.isMultipart()) {
      const part = await req.file({ limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1 } });
      if (!part) {
        const detail = rosterMessage('noFilePart', undefined, lang);
        throw new ProblemException(422, detail, [{ field: 'file', message: detail }]);
      }
      return part.file;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!ROSTER_CONTENT_TYPES.includes(type)) {
      throw new ProblemException(415, rosterMessage('wrongContentType', { type }, lang), [
        { field: 'content-type', message: 'unsupported media type' },
      ]);
    }
    const body = req.body as Readable | undefined | null;
    if (!body || typeof (body as Partial<Readable>)[Symbol.asyncIterator] !== 'function') {
      const detail = rosterMessage('fileEmpty', undefined, lang);
      throw new ProblemException(422, detail, [{ field: 'body', message: detail }]);
    }
    return body;
  }

  @Get('roster-imports/:id')
  @Roles('ez_board', 'portal', 'analyst')
  @ApiOperation({ summary: 'Progress and outcome of one roster upload (rows read, state, rejected lines, aggregates, diff)' })
  @ApiResponse({ status: 200, type: RosterImportDto })
  async get(@Param() params: RosterImportParamDto, @CurrentPrincipal() principal: Principal): Promise<RosterImportDto> {
    const rec = await this.store.find(params.id);
    if (!rec || !(await this.scope.mayRead(principal, rec.enterpriseCode))) {
      // Same answer for "absent" and "not yours": an import id says nothing about other enterprises.
      throw new NotFoundException({ detail: `no roster import ${params.id}` });
    }
    return present(rec);
  }

  @Get('enterprises/:code/roster-imports')
  @Roles('ez_board', 'portal', 'analyst')
  @ApiOperation({ summary: "An enterprise's roster uploads, newest first (to follow one that is still running)" })
  @ApiResponse({ status: 200, type: [RosterImportDto] })
  async list(
    @Param() params: EnterpriseParamDto,
    @Query() q: RosterImportListQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ): Promise<RosterImportDto[]> {
    await this.scope.assertCanRead(principal, params.code, langOf(req.headers['accept-language']));
    return (await this.store.listFor(params.code, q.limit ?? 20)).map(present);
  }
}

function present(r: ImportRecord): RosterImportDto {
  return { ...r, rejectedNotListed: r.rowsRejected - r.rejected.length };
}
