import { Body, Controller, Get, Header, HttpCode, HttpException, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { CampaignCalendar, CurrentPrincipal, htmlResponse, Public, refuseCrossSite, Roles, type Principal } from '@app/platform';
import { UNIT_CODE_PATTERN } from '@app/contracts';
import { RosterImportParamDto } from '../rosters/dto/roster-upload.dto';
import { HeldImportError, type ImportRecord } from '../rosters/roster-import.model';
import { RosterImportFailed, RosterImportService } from '../rosters/roster-import.service';
import { RosterImportStore } from '../rosters/roster-import.store';
import { rosterMessage, type Lang } from '../rosters/roster-messages';
import { RosterScope } from '../rosters/roster-scope.service';
import { RosterFileError } from '../rosters/sources/roster-file.error';
import { WorkforceConfig } from '../workforce.config';
import { ROSTER_DROP_SCRIPT } from './assets/roster-drop.client';
import { RosterPageConfirmDto, RosterPageFormDto, RosterPageLoginDto, RosterPageQueryDto } from './dto/roster-page.dto';
import { pageLang, RosterPageAuthFilter } from './roster-page.auth.filter';
import { RosterPageEnterprises } from './roster-page.enterprises';
import { dmy, importPath, isoOfDmy, renderHome, renderImport, renderRefusal, ROSTER_PAGE } from './roster-page.render';
import { rosterSessionCookie } from './roster-page.session';
import { ROSTER_PAGE_WORDS } from './roster-page.words';

/** Answers a form with a 303 to a page (Post/Redirect/Get: a reload never posts twice). */
function seeOther(reply: FastifyReply, url: string): string {
  void reply.status(303).header('location', url);
  return '';
}

/**
 * The roster upload page of the EZ board and the enterprises (issue 20): choose an enterprise, drop a
 * CSV or XLSX file, see the dry run's preview, confirm or reject it; uploads held for a confirmation are
 * listed. A browser signs in once (HttpOnly cookie, roster-page.session.ts); every action goes through the
 * same service calls and scope checks as the roster API.
 */
@ApiTags('roster page')
@Controller('rosters')
@UseFilters(RosterPageAuthFilter)
export class RosterPageController {
  constructor(
    private readonly imports: RosterImportService,
    private readonly store: RosterImportStore,
    private readonly scope: RosterScope,
    private readonly enterprises: RosterPageEnterprises,
    private readonly calendar: CampaignCalendar,
    config: WorkforceConfig,
  ) {
    this.config = config;
  }

  private readonly config: WorkforceConfig;

  @Get()
  @Roles('ez_board', 'portal')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      'The roster upload page (HTML, Vietnamese; ?lang=en for English): the enterprises this key may upload for, the upload form and the uploads waiting for a confirmation',
  })
  async home(
    @Query() q: RosterPageQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.homePage(q.lang ?? 'vi', p, reply, { selected: q.enterprise });
  }

  private async homePage(lang: Lang, p: Principal, reply: FastifyReply, opts: { selected?: string; error?: string }): Promise<string> {
    const [enterprises, held, window] = await Promise.all([this.enterprises.forKey(p), this.heldFor(p), this.calendar.window()]);
    const names = await this.enterprises.names(held.map((r) => r.enterpriseCode));
    return renderHome(lang, htmlResponse(reply, lang, { scripts: true }), {
      enterprises,
      selected: opts.selected,
      today: window.today,
      held,
      names,
      maxShare: this.config.ROSTER_MAX_REMOVAL_SHARE,
      error: opts.error,
    });
  }

  /** Held uploads (previews and pending replacements) the key may read, oldest first, as the API lists them. */
  private async heldFor(p: Principal): Promise<ImportRecord[]> {
    const out: ImportRecord[] = [];
    for (const rec of await this.store.listHeld(1000)) {
      if (out.length >= 50) break;
      if (await this.scope.mayRead(p, rec.enterpriseCode)) out.push(rec);
    }
    return out;
  }

  @Post('preview')
  @Roles('ez_board', 'portal')
  @HttpCode(303)
  @ApiConsumes('multipart/form-data')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "The page's upload form (fields lang, enterprise, asOf, then the file): a dry run of the file, then 303 to its preview; a file refused as a whole is shown on the page (422)",
  })
  async preview(
    @Req() req: FastifyRequest,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const fields: Record<string, string> = {};
    let lang: Lang = pageLang(req);
    let outcome: { importId: string } | { error: string; status: number } | null = null;
    if (!req.isMultipart()) return this.refusedUpload(lang, p, reply, 422, ROSTER_PAGE_WORDS[lang].noFile);
    for await (const part of req.parts({ limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1 } })) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        if (fields.lang === 'vi' || fields.lang === 'en') lang = (req as FastifyRequest & { formLang?: Lang }).formLang = fields.lang;
        continue;
      }
      if (outcome) {
        part.file.resume();
        continue;
      }
      outcome = await this.dryRun(fields, part.file, lang, p);
    }
    if (!outcome) return this.refusedUpload(lang, p, reply, 422, ROSTER_PAGE_WORDS[lang].noFile, fields.enterprise);
    if ('error' in outcome) return this.refusedUpload(lang, p, reply, outcome.status, outcome.error, fields.enterprise);
    return seeOther(reply, `${importPath(outcome.importId)}?lang=${lang}`);
  }

  /** The file as a dry run for the enterprise chosen; a 403 of the scope is thrown (the filter shows it), a refused file answered. */
  private async dryRun(
    fields: Record<string, string>,
    file: Readable,
    lang: Lang,
    p: Principal,
  ): Promise<{ importId: string } | { error: string; status: number }> {
    const w = ROSTER_PAGE_WORDS[lang];
    const code = fields.enterprise ?? '';
    const asOf = isoOfDmy(fields.asOf ?? '') ?? '';
    const refuse = (status: number, error: string) => {
      file.resume();
      return { status, error };
    };
    if (!UNIT_CODE_PATTERN.test(code)) return refuse(422, w.noFile);
    try {
      await this.calendar.assertWithin({ asOf });
    } catch {
      const window = await this.calendar.window();
      return refuse(422, w.badDate(dmy(window.campaignStart), dmy(window.today)));
    }
    let unit: { type: string };
    try {
      unit = await this.scope.assertCanWrite(p, code, lang);
    } catch (err) {
      file.resume();
      if (err instanceof HttpException && err.getStatus() !== 403) return { status: err.getStatus(), error: w.unknownEnterprise(code) };
      throw err;
    }
    if (unit.type !== 'enterprise') return refuse(422, w.notEnterprise(code));
    try {
      const r = await this.imports.import({ enterpriseCode: code, asOf, keyId: p.keyId, body: file, dryRun: true });
      return { importId: r.importId };
    } catch (err) {
      if (!(err instanceof RosterImportFailed)) throw err;
      return {
        status: err.cause instanceof RosterFileError ? err.cause.status : 500,
        error: err.cause instanceof RosterFileError ? err.cause.text(lang) : w.importFailed,
      };
    }
  }

  private async refusedUpload(
    lang: Lang,
    p: Principal,
    reply: FastifyReply,
    status: number,
    error: string,
    selected?: string,
  ): Promise<string> {
    const html = await this.homePage(lang, p, reply, {
      selected: selected && UNIT_CODE_PATTERN.test(selected) ? selected : undefined,
      error,
    });
    void reply.status(status);
    return html;
  }

  @Get('imports/:id')
  @Roles('ez_board', 'portal')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "One upload's page: its preview (rows, refused rows and why, people joined and left, figures before → after), confirm / reject while held",
  })
  async importPage(
    @Param() params: RosterImportParamDto,
    @Query() q: RosterPageQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.showImport(params.id, q.lang ?? 'vi', p, reply);
  }

  private async showImport(id: string, lang: Lang, p: Principal, reply: FastifyReply, error?: string): Promise<string> {
    const rec = await this.store.find(id);
    if (!rec || !(await this.scope.mayRead(p, rec.enterpriseCode))) {
      void reply.status(404);
      return renderRefusal(lang, htmlResponse(reply, lang), ROSTER_PAGE_WORDS[lang].unknownImport);
    }
    const mayWrite = p.role === 'admin' || (await this.scope.mayWrite(p, rec.enterpriseCode));
    const names = await this.enterprises.names([rec.enterpriseCode]);
    return renderImport(lang, htmlResponse(reply, lang), {
      rec,
      name: names.get(rec.enterpriseCode) ?? rec.enterpriseCode,
      // As the API: an EZ-board key in scope or an admin confirms; a key that may write for the enterprise may reject.
      mayConfirm: mayWrite && (p.role === 'admin' || p.role === 'ez_board'),
      mayReject: mayWrite,
      maxShare: this.config.ROSTER_MAX_REMOVAL_SHARE,
      hours: this.config.ROSTER_HOLD_HOURS,
      error,
    });
  }

  @Post('imports/:id/confirm')
  @Roles('ez_board')
  @HttpCode(303)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Puts the upload shown in force (the token of its preview), then 303 back to it' })
  async confirm(
    @Param() params: RosterImportParamDto,
    @Body() body: RosterPageConfirmDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.decide(params.id, body.lang ?? 'vi', p, reply, () => this.imports.confirm(params.id, body.previewToken, p.keyId));
  }

  @Post('imports/:id/reject')
  @Roles('ez_board', 'portal')
  @HttpCode(303)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Drops the upload shown (the roster in force stays), then 303 back to it' })
  async reject(
    @Param() params: RosterImportParamDto,
    @Body() body: RosterPageFormDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.decide(params.id, body.lang ?? 'vi', p, reply, () => this.imports.reject(params.id, p.keyId));
  }

  /** As the API's decision: readable, then writable for the key (403 in the page's language), then the action. */
  private async decide(id: string, lang: Lang, p: Principal, reply: FastifyReply, action: () => Promise<unknown>): Promise<string> {
    const rec = await this.store.find(id);
    if (!rec || !(await this.scope.mayRead(p, rec.enterpriseCode))) return this.showImport(id, lang, p, reply);
    await this.scope.assertCanWrite(p, rec.enterpriseCode, lang);
    try {
      await action();
    } catch (err) {
      if (!(err instanceof HeldImportError)) throw err;
      const detail =
        err.reason === 'notHeld' ? rosterMessage('notHeld', { state: err.state }, lang) : rosterMessage(err.reason, undefined, lang);
      const html = await this.showImport(id, lang, p, reply, detail);
      void reply.status(err.reason === 'wrongToken' ? 422 : 409);
      return html;
    }
    return seeOther(reply, `${importPath(id)}?lang=${lang}`);
  }

  @Post('login')
  @Public()
  @HttpCode(303)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Keeps the key in an HttpOnly cookie and goes to the page (which checks the key)' })
  login(@Body() body: RosterPageLoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string {
    refuseCrossSite(req, 'the roster page login accepts forms from its own pages only');
    void reply.header('set-cookie', rosterSessionCookie(body.key, req.protocol === 'https'));
    return seeOther(reply, `${ROSTER_PAGE}?lang=${body.lang ?? 'vi'}`);
  }

  @Post('logout')
  @Public()
  @HttpCode(303)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Forgets the key kept in the cookie' })
  logout(@Body() body: RosterPageFormDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string {
    refuseCrossSite(req, 'the roster page logout accepts forms from its own pages only');
    void reply.header('set-cookie', rosterSessionCookie(null, req.protocol === 'https'));
    return seeOther(reply, `${ROSTER_PAGE}?lang=${body.lang ?? 'vi'}`);
  }

  @Get('assets/roster-drop.js')
  @Public()
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  @ApiExcludeEndpoint()
  script(): string {
    return ROSTER_DROP_SCRIPT;
  }
}
