import { Injectable } from '@nestjs/common';
import type { ActivityKind } from '@app/contracts';
import { CampaignCalendar, ProblemException, type Principal } from '@app/platform';
import { AnalyticsService } from '../analytics/analytics.service';
import { rootUnit, standing, type UnitStatusRow } from '../analytics/analytics-rows';
import { headOf } from '../common/contacts';
import { addDays, compareStrings, parentOn } from '@app/domain';
import { dayUpdatedAt, firstReportDay } from '../presentation/report-freshness';
import { notBeforeFirstDay, toFigure, type FigureCounts } from '../common/figures';
import type { TargetRow as Target } from '../common/read-model.service';
import {
  assembleSnapshot,
  FIGURE_COLUMNS,
  figuresOf,
  ReadModelService,
  type Generation,
  type Snapshot,
  type UnitRow,
} from '../common/read-model.service';
import { OutreachService } from '../outreach/outreach.service';
import { campaignDays, sinceYesterday, trendOf, type Trend } from './dashboard-trend';
import type { DistrictRow, LaggardRow, StandingCell } from './dashboard-tables';
import type { ActivityItem, FigureRow, ReportRow, SupportPointRow, UnitStatusView } from './dashboard-unit-tables';
import type { DashboardView, DayInfo, TargetLaggards, UnitRef, UnitView } from './dashboard.views';

/** Laggards shown per target on the page; the full list is one click away as CSV or XLSX. */
export const LAGGARDS_SHOWN = 30;
/** How many days back the day picker offers at most. */
const PICKER_DAYS = 120;
/** The activity and report rows a unit's page lists (newest first). */
const ACTIVITY_ROWS = 200;
const REPORT_ROWS = 60;
const ACTIVITY_DAYS = 7;

/** A fraction's change since yesterday, from two standings of the same target. */
const cell = (
  today: { value: number | null; status: StandingCell['status']; gap: number | null },
  threshold: number,
  yesterday: number | null,
) => ({
  value: today.value,
  threshold,
  status: today.status,
  gap: today.gap,
  delta: sinceYesterday(today.value, yesterday),
});

/** Worst first: the lowest value (no value last), then the most people missing, then the code. */
export function worstFirst<T extends { value: number | null; gap: number | null; code: string }>(rows: T[]): T[] {
  return [...rows].sort(
    (a, b) => (a.value ?? Infinity) - (b.value ?? Infinity) || (b.gap ?? -1) - (a.gap ?? -1) || compareStrings(a.code, b.code),
  );
}

