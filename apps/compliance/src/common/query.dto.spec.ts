import { itJudgesAsClassValidator } from '@test/support/pipe-equivalence';
import { LaggardsQueryDto, TargetStatusesQueryDto, TimeseriesQueryDto, UnitsQueryDto } from '../analytics/dto/analytics-query.dto';
import { DailyReportQueryDto } from '../daily-report/dto/daily-report-query.dto';
import { DashboardExportQueryDto, DashboardQueryDto, DashboardSeriesQueryDto } from '../dashboard/dto/dashboard-query.dto';
import { ExportQueryDto } from '../exchange/dto/export-query.dto';
import { ActivityComplianceQueryDto, SupportCoverageQueryDto, TransportQueryDto } from '../outreach/dto/outreach-query.dto';
import { FollowUpQueryDto } from '../quality/dto/follow-up.dto';
import { DateQueryDto, ListQueryDto } from './query.dto';

/** Values a query string brings: ones each DTO accepts somewhere, and ones it refuses. */
const VALUES = [
  ...['0', '1', '2', '10', '11', '50', '10000', '10001', '-1', '1.5', '01', ' 1', '1e3', 'abc', ''],
  ...['2020-08-20', '2020-02-30', '2020-8-20', 'vi', 'en', 'fr', 'json', 'csv', 'xml'],
  ...['residents', 'workforce', 'district', 'commune', 'enterprise', 'administrative', 'accountability'],
  ...['installRate', '-installRate', 'name', '-name', 'gap', 'code', 'nonsense', 'on_track', 'breached', 'due_today', 'no_data'],
  ...['29239', '84', 'bad code!', 'x'.repeat(70), 'T1', 'open', 'party', 'nguyen'],
];

describe('the global validation pipe on compliance’s query DTOs', () => {
  itJudgesAsClassValidator(
    [
      [DateQueryDto, {}],
      [ListQueryDto, {}],
      [UnitsQueryDto, {}],
      [TargetStatusesQueryDto, {}],
      [LaggardsQueryDto, {}],
      [TimeseriesQueryDto, { unit: '29239' }],
      [DailyReportQueryDto, {}],
      [DashboardQueryDto, {}],
      [DashboardExportQueryDto, {}],
      [DashboardSeriesQueryDto, {}],
      [ExportQueryDto, { unit: '29239', from: '2020-08-20', to: '2020-08-21' }],
      [SupportCoverageQueryDto, {}],
      [ActivityComplianceQueryDto, {}],
      [TransportQueryDto, {}],
      [FollowUpQueryDto, {}],
    ],
    VALUES,
  );
});
