import { ProblemException } from '@app/platform';
import { sqlOrderBy } from '../../common/listing';
import { sqlRatio, toFigure, type Figure, type FigureCounts } from '../../common/figures';
import { FIGURE_COLUMNS, type ReadModelService } from '../../common/read-model.service';
import type { TimeseriesQueryDto } from '../dto/analytics-query.dto';

/** The documented sorts (TIMESERIES_SORT_KEYS) as expressions over the rows held each day. */
const SORT_SQL: Readonly<Record<string, string>> = {
  date: 'date',
  installRate: sqlRatio('installed', 'smartphone_holders'),
  bluetoothRate: sqlRatio('bluetooth_on', 'smartphone_holders'),
  populationRate: sqlRatio('installed', 'population'),
  installed: 'installed',
};

/** The tie-breaker sortRows used: `date|cohort|tree`, compared code unit by code unit. */
const TIE_BREAK = `(date::text || '|' || cohort || '|' || tree) COLLATE "C"`;

/** What GET /v1/timeseries reads: whether the unit exists, how many rows in all, and the page's rows. */
export interface TimeseriesData {
  exists: boolean;
  total: number;
  rows: FigureCounts[];
}

/**
 * GET /v1/timeseries in one statement: one figure per day and (cohort, tree), the figure holding that day
 * (a figure holds until the next: one backward step on the figures' primary key per day and series),
 * sorted, counted and cut to the page; `page` absent: every row.
 */
export function timeseriesQuery(
  q: Pick<TimeseriesQueryDto, 'unit' | 'cohort' | 'tree' | 'sort'>,
  to: string,
  from: string,
  page?: { limit: number; offset: number },
): { data: (schema: string) => string; params: unknown[] } {
  const order = sqlOrderBy(q.sort, SORT_SQL, TIE_BREAK);
  return {
    params: [q.unit, to, q.cohort ?? null, q.tree ?? null, from, page?.limit ?? null, page?.offset ?? 0],
    data: (schema) =>
      `WITH series AS (
         SELECT DISTINCT cohort, tree FROM "${schema}".figures
         WHERE org_unit_code = $1 AND date <= $2 AND ($3::text IS NULL OR cohort = $3) AND ($4::text IS NULL OR tree = $4)
       ), held AS (
         SELECT f.org_unit_code, f.cohort, f.tree, d::date AS date, f.headcount, f.smartphone_holders, f.installed, f.bluetooth_on,
                f.population, f.reporting_units, f.expected_units
         FROM generate_series($5::date::timestamp, $2::date::timestamp, '1 day') d CROSS JOIN series s
         CROSS JOIN LATERAL (
           SELECT * FROM "${schema}".figures g
           WHERE g.org_unit_code = $1 AND g.cohort = s.cohort AND g.tree = s.tree AND g.date <= d::date
           ORDER BY g.date DESC LIMIT 1) f
       )
       SELECT json_build_object(
         'exists', EXISTS (SELECT 1 FROM "${schema}".units WHERE code = $1 AND type IS NOT NULL),
         'total', (SELECT count(*) FROM held),
         'rows', (SELECT coalesce(json_agg(x ORDER BY x.n), '[]') FROM (
           SELECT ${FIGURE_COLUMNS}, row_number() OVER (ORDER BY ${order}) AS n FROM held
           ORDER BY ${order} LIMIT $6 OFFSET $7) x))`,
  };
}

export async function readTimeseries(
  readModel: ReadModelService,
  q: TimeseriesQueryDto,
  to: string,
  from: string,
  page?: { limit: number; offset: number },
): Promise<{ asOfEvent: string | null; rows: Figure[]; total: number }> {
  const read = timeseriesQuery(q, to, from, page);
  const { asOfEvent, data } = await readModel.readOne<TimeseriesData>(read.data, read.params);
  if (!data.exists)
    throw new ProblemException(404, `unknown org unit ${q.unit}`, [{ field: 'unit', message: `unit ${q.unit} is not a known unit` }]);
  return { asOfEvent, total: data.total, rows: data.rows.map(toFigure) };
}