/**
 * The dashboard's data. Every figure comes from the services behind the JSON API and the daily report
 * (same snapshot rules, same roll-ups, same `measure`), so the pages never disagree with them.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly analytics: AnalyticsService,
    private readonly field: OutreachService,
    private readonly calendar: CampaignCalendar,
  ) {}

  /** The latest campaign day with reports (the analytics' default day), not a day made by a window running out; null on an empty read model. */
  async latestDate(): Promise<string | null> {
    return this.readModel.read(async (g) => {
      const reported = await this.readModel.latestReportDay(g, this.calendar.today());
      if (reported) return reported;
      // No report projected (a read model fed by rates alone): the newest day anything was recorded for.
      const s = `"${g.schema}"`;
      const rows: Array<{ latest: string | null }> = await g.m.query(
        `SELECT GREATEST((SELECT max(date) FROM ${s}.figures), (SELECT max(date) FROM ${s}.target_statuses), (SELECT max(date) FROM ${s}.activities),
                         (SELECT max(date) FROM ${s}.support_sessions), (SELECT max(date) FROM ${s}.transport_checks))::text AS latest`,
      );
      return rows[0]?.latest ?? null;
    });
  }

  /**
   * The day shown (the one asked for, else the latest with reports), the days the picker offers (from the
   * first report to the later of the latest report day, the day after the last deadline and the day
   * asked for, never past today) and when that day's figures were last updated.
   */
  async day(requested: string | undefined): Promise<DayInfo> {
    const latestDate = await this.latestDate();
    const today = this.calendar.today();
    const date = requested ?? latestDate ?? today;
    return this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const firstReport = await firstReportDay(g);
      const first = firstReport ?? date;
      const afterDeadline = targets.map((t) => addDays(t.deadline, 1)).filter((d) => d <= today);
      const last = [date, latestDate ?? date, ...afterDeadline].sort().at(-1)!;
      const days: string[] = [];
      for (let d = last; d >= first && days.length < PICKER_DAYS; d = addDays(d, -1)) days.push(d);
      if (!days.includes(date)) days.push(date);
      return { date, latestDate, days, updatedAt: await dayUpdatedAt(g, date, this.calendar, firstReport) };
    });
  }

  async build(requested: string | undefined, principal: Principal): Promise<DashboardView> {
    const day = await this.day(requested);
    const { date } = day;
    const yesterday = notBeforeFirstDay(addDays(date, -1));
    const s = await this.readModel.snapshot(date);
    const sy = await this.readModel.snapshot(yesterday);
    const coverage = await this.field.supportCoverage({ by: 'district', sort: 'coverage' }, date);
    const coverageBefore = new Map(
      (await this.field.supportCoverage({ by: 'district' }, yesterday)).rows.map((r) => [r.code, r.coverage] as const),
    );
    const activity = await this.field.activityCompliance({}, date, principal);

    const root = rootUnit(s);
    const membersTarget = s.targets.find((t) => t.metric === 'bluetooth_rate');
    const districts = this.analytics
      .unitRows(s, { type: 'district', cohort: 'residents', sort: 'populationRate' }, null)
      .map((r, i): DistrictRow => ({
        rank: i + 1,
        code: r.code,
        name: r.name,
        head: r.head,
        installed: r.figure?.installed ?? null,
        population: r.figure?.population ?? null,
        resident:
          r.targetId && r.status && r.threshold !== null
            ? cell(
                { value: r.value, status: r.status, gap: r.gap },
                r.threshold,
                standing(
                  sy,
                  s.targets.find((t) => t.targetId === r.targetId)!,
                  r.code,
                ).value,
              )
            : null,
        members: membersTarget
          ? cell(standing(s, membersTarget, r.code), membersTarget.threshold, standing(sy, membersTarget, r.code).value)
          : null,
      }));
    const laggardRow = (l: UnitStatusRow): LaggardRow => ({
      target: s.targets.find((t) => t.targetId === l.targetId)!,
      orgUnitCode: l.orgUnitCode,
      name: l.name,
      head: l.head,
      accountableTo: l.parent ? { code: l.parent.code, name: l.parent.name } : null,
      value: l.value,
      threshold: l.threshold,
      gap: l.gap,
      status: l.standing,
      since: l.since,
      delta: sinceYesterday(
        l.value,
        standing(
          sy,
          s.targets.find((t) => t.targetId === l.targetId)!,
          l.orgUnitCode,
        ).value,
      ),
    });
    const byTarget = s.targets.map((t): TargetLaggards => {
      const short = this.analytics.laggardRows(s, { target: t.targetId }, null).map(laggardRow);
      const silent = this.analytics.laggardRows(s, { target: t.targetId, status: 'no_data' }, null).map(laggardRow);
      return {
        target: t,
        total: short.length,
        rows: short.slice(0, LAGGARDS_SHOWN),
        silentTotal: silent.length,
        silent: silent.slice(0, LAGGARDS_SHOWN),
      };
    });
    const all = this.analytics.laggardRows(s, {}, null).map(laggardRow);
    // The targets as the summary route gives them (the same rules and counts: standing, units and people short).
    const summaries = (await this.analytics.summary(date)).targets;
    const before = new Map((await this.analytics.summary(yesterday)).targets.map((t) => [t.targetId, t.value] as const));
    const communes = activity.rows.filter((r) => r.type === 'commune');
    const unitName = (code: string) => s.units.get(code)?.name ?? code;
    return {
      ...day,
      asOfEvent: s.asOfEvent,
      province: root ? { code: root.code, name: root.name, head: headOf(root) } : null,
      targets: summaries,
      targetRows: summaries.map((t) => ({
        ...t,
        target: s.targets.find((x) => x.targetId === t.targetId)!,
        delta: sinceYesterday(t.value, before.get(t.targetId)),
      })),
      districts,
      laggards: { byTarget, all },
      trends: root ? await this.trends(root.code, s.targets, date) : [],
      coverage: {
        ...coverage.totals,
        rows: coverage.rows.map((d) => ({
          code: d.code,
          name: d.name,
          coverage: d.coverage,
          communes: d.communes,
          communesWithPoint: d.communesWithPoint,
          points: d.points,
          assistedOnDate: d.assistedOnDate,
          installedOnDate: d.installedOnDate,
          uncovered: d.communesWithoutPoint.map(unitName),
          delta: sinceYesterday(d.coverage, coverageBefore.get(d.code)),
        })),
      },
      activity: {
        ...activity.totals,
        missingEnd: communes
          .filter((r) => r.broadcastSessions !== null && (r.broadcastWithEnd ?? 0) < r.broadcastSessions)
          .map((m) => ({
            code: m.orgUnitCode,
            name: m.name,
            districtCode: m.districtCode,
            districtName: m.districtName,
            sessions: m.broadcastSessions,
            withStart: m.broadcastWithStart,
            withEnd: m.broadcastWithEnd,
          })),
        missingStart: communes.filter((r) => r.broadcastSessions !== null && (r.broadcastWithStart ?? 0) < r.broadcastSessions).length,
      },
    };
  }

  /** The province's value for every target (a chart each, even before its first figure), day by day over the campaign. */
  async trends(code: string, targets: Target[], date: string): Promise<Trend[]> {
    return this.readModel.read(async (g) => (await this.series(g, [code], targets, date, undefined, true)).get(code) ?? []);
  }

  /** Trends of several units in one read: per unit, one per target with at least one value (or every target: `all`). */
  private async series(
    g: Generation,
    codes: readonly string[],
    targets: Target[],
    date: string,
    from?: string,
    all = false,
  ): Promise<Map<string, Trend[]>> {
    const rows: FigureCounts[] = await g.m.query(
      `SELECT ${FIGURE_COLUMNS} FROM "${g.schema}".figures WHERE org_unit_code = ANY($1::text[]) AND date <= $2 ORDER BY org_unit_code, date`,
      [[...new Set(codes)], date],
    );
    const first = rows.reduce<string | null>((m, r) => (m === null || r.date < m ? r.date : m), null);
    const days = campaignDays(targets, date, first).filter((d) => !from || d >= from);
    const out = new Map<string, Trend[]>();
    for (const code of codes) {
      const mine = rows.filter((r) => r.orgUnitCode === code);
      const trends = targets
        .map((target) => ({ code, target, points: trendOf(target, mine, days, date) }))
        .filter((t) => all || t.points.some((p) => p.value !== null));
      out.set(code, trends);
    }
    return out;
  }

  /** Trends of several units for export (one call, checked against the key's scope by the caller). */
  async unitSeries(codes: readonly string[], targetId: string | undefined, date: string, from: string | undefined) {
    return this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const chosen = targetId ? [this.analytics.requireTarget({ targets }, targetId)] : targets;
      const units = await this.readModel.unitsByCode(g, codes);
      for (const code of codes)
        if (!units.some((u) => u.code === code))
          throw new ProblemException(404, `unknown org unit ${code}`, [{ field: 'units', message: `unit ${code} is not a known unit` }]);
      const series = await this.series(g, codes, chosen, date, from);
      return { asOfEvent: g.asOfEvent, units: new Map(units.map((u) => [u.code, u.name])), series };
    });
  }

  /** Whether the unit exists (a page for a code nobody knows is a 404, said in the page's language). */
  async exists(code: string): Promise<boolean> {
    return this.readModel.read(async (g) => (await this.readModel.unit(g, code)) !== undefined);
  }

  /**
   * A unit's page: its figures per cohort, statuses, trend, children worst first on both trees, its own
   * reports, the activity of its area over the last week and the support points in its area.
   * `scopeRoot`: the key's own unit for a scoped key (the crumbs stop there), null for a key that reads all.
   */
  async unit(code: string, requested: string | undefined, scopeRoot: string | null): Promise<UnitView> {
    const day = await this.day(requested);
    const { date } = day;
    const yesterday = notBeforeFirstDay(addDays(date, -1));
    return this.readModel.read(async (g) => {
      const u = await this.readModel.unit(g, code);
      if (!u) throw new ProblemException(404, `unknown org unit ${code}`, [{ field: 'code', message: `code ${code} is not a known unit` }]);
      const targets = await this.readModel.targets(g);
      const crumbs = await this.crumbs(g, u, scopeRoot);
      const parents = await this.readModel.unitsByCode(
        g,
        [u.adminParentCode, u.accountableToCode].filter((c): c is string => c !== null),
      );
      const children = (await this.readModel.childrenOfUnit(g, code)).filter((c) => c.active);
      const codes = [code, ...children.map((c) => c.code)];
      const ids = targets.map((t) => t.targetId);
      const snap = async (day: string): Promise<Snapshot> =>
        assembleSnapshot(
          day,
          g.asOfEvent,
          [u, ...parents, ...children],
          await this.readModel.figuresOfUnits(g, day, codes),
          await this.readModel.statusesOf(g, day, ids, codes),
          targets,
        );
      const s = await snap(date);
      const sy = await snap(yesterday);
      const visibleParent = (c: string | null): UnitRef | null => {
        if (!c || (scopeRoot !== null && !crumbs.some((x) => x.code === c))) return null;
        const p = s.units.get(c);
        return p ? { code: p.code, name: p.name } : null;
      };
      const figuresBefore = figuresOf(sy, code);
      const figures = figuresOf(s, code).map((f): FigureRow => {
        const now = toFigure(f);
        const old = figuresBefore.find((b) => b.cohort === f.cohort && b.tree === f.tree);
        const then = old ? toFigure(old) : null;
        return {
          ...now,
          installDelta: sinceYesterday(now.installRate, then?.installRate),
          bluetoothDelta: sinceYesterday(now.bluetoothRate, then?.bluetoothRate),
        };
      });
      const statuses = targets
        .map((t): UnitStatusView & { has: boolean } => {
          const st = standing(s, t, code);
          return {
            target: t,
            value: st.value,
            threshold: t.threshold,
            status: st.status,
            gap: st.gap,
            since: st.since,
            deadline: t.deadline,
            delta: sinceYesterday(st.value, standing(sy, t, code).value),
            has: st.value !== null || s.statuses.get(t.targetId)?.has(code) === true,
          };
        })
        .filter((r) => r.has)
        .map(({ has: _has, ...r }) => r);
      const childTables = (['administrative', 'accountability'] as const).map((tree) => {
        const target = targets.find((t) => t.tree === tree);
        const mine = children.filter((c) => parentOn(tree, c) === code);
        const rows = mine.map((c) => {
          const st = target ? standing(s, target, c.code) : null;
          const raw = target ? s.statuses.get(target.targetId)?.get(c.code) : undefined;
          const fig = target ? figuresOf(s, c.code).filter((f) => f.tree === tree && target.cohorts.includes(f.cohort)) : [];
          return {
            rank: 0,
            code: c.code,
            name: c.name,
            type: c.type,
            head: headOf(c),
            target: target ?? null,
            value: st?.value ?? null,
            threshold: target?.threshold ?? null,
            status: st?.status ?? null,
            gap: st?.gap ?? null,
            delta: target ? sinceYesterday(st?.value, standing(sy, target, c.code).value) : null,
            reportingUnits: raw?.reportingUnits ?? (fig.length ? Math.max(...fig.map((f) => f.reportingUnits)) : null),
            expectedUnits: raw?.expectedUnits ?? (fig.length ? Math.max(...fig.map((f) => f.expectedUnits)) : null),
          };
        });
        return { tree, target, rows: worstFirst(rows).map((r, i) => ({ ...r, rank: i + 1 })) };
      });
      const area = await this.readModel.subtree(g, code);
      return {
        ...day,
        asOfEvent: g.asOfEvent,
        code: u.code,
        name: u.name,
        type: u.type,
        head: headOf(u),
        crumbs,
        adminParent: visibleParent(u.adminParentCode),
        accountableTo: visibleParent(u.accountableToCode),
        figures,
        statuses,
        trends: (await this.series(g, [code], targets, date)).get(code) ?? [],
        children: childTables.filter((c) => c.rows.length > 0).map(({ tree, rows }) => ({ tree, rows })),
        reports: await this.reports(g, code, date),
        activities: await this.activities(g, area, date),
        supportPoints: await this.supportPoints(g, area, date),
      };
    });
  }

  /** The administrative ancestors from the top (or the key's own unit) down to the unit's parent. */
  private async crumbs(g: Generation, u: UnitRow, scopeRoot: string | null): Promise<UnitRef[]> {
    const chain: UnitRef[] = [];
    let cur: UnitRow | undefined = u;
    for (let depth = 0; cur && cur.code !== scopeRoot && depth < 12; depth++) {
      const parentCode: string | null = cur.adminParentCode ?? cur.accountableToCode;
      if (!parentCode) break;
      cur = await this.readModel.unit(g, parentCode);
      if (cur) chain.unshift({ code: cur.code, name: cur.name });
    }
    if (scopeRoot !== null && !chain.some((c) => c.code === scopeRoot) && u.code !== scopeRoot) return [];
    return chain;
  }

  private async reports(g: Generation, code: string, date: string): Promise<ReportRow[]> {
    return g.m.query(
      `SELECT cohort, as_of::text AS "asOf", revision, to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "submittedAt",
              headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn"
       FROM "${g.schema}".reports WHERE org_unit_code = $1 AND as_of <= $2 ORDER BY as_of DESC, cohort LIMIT ${REPORT_ROWS}`,
      [code, date],
    );
  }

  private async activities(g: Generation, area: string[], date: string): Promise<{ total: number; rows: ActivityItem[] }> {
    const params = [area, date, notBeforeFirstDay(addDays(date, -ACTIVITY_DAYS))];
    const where = `org_unit_code = ANY($1::text[]) AND date <= $2 AND date > $3`;
    const total: Array<{ n: number }> = await g.m.query(`SELECT count(*)::int AS n FROM "${g.schema}".activities WHERE ${where}`, params);
    const rows: Array<{ code: string; kind: ActivityKind; date: string; counts: Record<string, number | boolean | string> }> =
      await g.m.query(
        `SELECT org_unit_code AS code, kind, date::text AS date, counts FROM "${g.schema}".activities WHERE ${where}
       ORDER BY date DESC, org_unit_code, kind, venue_type LIMIT ${ACTIVITY_ROWS}`,
        params,
      );
    const names = new Map(
      (
        await this.readModel.unitsByCode(
          g,
          rows.map((r) => r.code),
        )
      ).map((x) => [x.code, x.name]),
    );
    return { total: total[0]?.n ?? 0, rows: rows.map((r) => ({ ...r, name: names.get(r.code) ?? r.code })) };
  }

  private async supportPoints(g: Generation, area: string[], date: string): Promise<SupportPointRow[]> {
    const rows: Array<Omit<SupportPointRow, 'operatorName' | 'communeName'>> = await g.m.query(
      `SELECT p.point_id AS "pointId", p.operator_code AS "operatorCode", p.commune_code AS "communeCode", p.address,
              p.opened_on::text AS "openedOn",
              COALESCE(SUM(s.assisted), 0)::int AS "assistedToDate", COALESCE(SUM(s.installed), 0)::int AS "installedToDate"
       FROM "${g.schema}".support_points p
       LEFT JOIN "${g.schema}".support_sessions s ON s.point_id = p.point_id AND s.date <= $2
       WHERE p.commune_code = ANY($1::text[]) AND p.opened_on IS NOT NULL AND p.opened_on <= $2
         AND NOT (p.close_revision > p.open_revision AND p.closed_on <= $2)
       GROUP BY p.point_id ORDER BY p.commune_code, p.point_id LIMIT 500`,
      [area, date],
    );
    const names = new Map(
      (
        await this.readModel.unitsByCode(
          g,
          rows.flatMap((r) => [r.operatorCode, r.communeCode]),
        )
      ).map((x) => [x.code, x.name]),
    );
    return rows.map((r) => ({
      ...r,
      operatorName: names.get(r.operatorCode) ?? r.operatorCode,
      communeName: names.get(r.communeCode) ?? r.communeCode,
    }));
  }
}
