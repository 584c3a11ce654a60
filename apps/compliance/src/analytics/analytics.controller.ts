import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { addDays } from '@app/domain';
import { CampaignCalendar, CurrentPrincipal, ProblemException, Roles, ScopeService, type Principal } from '@app/platform';
import { viewerOf } from '../common/contacts';
import type { Figure } from '../common/figures';
import type { CsvColumn } from '../common/listing';
import { DateQueryDto, pageOf } from '../common/query.dto';
import { markFreshness, sendCsv, sendJson } from '../common/respond';
import type { UnitListRow, UnitStatusRow } from './analytics-rows';
import { AnalyticsService } from './analytics.service';
import { LaggardsQueryDto, TargetStatusesQueryDto, TimeseriesQueryDto, UnitsQueryDto } from './dto/analytics-query.dto';

const FIGURE_CSV: Array<CsvColumn<Figure>> = [
  { header: 'orgUnitCode', value: (f) => f.orgUnitCode },
  { header: 'cohort', value: (f) => f.cohort },
  { header: 'tree', value: (f) => f.tree },
  { header: 'date', value: (f) => f.date },
  { header: 'headcount', value: (f) => f.headcount },
  { header: 'smartphoneHolders', value: (f) => f.smartphoneHolders },
  { header: 'installed', value: (f) => f.installed },
  { header: 'bluetoothOn', value: (f) => f.bluetoothOn },
  { header: 'installRate', value: (f) => f.installRate },
  { header: 'bluetoothRate', value: (f) => f.bluetoothRate },
  { header: 'population', value: (f) => f.population },
  { header: 'populationRate', value: (f) => f.populationRate },
  { header: 'reportingUnits', value: (f) => f.reportingUnits },
  { header: 'expectedUnits', value: (f) => f.expectedUnits },
];

const UNIT_CSV: Array<CsvColumn<UnitListRow>> = [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'type', value: (r) => r.type },
  { header: 'level', value: (r) => r.level },
  { header: 'headName', value: (r) => r.head?.name },
  { header: 'headTitle', value: (r) => r.head?.title },
  { header: 'headPhone', value: (r) => r.head?.phone },
  { header: 'headEmail', value: (r) => r.head?.email },
  ...FIGURE_CSV.filter((c) => c.header !== 'orgUnitCode').map((c) => ({
    header: c.header,
    value: (r: UnitListRow) => (c.header === 'cohort' ? r.cohort : c.header === 'tree' ? r.tree : r.figure ? c.value(r.figure) : null),
  })),
  { header: 'targetId', value: (r) => r.targetId },
  { header: 'status', value: (r) => r.status },
  { header: 'standing', value: (r) => r.standing },
  { header: 'value', value: (r) => r.value },
  { header: 'threshold', value: (r) => r.threshold },
  { header: 'gap', value: (r) => r.gap },
];

const STATUS_CSV: Array<CsvColumn<UnitStatusRow>> = [
  { header: 'targetId', value: (r) => r.targetId },
  { header: 'targetName', value: (r) => r.targetName },
  { header: 'orgUnitCode', value: (r) => r.orgUnitCode },
  { header: 'name', value: (r) => r.name },
  { header: 'type', value: (r) => r.type },
  { header: 'level', value: (r) => r.level },
  { header: 'bloc', value: (r) => r.bloc },
  { header: 'headName', value: (r) => r.head?.name },
  { header: 'headTitle', value: (r) => r.head?.title },
  { header: 'headPhone', value: (r) => r.head?.phone },
  { header: 'headEmail', value: (r) => r.head?.email },
  { header: 'parentCode', value: (r) => r.parent?.code },
  { header: 'parentName', value: (r) => r.parent?.name },
  { header: 'accountableToCode', value: (r) => r.accountableTo?.code },
  { header: 'accountableToName', value: (r) => r.accountableTo?.name },
  { header: 'status', value: (r) => r.status },
  { header: 'standing', value: (r) => r.standing },
  { header: 'statusLabel', value: (r) => r.statusLabel },
  { header: 'since', value: (r) => r.since },
  { header: 'value', value: (r) => r.value },
  { header: 'threshold', value: (r) => r.threshold },
  { header: 'gap', value: (r) => r.gap },
  { header: 'forecastDate', value: (r) => r.forecastDate },
  { header: 'reporting', value: (r) => r.reporting },
  { header: 'reportingUnits', value: (r) => r.reportingUnits },
  { header: 'expectedUnits', value: (r) => r.expectedUnits },
];

