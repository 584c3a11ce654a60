import { compareStrings, dateRange, fromDayNumber, groupBy, measureTarget as measure, toDayNumber, type Lang } from '@app/domain';
import type { FigureCounts } from '../common/figures';
import type { TargetRow as Target } from '../common/read-model.service';
import { fmtDate, fmtPct } from '../presentation/format';
import { esc } from './dashboard-html';
import { DASHBOARD_WORDS, targetName } from './dashboard.words';

/** One day of a unit's standing against a target: the value of the figures holding that day (null after the day shown or before any report). */
export interface TrendPoint {
  date: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

export interface Trend {
  code: string;
  target: Target;
  points: TrendPoint[];
}

/** The most days a campaign chart shows. */
const MAX_CHART_DAYS = 400;

/**
 * The campaign's days for a chart: from the earliest campaign start of the targets (else the first
 * figure) to the later of the day shown and the last deadline, so that every deadline has its mark.
 */
export function campaignDays(targets: readonly Target[], date: string, firstFigure: string | null): string[] {
  const starts = targets.map((t) => t.campaignStart).filter((d): d is string => d !== null);
  const from = [...starts, ...(firstFigure ? [firstFigure] : [])].sort()[0] ?? date;
  const to = [date, ...targets.map((t) => t.deadline)].sort().at(-1)!;
  const start = from < date ? from : date;
  // A read model holding a target decades away must not make a chart of thousands of days: at most 400. Counted
  // by day number (dateRange), as every span of days is, not by comparing strings (past 9999-12-31 they misorder).
  return dateRange(start, fromDayNumber(Math.min(toDayNumber(to), toDayNumber(start) + MAX_CHART_DAYS - 1)));
}

/**
 * A unit's value for a target on each day: the figures holding that day (a figure holds until the next
 * one of its cohort and tree), measured by the same rule as every other view (`measure`). Days after
 * `date` are left empty: the chart shows the deadline ahead, not a guess.
 */
export function trendOf(target: Target, figures: readonly FigureCounts[], days: readonly string[], date: string): TrendPoint[] {
  const byKey = groupBy(
    [...figures].sort((a, b) => compareStrings(a.date, b.date)),
    (f) => `${f.cohort}|${f.tree}`,
  );
  const next = new Map<string, number>();
  const holding = new Map<string, FigureCounts>();
  return days.map((day) => {
    if (day > date) return { date: day, value: null, numerator: null, denominator: null };
    for (const [k, list] of byKey) {
      let i = next.get(k) ?? 0;
      while (i < list.length && list[i].date <= day) holding.set(k, list[i++]);
      next.set(k, i);
    }
    const m = measure(target, [...holding.values()]);
    return { date: day, value: m.value, numerator: m.value === null ? null : m.numerator, denominator: m.denominator };
  });
}

/** The value one day before `date` in a trend (null when either is missing): the "since yesterday" of a table. */
export function sinceYesterday(today: number | null | undefined, yesterday: number | null | undefined): number | null {
  return today === null || today === undefined || yesterday === null || yesterday === undefined ? null : today - yesterday;
}

/**
 * A chart's data for the browser, in a JSON data block (not a script: nothing inline runs under the
 * page's CSP). `<` is written as \u003c so no value can close the element.
 */
function chartData(lang: Lang, trend: Trend, date: string): string {
  const w = DASHBOARD_WORDS[lang];
  const data = {
    lang,
    dates: trend.points.map((p) => p.date),
    labels: trend.points.map((p) => fmtDate(p.date).slice(0, 5)),
    fullLabels: trend.points.map((p) => fmtDate(p.date)),
    values: trend.points.map((p) => (p.value === null ? null : Math.round(p.value * 1e6) / 1e4)),
    threshold: Math.round(trend.target.threshold * 1e6) / 1e4,
    deadline: trend.target.deadline,
    deadlineLabel: fmtDate(trend.target.deadline).slice(0, 5),
    today: date,
    todayLabel: fmtDate(date).slice(0, 5),
    words: { value: w.chartValue, threshold: w.threshold, deadline: w.deadline, shown: w.dayShown },
  };
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

/** One chart per target: a titled box the script fills with ECharts, with a summary line that stays readable without script. */
export function trendCharts(lang: Lang, trends: readonly Trend[], date: string, idPrefix: string): string {
  const w = DASHBOARD_WORDS[lang];
  if (!trends.length) return `<p>${esc(w.noTrend)}</p>`;
  return `<div class="charts">${trends
    .map((t, i) => {
      const id = `${idPrefix}-${i}`;
      const last = [...t.points].reverse().find((p) => p.value !== null);
      return `<figure class="chart" data-target="${esc(t.target.targetId)}" data-unit="${esc(t.code)}"><h3>${esc(targetName(t.target, lang))}</h3>
<div class="trend" id="${esc(id)}" role="img" aria-label="${esc(w.chartAria(targetName(t.target, lang)))}"></div>
<script type="application/json" data-chart-for="${esc(id)}">${chartData(lang, t, date)}</script>
<figcaption class="muted">${esc(w.chartCaption(last ? fmtDate(last.date) : '—', fmtPct(lang, last?.value), fmtPct(lang, t.target.threshold), fmtDate(t.target.deadline)))}</figcaption></figure>`;
    })
    .join('\n')}</div>`;
}
