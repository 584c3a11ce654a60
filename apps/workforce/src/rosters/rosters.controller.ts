import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { CampaignCalendar, CurrentPrincipal, ProblemException, Roles, type Principal } from '@app/platform';
import { ROSTER_CONTENT_TYPES, XLSX_CONTENT_TYPE } from '../http/roster-body.parsers';
import {
  ConfirmHeldImportDto,
  EnterpriseParamDto,
  RosterImportDto,
  RosterImportListQueryDto,
  RosterImportParamDto,
  RosterUploadQueryDto,
  RosterUploadResultDto,
} from './dto/roster-upload.dto';
import { RosterImportFailed, RosterImportService } from './roster-import.service';
import { HeldImportError, type ImportRecord } from './roster-import.model';
import { RosterImportStore } from './roster-import.store';
import { RosterScope } from './roster-scope.service';
import { langOf, rosterMessage, type Lang } from './roster-messages';
import { WorkforceConfig } from '../workforce.config';
import { RosterFileError } from './sources/roster-file.error';

@ApiTags('rosters')
@Controller('v1')
export class RostersController {
  constructor(
    private readonly imports: RosterImportService,
    private readonly store: RosterImportStore,
    private readonly scope: RosterScope,
    private readonly calendar: CampaignCalendar,
    config: WorkforceConfig,
  ) {
    this.config = config;
  }

  private readonly config: WorkforceConfig;