/** The analytics team's and the DIC's views of the read model. Read only: every route is a GET. */
@ApiTags('compliance')
@Controller('v1')
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly scope: ScopeService,
    private readonly calendar: CampaignCalendar,
  ) {}

  @Get('summary')
  @Roles('analyst')
  @ApiOperation({
    summary:
      'Each target on the province: value, threshold, status and standing (due_today on the deadline while short), people short, units short / at risk / breached / not reporting',
  })
  async summary(@Query() q: DateQueryDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const body = await this.analytics.summary(q.date ?? (await this.analytics.defaultDay()), viewerOf(req, null, q.lang).lang);
    markFreshness(reply, body.asOfEvent);
    return body;
  }

  @Get('units/:code')
  @Roles('analyst', 'portal')
  @ApiOperation({
    summary: "A unit's figures per cohort, its targets, head, the unit it answers to, its children on both trees and its history (90 days)",
  })
  async unit(
    @Param('code') code: string,
    @Query() q: DateQueryDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const date = q.date ?? (await this.analytics.defaultDay());
    const body = await this.analytics.unit(code, date, 90, viewerOf(req, p, q.lang));
    await this.scope.assertCanRead(p, code);
    markFreshness(reply, body.asOfEvent);
    return body;
  }

  @Get('units')
  @Roles('analyst', 'portal')
  @ApiOperation({
    summary:
      'Units with their figure for one cohort and their status, filtered and sorted (e.g. ?type=district&sort=populationRate: worst first)',
  })
  async units(
    @Query() q: UnitsQueryDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const date = q.date ?? (await this.analytics.defaultDay());
    const a = await this.analytics.units(q, date, { ...viewerOf(req, p, q.lang), principal: p }, pageOf(q));
    if (q.format === 'csv') return sendCsv(reply, `units-${date}`, a.asOfEvent, UNIT_CSV, a.page.items);
    return sendJson(reply, a.asOfEvent, a.json());
  }

  @Get('targets/:id/statuses')
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: "Every unit's status against one target on a date, worst first" })
  async targetStatuses(
    @Param('id') id: string,
    @Query() q: TargetStatusesQueryDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const date = q.date ?? (await this.analytics.defaultDay());
    const viewer = { ...viewerOf(req, p, q.lang), principal: p };
    const { s, target, page } = await this.analytics.targetStatuses(id, q, date, viewer, pageOf(q));
    if (q.format === 'csv') return sendCsv(reply, `statuses-${id}-${date}`, s.asOfEvent, STATUS_CSV, page.items);
    markFreshness(reply, s.asOfEvent);
    return {
      date,
      asOfEvent: s.asOfEvent,
      targetId: target.targetId,
      name: viewer.lang === 'en' ? target.nameEn : target.nameVi,
      nameVi: target.nameVi,
      nameEn: target.nameEn,
      threshold: target.threshold,
      deadline: target.deadline,
      ...page,
    };
  }

  @Get('laggards')
  @Roles('analyst', 'portal')
  @ApiOperation({
    summary:
      "Units short of a target (or not reporting: ?status=no_data) with their heads (phone and e-mail masked but for admin and analyst keys), their parent and since when, worst first by the distance to each target's own threshold: the list the chairman asks for",
  })
  async laggards(
    @Query() q: LaggardsQueryDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const date = q.date ?? (await this.analytics.defaultDay());
    const { s, page } = await this.analytics.laggards(q, date, { ...viewerOf(req, p, q.lang), principal: p }, pageOf(q));
    if (q.format === 'csv') return sendCsv(reply, `laggards-${date}`, s.asOfEvent, STATUS_CSV, page.items);
    markFreshness(reply, s.asOfEvent);
    return { date, asOfEvent: s.asOfEvent, ...page };
  }

  @Get('timeseries')
  @Roles('analyst', 'portal')
  @ApiOperation({ summary: "A unit's figures day by day (the figure holding each day), at most 366 days" })
  async timeseries(@Query() q: TimeseriesQueryDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const to = q.to ?? q.date ?? (await this.analytics.defaultDay());
    const from = q.from ?? addDays(to, -29);
    if (from > to)
      throw new ProblemException(400, 'from is after to', [{ field: 'from', message: `from (${from}) must not be after to (${to})` }]);
    if (addDays(from, 366) <= to)
      throw new ProblemException(400, 'range too long', [{ field: 'from', message: 'from and to must be at most 366 days apart' }]);
    const { limit, offset } = pageOf({ ...q, limit: q.limit ?? (q.format === 'csv' ? 10000 : 1000) });
    const { asOfEvent, rows, total } = await this.analytics.timeseries(q, to, from, { limit, offset });
    await this.scope.assertCanRead(p, q.unit);
    const page = { total, limit, offset, items: rows };
    if (q.format === 'csv') return sendCsv(reply, `timeseries-${q.unit}-${from}-${to}`, asOfEvent, FIGURE_CSV, page.items);
    markFreshness(reply, asOfEvent);
    return { unit: q.unit, from, to, asOfEvent, ...page };
  }
}
