import { Injectable } from '@nestjs/common';
import { COHORTS, treeOfCohort } from '@app/contracts';
import type { Principal } from '@app/platform';
import { AnalyticsService, rootUnit } from '../analytics/analytics.service';
import { addDays, notBeforeFirstDay, toFigure } from '../common/figures';
import { figuresOf, ReadModelService, type Snapshot } from '../common/read-model.service';
import { FieldService } from '../field/field.service';
import {
  COHORT_LABEL,
  fmtDate,
  fmtInt,
  fmtPct,
  fmtPoints,
  STATUS_LABEL,
  WORDS,
  type ReportDoc,
  type ReportSection,
} from './daily-report.render';
import type { ReportLang } from './dto/daily-report-query.dto';

const LAGGARDS_SHOWN = 20;

/** The Department's daily report to the chairman, assembled from the same read model as the API. */
@Injectable()
export class DailyReportService {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly analytics: AnalyticsService,
    private readonly field: FieldService,
  ) {}

  async build(date: string, lang: ReportLang, principal: Principal): Promise<{ asOfEvent: string | null; doc: ReportDoc }> {
    const { today, yesterday } = await this.readModel.read(async (g) => ({
      today: await this.readModel.loadSnapshot(g, date),
      yesterday: await this.readModel.loadSnapshot(g, notBeforeFirstDay(addDays(date, -1))),
    }));
    const coverage = await this.field.supportCoverage({ by: 'operator' }, date);
    const activity = await this.field.activityCompliance({}, date, principal);
    const transport = await this.field.transport({}, date);
    const w = WORDS[lang];
    const S = STATUS_LABEL[lang];
    const summary = this.analytics.summarize(today);
    const root = rootUnit(today);
    const sections: ReportSection[] = [];

    // 1. Residents against 50%.
    const residentTargets = summary.filter((t) => t.metric === 'resident_rate');
    sections.push({
      heading: w.s1,
      paragraphs: residentTargets.length ? [] : [w.noData],
      table: residentTargets.length
        ? {
            headers: [w.target, w.value, w.threshold, w.status, w.gap, w.breachedUnits, w.deadline],
            rows: residentTargets.map((t) => [
              t.name,
              fmtPct(lang, t.value),
              fmtPct(lang, t.threshold),
              S[t.status],
              fmtInt(lang, t.gap),
              fmtInt(lang, t.unitsBreached),
              fmtDate(t.deadline),
            ]),
          }
        : undefined,
    });

    // 2. Each cohort on the province against 100%.
    const cohortRows = COHORTS.flatMap((c) => {
      const f = root ? figuresOf(today, root.code, c, treeOfCohort(c))[0] : undefined;
      if (!f) return [];
      const fig = toFigure(f);
      const t = summary.find((x) => x.cohorts.includes(c) && x.metric !== 'resident_rate');
      return [
        [
          COHORT_LABEL[lang][c],
          fmtInt(lang, fig.installed),
          fmtInt(lang, fig.smartphoneHolders),
          fmtPct(lang, fig.installRate),
          fmtPct(lang, fig.bluetoothRate),
          t ? S[t.status] : '—',
          `${fmtInt(lang, fig.reportingUnits)}/${fmtInt(lang, fig.expectedUnits)}`,
        ],
      ];
    });
    sections.push({
      heading: w.s2,
      paragraphs: cohortRows.length ? [] : [w.noData],
      table: cohortRows.length
        ? { headers: [w.cohort, w.installed, w.holders, w.installRate, w.bluetoothRate, w.status, w.reporting], rows: cohortRows }
        : undefined,
    });

    // 3. Districts ranked by resident rate (best first), with the change since the day before.
    const districts = this.analytics.unitRows(today, { type: 'district', cohort: 'residents', sort: '-populationRate' }, null);
    const before = new Map(this.analytics.unitRows(yesterday, { type: 'district', cohort: 'residents' }, null).map((r) => [r.code, r]));
    sections.push({
      heading: w.s3,
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
                r.head ? `${r.head.title ?? ''} ${r.head.name}`.trim() : '—',
                fmtInt(lang, r.figure?.installed),
                fmtInt(lang, r.figure?.population),
                fmtPct(lang, now),
                now !== null && now !== undefined && prev !== null && prev !== undefined ? fmtPoints(lang, now - prev) : '—',
                r.status ? S[r.status] : '—',
              ];
            }),
          }
        : undefined,
    });

    // 4. Laggards with their heads.
    const laggards = this.analytics.laggardRows(today, {}, null).slice(0, LAGGARDS_SHOWN);
    const targetName = (id: string) => today.targets.find((t) => t.targetId === id)?.name ?? id;
    sections.push({
      heading: w.s4,
      paragraphs: laggards.length ? [] : [w.none],
      table: laggards.length
        ? {
            headers: [w.unit, w.head, w.accountableTo, w.target, w.value, w.gap, w.status],
            rows: laggards.map((r) => [
              r.name,
              r.head ? `${r.head.title ?? ''} ${r.head.name}`.trim() : '—',
              r.accountableTo?.name ?? '—',
              targetName(r.targetId),
              fmtPct(lang, r.value),
              fmtInt(lang, r.gap),
              S[r.status],
            ]),
          }
        : undefined,
    });

    // 5. Support points.
    const ct = coverage.totals;
    sections.push({
      heading: w.s5,
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

    // 6. Activity.
    const at = activity.totals;
    const tt = transport.totals;
    sections.push({
      heading: w.s6,
      paragraphs: [
        w.broadcast(fmtInt(lang, at.communesBroadcastCompliant), fmtInt(lang, at.communes), fmtInt(lang, at.communesBroadcasting)),
        w.doorToDoor(fmtInt(lang, at.householdsVisited)),
        w.teams(fmtInt(lang, at.propagandaTeams)),
        w.venues(fmtInt(lang, at.venuesMobilised), fmtInt(lang, at.customersGuided)),
        w.hq(fmtInt(lang, at.hqVisitors), fmtInt(lang, at.hqInstalledOnSite)),
        w.transport(fmtInt(lang, tt.passengersChecked), fmtInt(lang, tt.installedOnSite), fmtPct(lang, tt.installedShare)),
      ],
    });

    // 7. Changes since the day before.
    sections.push({ heading: w.s7, paragraphs: this.changes(today, yesterday, lang) });

    const doc: ReportDoc = {
      lang,
      title: w.title(fmtDate(date)),
      lead: [w.to, w.from, today.asOfEvent ? w.asOf(today.asOfEvent.replace('T', ' ').replace('Z', '')) : w.noData],
      sections,
    };
    return { asOfEvent: today.asOfEvent, doc };
  }

  private changes(today: Snapshot, yesterday: Snapshot, lang: ReportLang): string[] {
    const w = WORDS[lang];
    const out: string[] = [];
    const root = rootUnit(today);
    if (root) {
      for (const c of COHORTS) {
        const tree = treeOfCohort(c);
        const a = figuresOf(yesterday, root.code, c, tree)[0];
        const b = figuresOf(today, root.code, c, tree)[0];
        if (!b) continue;
        const fb = toFigure(b);
        const fa = a ? toFigure(a) : null;
        const rb = c === 'residents' ? fb.populationRate : fb.installRate;
        const ra = fa ? (c === 'residents' ? fa.populationRate : fa.installRate) : null;
        if (rb !== null && ra !== null && rb !== ra)
          out.push(w.rateChange(COHORT_LABEL[lang][c], fmtPct(lang, ra), fmtPct(lang, rb), fmtPoints(lang, rb - ra)));
      }
    }
    for (const t of today.targets) {
      for (const [code, st] of [...(today.statuses.get(t.targetId)?.entries() ?? [])].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
        const prev = yesterday.statuses.get(t.targetId)?.get(code)?.status ?? null;
        if (st.date === today.date && prev !== st.status) {
          out.push(
            w.statusChange(
              today.units.get(code)?.name ?? code,
              t.name,
              prev ? STATUS_LABEL[lang][prev] : '—',
              STATUS_LABEL[lang][st.status],
            ),
          );
        }
      }
    }
    return out.length ? out : [w.noChange];
  }
}
