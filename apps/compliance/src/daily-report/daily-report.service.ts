import { Injectable } from '@nestjs/common';
import { COHORTS, treeOfCohort } from '@app/contracts';
import { addDays, rankWorstFirst, targetName } from '@app/domain';
import type { Principal } from '@app/platform';
import { AnalyticsService, rootUnit } from '../analytics/analytics.service';
import { ContactAccessService, revealsContacts, type Head, type Viewer } from '../common/contacts';
import { notBeforeFirstDay, toFigure } from '../common/figures';
import { figuresOf, ReadModelService, type Snapshot } from '../common/read-model.service';
import { FieldService } from '../field/field.service';
import {
  COHORT_LABEL,
  fmtDate,
  fmtDateTime,
  fmtInt,
  fmtPct,
  fmtPoints,
  STATUS_LABEL,
  WORDS,
  type ReportDoc,
  type ReportSection,
} from './daily-report.render';
import type { ReportLang } from './dto/daily-report-query.dto';
import { followUpSection, openFollowUpsOn } from '../quality/follow-ups.section';
import { QualityService } from '../quality/quality.service';

const LAGGARDS_SHOWN = 20;

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
    private readonly field: FieldService,
    private readonly contacts: ContactAccessService,
    private readonly quality: QualityService,
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
    const w = WORDS[lang];
    const S = STATUS_LABEL[lang];
    const summary = this.analytics.summarize(today, undefined, lang);
    const root = rootUnit(today);
    const sections: ReportSection[] = [];

    // 1. Residents against 50%.
    const residentTargets = summary.filter((t) => t.metric === 'resident_rate');
    sections.push({
      heading: w.s1,
      paragraphs: residentTargets.length ? [] : [w.noData],
      table: residentTargets.length
        ? {
            headers: [w.target, w.value, w.threshold, w.status, w.peopleShort, w.breachedUnits, w.deadline],
            rows: residentTargets.map((t) => [
              t.name,
              fmtPct(lang, t.value),
              fmtPct(lang, t.threshold),
              S[t.standing],
              fmtInt(lang, t.peopleShort),
              fmtInt(lang, t.unitsShort),
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
          t ? S[t.standing] : '—',
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

    // 3. Districts ranked worst first (the one ranking rule: farthest below the resident target first), with the change since the day before.
    const districts = rankWorstFirst(
      this.analytics
        .unitRows(today, { type: 'district', cohort: 'residents' }, null)
        .map((r) => ({ row: r, value: r.value, threshold: r.threshold ?? 0, gap: r.gap, status: r.status ?? 'no_data', code: r.code })),
    ).map((x) => x.row);
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

    // 4. Laggards with their heads, worst first (the same rule as the API and the CSV).
    const reveal = revealsContacts(principal);
    const laggards = this.analytics.laggardRows(today, {}, null, reveal, lang).slice(0, LAGGARDS_SHOWN);
    sections.push({
      heading: w.s4,
      paragraphs: laggards.length ? [] : [w.none],
      table: laggards.length
        ? {
            headers: [w.unit, w.head, w.accountableTo, w.target, w.value, w.gap, w.status],
            rows: laggards.map((r) => [
              r.name,
              headLine(r.head),
              r.parent?.name ?? '—',
              r.targetName,
              fmtPct(lang, r.value),
              fmtInt(lang, r.gap),
              r.statusLabel,
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
    // 8. Data-quality follow-ups still open (apps/compliance/src/quality).
    sections.push(followUpSection(await openFollowUpsOn(this.quality, date, lang), lang));

    const doc: ReportDoc = {
      lang,
      title: w.title(fmtDate(date)),
      lead: [w.to, w.from, today.asOfEvent ? w.asOf(fmtDateTime(today.asOfEvent)) : w.noData],
      sections,
    };
    await this.contacts.record(viewer, [
      ...districts.map((r) => today.units.get(r.code)),
      ...(reveal ? laggards.map((r) => today.units.get(r.orgUnitCode)) : []),
    ]);
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
              targetName(t, lang),
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
