import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Redirect, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, ProblemException, Public, Roles, ScopeService, type Principal } from '@app/platform';
import { markFreshness } from '../common/respond';
import { addDays } from '@app/domain';
import { UNIT_CODE_PATTERN } from '@app/contracts';
import { dashboardHtml, mayUploadRosters, query, withRosterLink } from './dashboard-html';
import { ComplianceConfig } from '../compliance.config';
import { renderDashboard, renderRefusal } from './dashboard.render';
import { renderUnit } from './dashboard-unit.render';
import { withFollowUps } from './follow-ups.dashboard';
import { QualityService } from '../quality/quality.service';
import { DashboardService } from './dashboard.service';
import { DASHBOARD_WORDS } from './dashboard.words';
import { DashboardAuthFilter } from './dashboard-auth.filter';
import { ASSET_CACHE, echartsSource, TREND_SCRIPT } from './dashboard-assets';
import { sendTable } from './dashboard-export';
import { BROADCASTS_TABLE, COVERAGE_TABLE, DISTRICTS_TABLE, LAGGARDS_TABLE, TARGETS_TABLE, type TableSpec } from './dashboard-tables';
import {
  ACTIVITIES_TABLE,
  CHILDREN_TABLE,
  FIGURES_TABLE,
  REPORTS_TABLE,
  SERIES_TABLE,
  STATUSES_TABLE,
  SUPPORT_POINTS_TABLE,
  type SeriesRow,
} from './dashboard-unit-tables';
import { refuseCrossSite, sessionCookie } from './dashboard-session';
import {
  DashboardExportQueryDto,
  DashboardLoginDto,
  DashboardLogoutDto,
  DashboardQueryDto,
  DashboardSeriesQueryDto,
} from './dto/dashboard-query.dto';

/**
 * Where login and logout send the browser back to: the dashboard, for the same day and language; after a login, the
 * unit's page the form was shown on, when it was (a link to it followed without a key).
 */
const back = (q: DashboardQueryDto & { unit?: string }) => ({
  url: `${q.unit ? `/dashboard/units/${encodeURIComponent(q.unit)}` : '/'}${query({ date: q.date, lang: q.lang })}`,
  statusCode: 303,
});

const OVERVIEW_TABLES = ['targets', 'districts', 'laggards', 'coverage', 'broadcasts'] as const;
const UNIT_TABLES = [
  'statuses',
  'figures',
  'children-administrative',
  'children-accountability',
  'reports',
  'activities',
  'support-points',
] as const;

const readsAll = (p: Principal) => p.role === 'admin' || p.role === 'analyst';

/**
 * The pages the DIC, the chairman's office and every district, commune and agency open: the overview of
 * the province (keys that read everything), each unit's page, their tables as files and their trends.
 * A scoped (portal) key sees its own unit and what lies under it, on every route here.
 */
