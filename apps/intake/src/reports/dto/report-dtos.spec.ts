import { itJudgesAsClassValidator } from '@test/support/pipe-equivalence';
import { ListActivitiesQueryDto } from '../../activities/dto/activity-responses.dto';
import { CreateReportDto } from './create-report.dto';
import { ListReportsQueryDto } from './list-reports.query.dto';

/** Values a report body or a list's query brings: counts and codes, valid and not, as numbers and as strings. */
const VALUES = [
  ...[0, 1, 5, 900, 1200, -1, 1.5, 1e12, Number.NaN, '900', true, null],
  ...['29236', 'bad code!', 'residents', 'workforce', 'nonsense', '2020-08-25', '2020-02-30', '', '1', '50', '10001'],
];
const REPORT = {
  orgUnitCode: '29236',
  cohort: 'residents',
  asOf: '2020-08-25',
  headcount: 1200,
  smartphoneHolders: 900,
  installed: 700,
  bluetoothOn: 650,
};

describe('the global validation pipe on intake’s DTOs', () => {
  itJudgesAsClassValidator(
    [
      [CreateReportDto, REPORT],
      [ListReportsQueryDto, {}],
      [ListActivitiesQueryDto, {}],
    ],
    VALUES,
  );
});
