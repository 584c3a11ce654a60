import { Injectable } from '@nestjs/common';
import { COHORTS, treeOfCohort } from '@app/contracts';
import {
  addDays,
  COHORT_LABELS,
  compareStrings,
  dateRange,
  groupBy,
  measureTarget,
  rankWorstFirst,
  STANDING_LABELS,
  targetName,
  type Lang,
} from '@app/domain';
import { CampaignCalendar, type Principal } from '@app/platform';
import { AnalyticsService } from '../analytics/analytics.service';
import { rootUnit, type TargetSummary, type UnitStatusRow } from '../analytics/analytics-rows';
import type { TimeseriesQueryDto } from '../analytics/dto/analytics-query.dto';
import { ContactAccessService, revealsContacts, type Head, type Viewer } from '../common/contacts';
import { notBeforeFirstDay, toFigure } from '../common/figures';
import { figuresOf, ReadModelService, type Snapshot } from '../common/read-model.service';
import { OutreachService } from '../outreach/outreach.service';
import { fmtDate, fmtDateTime, fmtInt, fmtPct, fmtPoints } from '../presentation/format';
import { dayUpdatedAt } from '../presentation/report-freshness';
import { REPORT_WORDS } from '../presentation/report-words';
import { QualityService } from '../quality/quality.service';
import type { ReportDoc, ReportSection } from './daily-report.render';
import type { ReportChart } from './document/trend-chart';
import { changesSection } from './changes.section';
import { followUpSection, openFollowUpsOn } from './follow-ups.section';

/** Units below a target named under it in the report (the full list is the API's `/v1/laggards?target=`). */
const LAGGARDS_SHOWN = 20;
/** Units not reporting named in the report (the full list is the API's `/v1/laggards?status=no_data`). */
const SILENT_SHOWN = 40;
/** The days of the report's trend chart, the day itself included. */
const TREND_DAYS = 7;

/** A head as the report names them: title, name, and (for the keys that may read them) phone and e-mail. */
function headLine(h: Head | null): string {
  if (!h) return '—';
  return [`${h.title ?? ''} ${h.name}`.trim(), h.phone, h.email].filter(Boolean).join(', ');
}