  @Post('enterprises/:code/rosters')
  @Roles('ez_board', 'portal')
  @HttpCode(201)
  @ApiOperation({
    summary: "Replace an enterprise's worker roster as of a date (CSV or XLSX, streamed)",
    description:
      'Columns employee_id, has_smartphone, installed, bluetooth_on (English or Vietnamese headers); flags có/không, x/blank, 1/0, yes/no, true/false. ' +
      'Name and phone columns are read past and never stored. Employee ids are kept only as a keyed hash. ' +
      'The body is text/csv, an .xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream), ' +
      'or multipart/form-data with one file part. Answers once the roster is judged; GET /v1/roster-imports/{id} shows progress meanwhile. ' +
      'Rows are refused (listed with line and reason, counted in rowsRejected, never counted as workers) when a flag is unknown, a CSV record has too few ' +
      'fields or a value past the header, or an id repeats. ' +
      '201: in force. 200 with state "preview": a dry run (?dryRun=true), nothing changed. 202 with state "pending": the file removes more than ' +
      'ROSTER_MAX_REMOVAL_SHARE of the roster in force and is held, nothing changed, until POST /v1/roster-imports/{id}/confirm with its previewToken.',
  })
  @ApiConsumes('text/csv', XLSX_CONTENT_TYPE, 'application/octet-stream', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 201, type: RosterUploadResultDto, description: 'In force' })
  @ApiResponse({ status: 200, type: RosterUploadResultDto, description: 'A dry run: the preview, nothing changed' })
  @ApiResponse({
    status: 202,
    type: RosterUploadResultDto,
    description: 'Held as pending: removes too much of the roster in force; nothing changed',
  })
  @ApiResponse({ status: 415, description: 'Not a CSV or XLSX file' })
  @ApiResponse({ status: 422, description: 'No recognisable header, empty, malformed, or no row accepted: nothing changed' })
  async upload(
    @Param() params: EnterpriseParamDto,
    @Query() query: RosterUploadQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
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
      const r = await this.imports.import({
        enterpriseCode: params.code,
        asOf: query.asOf,
        keyId: principal.keyId,
        body,
        dryRun: query.dryRun,
      });
      void reply.status(r.state === 'completed' ? 201 : r.state === 'preview' ? 200 : 202);
      return {
        importId: r.importId,
        state: r.state,
        previewToken: r.previewToken,
        message: this.heldMessage(r, lang),
        figures: { before: r.before, after: r.aggregates },
        removalShare: r.removalShare,
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

  private heldMessage(
    r: { state: string; diff: { left: number }; before: { headcount: number } | null; removalShare: number | null },
    lang: Lang,
  ): string | null {
    const hours = this.config.ROSTER_HOLD_HOURS;
    if (r.state === 'preview') return rosterMessage('preview', { hours }, lang);
    if (r.state !== 'pending') return null;
    return rosterMessage(
      'heldPending',
      {
        left: r.diff.left,
        previous: r.before?.headcount ?? 0,
        share: r.removalShare ?? 0,
        maxShare: this.config.ROSTER_MAX_REMOVAL_SHARE,
        hours,
      },
      lang,
    );
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
    return this.present(await this.readable(params.id, principal), principal);
  }

  /** An import the key may read; the same 404 for "absent" and "not yours" (an id says nothing about other enterprises). */
  private async readable(id: string, principal: Principal): Promise<ImportRecord> {
    const rec = await this.store.find(id);
    if (!rec || !(await this.scope.mayRead(principal, rec.enterpriseCode)))
      throw new NotFoundException({ detail: `no roster import ${id}` });
    return rec;
  }

  @Get('roster-imports')
  @Roles('ez_board', 'portal', 'analyst')
  @ApiOperation({
    summary: "Roster uploads waiting for a confirmation (dry-run previews and pending replacements) within the key's scope, oldest first",
  })
  @ApiResponse({ status: 200, type: [RosterImportDto] })
  async listHeld(@Query() q: RosterImportListQueryDto, @CurrentPrincipal() principal: Principal): Promise<RosterImportDto[]> {
    const out: RosterImportDto[] = [];
    for (const rec of await this.store.listHeld(1000)) {
      if (out.length >= (q.limit ?? 20)) break;
      if (await this.scope.mayRead(principal, rec.enterpriseCode)) out.push(await this.present(rec, principal));
    }
    return out;
  }

  @Post('roster-imports/:id/confirm')
  @Roles('ez_board')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Puts a held upload (a preview or a pending replacement) in force, with the token of its preview (an EZ-board key in scope, or an admin)',
    description:
      '409 when the upload is not held any more (confirmed, rejected, superseded by a newer upload, expired) or the roster in force changed since the preview; ' +
      '422 when the token does not match. The event published is the one a direct upload would have published.',
  })
  @ApiResponse({ status: 200, type: RosterImportDto })
  async confirm(
    @Param() params: RosterImportParamDto,
    @Body() body: ConfirmHeldImportDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ): Promise<RosterImportDto> {
    return this.decide(params.id, principal, req, () => this.imports.confirm(params.id, body.previewToken, principal.keyId));
  }

  @Post('roster-imports/:id/reject')
  @Roles('ez_board', 'portal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drops a held upload (a preview or a pending replacement); the roster in force stays, its rows are erased' })
  @ApiResponse({ status: 200, type: RosterImportDto })
  async reject(
    @Param() params: RosterImportParamDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ): Promise<RosterImportDto> {
    return this.decide(params.id, principal, req, () => this.imports.reject(params.id, principal.keyId));
  }

  /** A decision on a held upload by a key that may write for its enterprise; answers the upload as it is after. */
  private async decide(id: string, principal: Principal, req: FastifyRequest, action: () => Promise<unknown>): Promise<RosterImportDto> {
    const lang = langOf(req.headers['accept-language']);
    const rec = await this.readable(id, principal);
    await this.scope.assertCanWrite(principal, rec.enterpriseCode, lang);
    try {
      await action();
      return this.present(await this.readable(id, principal), principal);
    } catch (err) {
      if (!(err instanceof HeldImportError)) throw err;
      const detail =
        err.reason === 'notHeld' ? rosterMessage('notHeld', { state: err.state }, lang) : rosterMessage(err.reason, undefined, lang);
      const field = err.reason === 'wrongToken' ? 'previewToken' : 'id';
      throw new ProblemException(err.reason === 'wrongToken' ? 422 : 409, detail, [{ field, message: detail }], { state: err.state });
    }
  }

  /** The token of a held upload is shown only to whom may confirm it: an EZ-board key in scope (RosterScope), or an admin. */
  private async present(r: ImportRecord, principal: Principal): Promise<RosterImportDto> {
    const mayConfirm =
      principal.role === 'admin' || (principal.role === 'ez_board' && (await this.scope.mayWrite(principal, r.enterpriseCode)));
    return { ...r, previewToken: mayConfirm ? r.previewToken : null, rejectedNotListed: r.rowsRejected - r.rejected.length };
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
    const recs = await this.store.listFor(params.code, q.limit ?? 20, q.held === true);
    return Promise.all(recs.map((r) => this.present(r, principal)));
  }
}
