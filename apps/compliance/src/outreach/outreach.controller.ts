import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CampaignCalendar, CurrentPrincipal, Roles, type Principal } from '@app/platform';
import { paginate, type CsvColumn } from '../common/listing';
import { pageOf } from '../common/query.dto';
import { markFreshness, sendCsv } from '../common/respond';
import { ActivityComplianceQueryDto, SupportCoverageQueryDto, TransportQueryDto } from './dto/outreach-query.dto';
import { OutreachService, type ActivityRow, type CoverageRow, type TransportRow } from './outreach.service';

const COVERAGE_CSV: Array<CsvColumn<CoverageRow>> = [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'communes', value: (r) => r.communes },
  { header: 'communesWithPoint', value: (r) => r.communesWithPoint },
  { header: 'coverage', value: (r) => r.coverage },
  { header: 'communesWithoutPoint', value: (r) => r.communesWithoutPoint.join(' ') },
  { header: 'points', value: (r) => r.points },
  { header: 'assistedOnDate', value: (r) => r.assistedOnDate },
  { header: 'installedOnDate', value: (r) => r.installedOnDate },
  { header: 'bluetoothEnabledOnDate', value: (r) => r.bluetoothEnabledOnDate },
  { header: 'assistedToDate', value: (r) => r.assistedToDate },
  { header: 'installedToDate', value: (r) => r.installedToDate },
];

const ACTIVITY_KEYS: Array<keyof ActivityRow> = [
  'orgUnitCode',
  'name',
  'type',
  'districtCode',
  'districtName',
  'broadcastSessions',
  'broadcastWithStart',
  'broadcastWithEnd',
  'broadcastCompliant',
  'supportLocationsAnnounced',
  'householdsVisited',
  'householdsReminded',
  'propagandaTeams',
  'propagandaMembers',
  'venuesMobilised',
  'customersGuided',
  'hqVisitors',
  'hqAlreadyInstalled',
  'hqInstalledOnSite',
  'hqTurnedAway',
  'familyInstallsHelped',
];
const ACTIVITY_CSV: Array<CsvColumn<ActivityRow>> = ACTIVITY_KEYS.map((k) => ({ header: k, value: (r) => r[k] }));

const TRANSPORT_KEYS: Array<keyof TransportRow> = [
  'hubCode',
  'name',
  'accountableToCode',
  'accountableToName',
  'headName',
  'reported',
  'passengersChecked',
  'alreadyInstalled',
  'installedOnSite',
  'refused',
  'installedShare',
  'passengersToDate',
  'installedOnSiteToDate',
];
const TRANSPORT_CSV: Array<CsvColumn<TransportRow>> = TRANSPORT_KEYS.map((k) => ({ header: k, value: (r) => r[k] }));

/** What happens on the ground: support points, the communes' activity, passenger checks at the hubs. */
@ApiTags('compliance')
@Controller('v1')
export class OutreachController {
  constructor(
    private readonly field: OutreachService,
    private readonly calendar: CampaignCalendar,
  ) {}

  @Get('support-coverage')
  @Roles('analyst')
  @ApiOperation({
    summary: 'Communes with an open support point, by district (or ?by=operator), with the people assisted and installs done',
  })
  async supportCoverage(@Query() q: SupportCoverageQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const date = q.date ?? this.calendar.today();
    const { asOfEvent, totals, rows } = await this.field.supportCoverage(q, date);
    const { limit, offset } = pageOf(q);
    const page = paginate(rows, limit, offset);
    if (q.format === 'csv') return sendCsv(reply, `support-coverage-${q.by ?? 'district'}-${date}`, asOfEvent, COVERAGE_CSV, page.items);
    markFreshness(reply, asOfEvent);
    return { date, asOfEvent, by: q.by ?? 'district', totals, ...page };
  }

  @Get('activity-compliance')
  @Roles('analyst', 'portal')
  @ApiOperation({
    summary:
      'The day’s activity per unit: broadcasts (a commune complies when every broadcast carried both the start and the end announcement), door-to-door, propaganda teams, venue outreach, HQ visitor checks, family help',
  })
  async activityCompliance(
    @Query() q: ActivityComplianceQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const date = q.date ?? this.calendar.today();
    const { asOfEvent, totals, rows } = await this.field.activityCompliance(q, date, p);
    const { limit, offset } = pageOf(q);
    const page = paginate(rows, limit, offset);
    if (q.format === 'csv') return sendCsv(reply, `activity-${date}`, asOfEvent, ACTIVITY_CSV, page.items);
    markFreshness(reply, asOfEvent);
    return { date, asOfEvent, kind: q.kind ?? null, totals, ...page };
  }

  @Get('transport')
  @Roles('analyst')
  @ApiOperation({ summary: 'Passenger checks per bus station and ferry terminal on a day, with totals to date' })
  async transport(@Query() q: TransportQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const date = q.date ?? this.calendar.today();
    const { asOfEvent, totals, rows } = await this.field.transport(q, date);
    const { limit, offset } = pageOf(q);
    const page = paginate(rows, limit, offset);
    if (q.format === 'csv') return sendCsv(reply, `transport-${date}`, asOfEvent, TRANSPORT_CSV, page.items);
    markFreshness(reply, asOfEvent);
    return { date, asOfEvent, totals, ...page };
  }
}