/** The Department's daily report to the chairman, assembled from the same read model as the API. */
@Injectable()
export class DailyReportService {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly analytics: AnalyticsService,
    private readonly field: OutreachService,
    private readonly contacts: ContactAccessService,
    private readonly quality: QualityService,
    private readonly calendar: CampaignCalendar,
  ) {}

  /** The report of a day in `viewer`'s language; the heads' contacts it shows in full are recorded. */
  async build(date: string, viewer: Viewer & { principal: Principal }): Promise<{ asOfEvent: string | null; doc: ReportDoc }> {
    const { lang, principal } = viewer;
    const { today, yesterday } = await this.readModel.read(async (g) => ({
      today: await this.readModel.loadSnapshot(g, date),
      yesterday: await this.readModel.loadSnapshot(g, notBeforeFirstDay(addDays(date, -1))),
    }));
    const coverage = await this.field.supportCoverage({ by: 'operator' }, date);
    const activity = await this.field.activityCompliance({}, date, principal);
    const transport = await this.field.transport({}, date);
    const w = REPORT_WORDS[lang];
    const S = STANDING_LABELS[lang];
    const summary = this.analytics.summarize(today, undefined, lang);
    const root = rootUnit(today);
    const sections: ReportSection[] = [];

    // 1. Each target's standing on the day: due today, breached or on track, with the people and units short.
    sections.push({
      heading: w.s1,
      paragraphs: summary.length ? summary.flatMap((t) => this.targetLines(t, lang)) : [w.noData],
      table: summary.length
        ? {
            headers: [w.target, w.value, w.threshold, w.status, w.peopleShort, w.breachedUnits, w.silentUnits, w.deadline],
            rows: summary.map((t) => [
              t.name,
              fmtPct(lang, t.value),
              fmtPct(lang, t.threshold),
              S[t.standing],
              fmtInt(lang, t.peopleShort),
              fmtInt(lang, t.unitsShort),
              fmtInt(lang, t.unitsNoData),
              fmtDate(t.deadline),
            ]),
          }
        : undefined,
    });

    // 2. Each cohort on the province.
    const cohortRows = COHORTS.flatMap((c) => {
      const f = root ? figuresOf(today, root.code, c, treeOfCohort(c))[0] : undefined;
      if (!f) return [];
      const fig = toFigure(f);
      const t = summary.find((x) => x.cohorts.includes(c) && x.metric !== 'resident_rate');
      return [
        [
          COHORT_LABELS[lang][c],
          fmtInt(lang, fig.installed),
          fmtInt(lang, fig.smartphoneHolders),
          fmtPct(lang, fig.installRate),
          fmtPct(lang, fig.bluetoothRate),
          c === 'residents' ? fmtPct(lang, fig.populationRate) : '—',
          t ? S[t.standing] : '—',
          `${fmtInt(lang, fig.reportingUnits)}/${fmtInt(lang, fig.expectedUnits)}`,
        ],
      ];
    });
    sections.push({
      heading: w.s2,
      paragraphs: cohortRows.length ? [] : [w.noData],
      table: cohortRows.length
        ? {
            headers: [w.cohort, w.installed, w.holders, w.installRate, w.bluetoothRate, w.populationRate, w.status, w.reporting],
            rows: cohortRows,
          }
        : undefined,
    });

    // 3. The week's trend: the province's value per target on each of the last days, as a chart and its table.
    sections.push(await this.trendSection(today, date, lang));

    // Heads' contacts in full for the keys that may read them (every key this report answers, today), as in the API.
    const reveal = revealsContacts(principal);

    // 4. Districts ranked worst first (the one ranking rule: farthest below the resident target first), with the change since the day before.
    const districts = rankWorstFirst(
      this.analytics
        .unitRows(today, { type: 'district', cohort: 'residents' }, null, undefined, reveal)
        .map((r) => ({ row: r, value: r.value, threshold: r.threshold ?? 0, gap: r.gap, status: r.status ?? 'no_data', code: r.code })),
    ).map((x) => x.row);
    const before = new Map(this.analytics.unitRows(yesterday, { type: 'district', cohort: 'residents' }, null).map((r) => [r.code, r]));
    sections.push({
      heading: w.s4,
      paragraphs: districts.length ? [] : [w.noData],
      table: districts.length
        ? {
            headers: [w.rank, w.district, w.head, w.installed, w.population, w.value, w.change, w.status],
            rows: districts.map((r, i) => {
              const prev = before.get(r.code)?.figure?.populationRate;
              const now = r.figure?.populationRate;
              return [
                String(i + 1),
                r.name,
                headLine(r.head),
                fmtInt(lang, r.figure?.installed),
                fmtInt(lang, r.figure?.population),
                fmtPct(lang, now),
                now !== null && now !== undefined && prev !== null && prev !== undefined ? fmtPoints(lang, now - prev) : '—',
                r.standing ? S[r.standing] : '—',
              ];
            }),
          }
        : undefined,
    });

    // 5. Laggards with their heads, worst first (the same rule as the API and the CSV), under each target in turn: the
    // sub-heading names the target, so its rows do not repeat it (as on the dashboard).
    const laggards = groupBy(this.analytics.laggardRows(today, {}, null, reveal, lang), (r) => r.targetId);
    const shownLaggards: UnitStatusRow[] = [];
    sections.push({ heading: w.s5, paragraphs: laggards.size ? [] : [w.none] });
    for (const [i, t] of today.targets.filter((x) => laggards.has(x.targetId)).entries()) {
      const rows = laggards.get(t.targetId)!;
      const shown = rows.slice(0, LAGGARDS_SHOWN);
      shownLaggards.push(...shown);
      sections.push({
        heading: w.s5Target(i + 1, targetName(t, lang)),
        sub: true,
        paragraphs: [
          rows.length > shown.length
            ? w.laggardsMore(fmtInt(lang, rows.length), fmtInt(lang, shown.length))
            : w.laggardsAll(fmtInt(lang, rows.length)),
        ],
        table: {
          headers: [w.unit, w.head, w.accountableTo, w.value, w.gap, w.status],
          rows: shown.map((r) => [
            r.name,
            headLine(r.head),
            r.parent?.name ?? '—',
            fmtPct(lang, r.value),
            fmtInt(lang, r.gap),
            r.statusLabel,
          ]),
        },
      });
    }

    // 6. Units that should report and have not: named, with their heads and the targets they leave without data.
    const silent = this.silentUnits(this.analytics.laggardRows(today, { status: 'no_data' }, null, reveal, lang));
    sections.push({
      heading: w.s6,
      paragraphs: silent.length ? [w.silentCount(fmtInt(lang, silent.length))] : [w.silentNone],
      table: silent.length
        ? {
            headers: [w.unit, w.head, w.accountableTo, w.targets],
            rows: silent.slice(0, SILENT_SHOWN).map((r) => [r.name, headLine(r.head), r.parent?.name ?? '—', r.targets.join('; ')]),
          }
        : undefined,
    });

    // 7. Support points.
    const ct = coverage.totals;
    sections.push({
      heading: w.s7,
      paragraphs: [
        w.coverage(fmtInt(lang, ct.communesWithPoint), fmtInt(lang, ct.communes), fmtPct(lang, ct.coverage)),
        w.pointsLine(fmtInt(lang, ct.points), fmtInt(lang, ct.assistedOnDate), fmtInt(lang, ct.installedOnDate)),
      ],
      table: coverage.rows.length
        ? {
            headers: [w.operator, w.points, w.communes, w.assisted, w.installed],
            rows: coverage.rows.map((r) => [
              r.name,
              fmtInt(lang, r.points),
              fmtInt(lang, r.communesWithPoint),
              fmtInt(lang, r.assistedOnDate),
              fmtInt(lang, r.installedOnDate),
            ]),
          }
        : undefined,
    });

    // 8. Activity.
    const at = activity.totals;
    const tt = transport.totals;
    sections.push({
      heading: w.s8,
      paragraphs: [
        w.broadcast(fmtInt(lang, at.communesBroadcastCompliant), fmtInt(lang, at.communes), fmtInt(lang, at.communesBroadcasting)),
        w.doorToDoor(fmtInt(lang, at.householdsVisited)),
        w.teams(fmtInt(lang, at.propagandaTeams)),
        w.venues(fmtInt(lang, at.venuesMobilised), fmtInt(lang, at.customersGuided)),
        w.hq(fmtInt(lang, at.hqVisitors), fmtInt(lang, at.hqInstalledOnSite)),
        w.transport(fmtInt(lang, tt.passengersChecked), fmtInt(lang, tt.installedOnSite), fmtPct(lang, tt.installedShare)),
      ],
    });

    // 9. Changes since the day before, summarised.
    sections.push({ heading: w.s9, paragraphs: changesSection(today, yesterday, lang) });
    // 10. Data-quality follow-ups still open (apps/compliance/src/quality).
    sections.push(followUpSection(await openFollowUpsOn(this.quality, date, lang), lang));

    const asOf = await this.readModel.read((g) => dayUpdatedAt(g, date, this.calendar));
    const doc: ReportDoc = {
      lang,
      title: w.title(fmtDate(date)),
      lead: [w.to, w.from, asOf ? w.asOf(fmtDate(date), fmtDateTime(asOf)) : w.noData],
      sections,
    };
    // The units whose heads this report named (record() keeps nothing for a key that reads contacts masked).
    await this.contacts.record(viewer, [
      ...districts.map((r) => today.units.get(r.code)),
      ...[...shownLaggards, ...silent.slice(0, SILENT_SHOWN)].map((r) => today.units.get(r.orgUnitCode)),
    ]);
    return { asOfEvent: today.asOfEvent, doc };
  }

  /** A target's standing in a sentence or two: what the chairman reads first. */
  private targetLines(t: TargetSummary, lang: Lang): string[] {
    const w = REPORT_WORDS[lang];
    const lines = [
      w.targetLine(t.name, fmtPct(lang, t.value), fmtPct(lang, t.threshold), fmtDate(t.deadline), STANDING_LABELS[lang][t.standing]),
    ];
    if (t.standing !== 'met') lines.push(w.shortLine(fmtInt(lang, t.peopleShort), fmtInt(lang, t.unitsShort), fmtInt(lang, t.unitsNoData)));
    return lines;
  }

  /** Units not reporting, once each (a unit silent on several targets is named once, with those targets), by code. */
  private silentUnits(rows: UnitStatusRow[]): Array<UnitStatusRow & { targets: string[] }> {
    const byUnit = new Map<string, UnitStatusRow & { targets: string[] }>();
    for (const r of rows) {
      const seen = byUnit.get(r.orgUnitCode);
      if (seen) seen.targets.push(r.targetName);
      else byUnit.set(r.orgUnitCode, { ...r, targets: [r.targetName] });
    }
    return [...byUnit.values()].sort((a, b) => compareStrings(a.orgUnitCode, b.orgUnitCode));
  }

  /** The province's value per target over the last TREND_DAYS days up to the report's day (the figures holding each day). */
  private async trendSection(today: Snapshot, date: string, lang: Lang): Promise<ReportSection> {
    const w = REPORT_WORDS[lang];
    const root = rootUnit(today);
    const from = notBeforeFirstDay(addDays(date, -(TREND_DAYS - 1)));
    // By day number, not by comparing strings: past 9999-12-31 the next day's year has five digits and sorts first,
    // so a string loop to 9999-12-31 never ended (found by the fuzz suite: the event loop blocked until the watchdog).
    const days = dateRange(from, date);
    const rows = root ? (await this.analytics.timeseries({ unit: root.code } as TimeseriesQueryDto, date, from)).rows : [];
    const series = today.targets.map((t) => ({
      name: targetName(t, lang),
      threshold: t.threshold,
      values: days.map(
        (d) =>
          measureTarget(
            t,
            rows.filter((r) => r.date === d),
          ).value,
      ),
    }));
    const label = (d: string) => fmtDate(d).slice(0, 5);
    const chart: ReportChart = {
      title: w.trendTitle(fmtDate(from), fmtDate(date)),
      days: days.map(label),
      series,
      thresholdWord: w.threshold.toLowerCase(),
      lang,
    };
    if (!series.length || series.every((s) => s.values.every((v) => v === null))) return { heading: w.s3, paragraphs: [w.noData] };
    return {
      heading: w.s3,
      paragraphs: [chart.title],
      chart,
      table: {
        headers: [w.day, ...series.map((s) => s.name)],
        rows: days.map((d, i) => [fmtDate(d), ...series.map((s) => fmtPct(lang, s.values[i]))]),
      },
    };
  }
}