@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly scope: ScopeService,
    private readonly quality: QualityService,
    private readonly config: ComplianceConfig,
  ) {}

  /** The roster upload page (workforce service) among the header's tools, for keys that may upload. */
  private rosterLink(html: string, p: Principal, lang: 'vi' | 'en'): string {
    return mayUploadRosters(p.role) ? withRosterLink(html, lang, this.config.WORKFORCE_PUBLIC_URL) : html;
  }

  @Get(['/', 'dashboard'])
  @Roles('analyst', 'portal')
  @UseFilters(DashboardAuthFilter)
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "The dashboard (HTML, Vietnamese; ?lang=en for English; ?date= defaults to the latest day with data): the province's overview, or for a district, commune or agency key its own unit's page. A browser logs in once through the form it is shown (HttpOnly cookie); programs send the Bearer key.",
  })
  async page(
    @Query() q: DashboardQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const lang = q.lang ?? 'vi';
    if (!readsAll(p)) return this.unitPage(this.ownUnit(p), q, p, reply);
    const view = await this.dashboard.build(q.date, p);
    markFreshness(reply, view.asOfEvent);
    return withFollowUps(this.rosterLink(renderDashboard(view, lang, dashboardHtml(reply, lang)), p, lang), this.quality, p, {
      date: view.date,
      lang,
    });
  }

  @Get('dashboard/units/:code')
  @Roles('analyst', 'portal')
  @UseFilters(DashboardAuthFilter)
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "A unit's page: figures per cohort, statuses, trend chart, children worst first on both trees, its reports, the activity and support points of its area (printable)",
  })
  async unit(
    @Param('code') code: string,
    @Query() q: DashboardQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.unitPage(code, q, p, reply);
  }

  private async unitPage(code: string, q: DashboardQueryDto, p: Principal, reply: FastifyReply): Promise<string> {
    const lang = q.lang ?? 'vi';
    await this.assertMayRead(p, code);
    if (!UNIT_CODE_PATTERN.test(code) || !(await this.dashboard.exists(code))) {
      void reply.status(404);
      return renderRefusal(lang, dashboardHtml(reply, lang), DASHBOARD_WORDS[lang].unknownUnit);
    }
    const view = await this.dashboard.unit(code, q.date, readsAll(p) ? null : p.orgUnitCode);
    markFreshness(reply, view.asOfEvent);
    return withFollowUps(this.rosterLink(renderUnit(view, lang, dashboardHtml(reply, lang)), p, lang), this.quality, p, {
      unitCode: code,
      date: view.date,
      lang,
    });
  }

  @Get('dashboard/export/:table')
  @Roles('analyst', 'portal')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiOperation({
    summary: `A table of the dashboard as XLSX (default) or CSV, headers in English or ?lang=vi: ${OVERVIEW_TABLES.join(', ')} (the overview), or with ?unit= ${UNIT_TABLES.join(', ')} (a unit's page)`,
  })
  async export(
    @Param('table') table: string,
    @Query() q: DashboardExportQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    const format = q.format ?? 'xlsx';
    const send = <T>(spec: TableSpec<T>, rows: readonly T[], date: string, asOfEvent: string | null, unit?: string) =>
      sendTable(reply, spec, rows, { lang: q.lang, format, filename: `${spec.id}${unit ? `-${unit}` : ''}-${date}`, asOfEvent });
    if ((OVERVIEW_TABLES as readonly string[]).includes(table)) {
      if (!readsAll(p)) throw new ProblemException(403, 'the province overview is for keys that read every unit');
      const v = await this.dashboard.build(q.date, p);
      switch (table as (typeof OVERVIEW_TABLES)[number]) {
        case 'targets':
          return send(TARGETS_TABLE, v.targetRows, v.date, v.asOfEvent);
        case 'districts':
          return send(DISTRICTS_TABLE, v.districts, v.date, v.asOfEvent);
        case 'laggards':
          return send(
            LAGGARDS_TABLE,
            v.laggards.all.filter((r) => !q.target || r.target.targetId === q.target),
            v.date,
            v.asOfEvent,
          );
        case 'coverage':
          return send(COVERAGE_TABLE, v.coverage.rows, v.date, v.asOfEvent);
        case 'broadcasts':
          return send(BROADCASTS_TABLE, v.activity.missingEnd, v.date, v.asOfEvent);
      }
    }
    if (!(UNIT_TABLES as readonly string[]).includes(table))
      throw new ProblemException(404, `no table ${table}`, [
        { field: 'table', message: `table must be one of ${[...OVERVIEW_TABLES, ...UNIT_TABLES].join(', ')}` },
      ]);
    if (!q.unit)
      throw new ProblemException(400, `the table ${table} is a unit's: say which`, [{ field: 'unit', message: 'unit is required' }]);
    await this.assertMayRead(p, q.unit);
    const v = await this.dashboard.unit(q.unit, q.date, readsAll(p) ? null : p.orgUnitCode);
    const childrenOf = (tree: 'administrative' | 'accountability') => v.children.find((c) => c.tree === tree)?.rows ?? [];
    switch (table as (typeof UNIT_TABLES)[number]) {
      case 'statuses':
        return send(STATUSES_TABLE, v.statuses, v.date, v.asOfEvent, v.code);
      case 'figures':
        return send(FIGURES_TABLE, v.figures, v.date, v.asOfEvent, v.code);
      case 'children-administrative':
        return send(CHILDREN_TABLE('administrative'), childrenOf('administrative'), v.date, v.asOfEvent, v.code);
      case 'children-accountability':
        return send(CHILDREN_TABLE('accountability'), childrenOf('accountability'), v.date, v.asOfEvent, v.code);
      case 'reports':
        return send(REPORTS_TABLE, v.reports, v.date, v.asOfEvent, v.code);
      case 'activities':
        return send(ACTIVITIES_TABLE, v.activities.rows, v.date, v.asOfEvent, v.code);
      case 'support-points':
        return send(SUPPORT_POINTS_TABLE, v.supportPoints, v.date, v.asOfEvent, v.code);
    }
  }

  @Get('dashboard/timeseries')
  @Roles('analyst', 'portal')
  @ApiOperation({
    summary:
      'Several units day by day in one call: per unit and target, the value of each day from the campaign start (or ?from=) to ?date=, as JSON, XLSX or CSV',
  })
  async timeseries(
    @Query() q: DashboardSeriesQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer | { date: string; from: string | null; items: Array<Omit<SeriesRow, 'target'> & { targetId: string }> }> {
    const codes = [...new Set(q.units.split(','))];
    for (const code of codes) await this.assertMayRead(p, code);
    const { date } = await this.dashboard.day(q.date);
    if (q.from && q.from > date)
      throw new ProblemException(400, 'from is after date', [
        { field: 'from', message: `from (${q.from}) must not be after date (${date})` },
      ]);
    if (q.from && addDays(q.from, 400) <= date)
      throw new ProblemException(400, 'range too long', [{ field: 'from', message: 'from and date must be at most 400 days apart' }]);
    const { asOfEvent, units, series } = await this.dashboard.unitSeries(codes, q.target, date, q.from);
    const rows: SeriesRow[] = codes.flatMap((code) =>
      (series.get(code) ?? []).flatMap((t) =>
        t.points
          .filter((pt) => pt.date <= date)
          .map((pt) => ({ code, name: units.get(code) ?? code, target: t.target, threshold: t.target.threshold, ...pt })),
      ),
    );
    if (q.format === 'csv' || q.format === 'xlsx')
      return sendTable(reply, SERIES_TABLE, rows, { lang: q.lang, format: q.format, filename: `series-${date}`, asOfEvent });
    markFreshness(reply, asOfEvent);
    return { date, from: q.from ?? null, items: rows.map(({ target, ...r }) => ({ ...r, targetId: target.targetId })) };
  }

  @Get('dashboard/assets/echarts.min.js')
  @Public()
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', ASSET_CACHE)
  @ApiOperation({ summary: 'ECharts, served by this service (no CDN)' })
  echarts(): Buffer {
    return echartsSource();
  }

  @Get('dashboard/assets/trend-chart.js')
  @Public()
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', ASSET_CACHE)
  @ApiOperation({ summary: "The dashboard's chart code" })
  trendScript(): string {
    return TREND_SCRIPT;
  }

  /** A scoped key's own unit: the page it lands on. */
  private ownUnit(p: Principal): string {
    if (!p.orgUnitCode) throw new ProblemException(403, 'this key acts for no unit');
    return p.orgUnitCode;
  }

  private async assertMayRead(p: Principal, code: string): Promise<void> {
    if (!readsAll(p)) await this.scope.assertCanRead(p, code);
  }

  @Post('dashboard/login')
  @Public()
  @HttpCode(303)
  @Redirect()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Keeps the key in an HttpOnly cookie and goes back to the dashboard (which checks the key)' })
  login(@Body() body: DashboardLoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    refuseCrossSite(req);
    // Not checked here: the dashboard's guard checks it on the very next request and shows the form again if it is wrong.
    void reply.header('set-cookie', sessionCookie(body.key, req.protocol === 'https'));
    return back(body);
  }

  @Post('dashboard/logout')
  @Public()
  @HttpCode(303)
  @Redirect()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Forgets the key kept in the cookie' })
  logout(@Body() body: DashboardLogoutDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    refuseCrossSite(req);
    void reply.header('set-cookie', sessionCookie(null, req.protocol === 'https'));
    return back({ date: body.date, lang: body.lang });
  }
}
