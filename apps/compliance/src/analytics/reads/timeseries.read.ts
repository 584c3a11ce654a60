import { addDays } from '@app/domain';
import { ProblemException } from '@app/platform';
import { toFigure, type Figure, type FigureCounts } from '../../common/figures';
import { FIGURE_COLUMNS, type ReadModelService } from '../../common/read-model.service';
import type { TimeseriesQueryDto } from '../dto/analytics-query.dto';

/**
 * GET /v1/timeseries: one figure per day and (cohort, tree), the figure holding that day (a figure holds
 * until the next); the unit's existence and its figures up to `to` in one statement.
 */
export async function readTimeseries(
  readModel: ReadModelService,
  q: TimeseriesQueryDto,
  to: string,
  from: string,
): Promise<{ asOfEvent: string | null; rows: Figure[] }> {
  const { asOfEvent, data } = await readModel.readOne<{ exists: boolean; rows: FigureCounts[] }>(
    (schema) =>
      `SELECT json_build_object(
         'exists', EXISTS (SELECT 1 FROM "${schema}".units WHERE code = $1 AND type IS NOT NULL),
         'rows', (SELECT coalesce(json_agg(x), '[]') FROM (
           SELECT ${FIGURE_COLUMNS} FROM "${schema}".figures
           WHERE org_unit_code = $1 AND date <= $2 AND ($3::text IS NULL OR cohort = $3) AND ($4::text IS NULL OR tree = $4)
           ORDER BY cohort, tree, date) x))`,
    [q.unit, to, q.cohort ?? null, q.tree ?? null],
  );
  if (!data.exists)
    throw new ProblemException(404, `unknown org unit ${q.unit}`, [{ field: 'unit', message: `unit ${q.unit} is not a known unit` }]);
  const series = new Map<string, FigureCounts[]>();
  for (const r of data.rows) series.set(`${r.cohort}|${r.tree}`, [...(series.get(`${r.cohort}|${r.tree}`) ?? []), r]);
  const out: Figure[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    for (const list of series.values()) {
      let holding: FigureCounts | undefined;
      for (const r of list) if (r.date <= day) holding = r;
      if (holding) out.push(toFigure({ ...holding, date: day }));
    }
  }
  return { asOfEvent, rows: out };
}
