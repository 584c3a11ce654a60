import { Injectable } from '@nestjs/common';
import type { TargetStatus } from '@app/contracts';
import { CampaignCalendar, type Principal } from '@app/platform';
import {
  AnalyticsService,
  headOf,
  rootUnit,
  standing,
  type Head,
  type TargetSummary,
  type UnitStatusRow,
} from '../analytics/analytics.service';
import { ReadModelService } from '../common/read-model.service';
import { FieldService, type ActivityRow, type CoverageRow } from '../field/field.service';

/** Laggards shown on the page; the full list is one click away as CSV. */
export const LAGGARDS_SHOWN = 25;

export interface Standing {
  targetId: string;
  value: number | null;
  threshold: number;
  status: TargetStatus;
  gap: number | null;
}

export interface DistrictView {
  code: string;
  name: string;
  head: Head | null;
  installed: number | null;
  population: number | null;
  /** Residents against the resident-rate target (installed / population). */
  resident: Standing | null;
  /** Staff and members against the Bluetooth-rate target (Bluetooth on / smartphone holders, accountability tree). */
  members: Standing | null;
}

export interface DashboardView {
  date: string;
  /** The latest day with data, so the page can say when the chosen day is not it. */
  latestDate: string | null;
  asOfEvent: string | null;
  province: { code: string; name: string; head: Head | null } | null;
  targets: TargetSummary[];
  districts: DistrictView[];
  laggards: { total: number; rows: UnitStatusRow[] };
  targetNames: Map<string, string>;
  unitNames: Map<string, string>;
  coverage: Awaited<ReturnType<FieldService['supportCoverage']>>['totals'] & { rows: CoverageRow[] };
  activity: Awaited<ReturnType<FieldService['activityCompliance']>>['totals'] & {
    /** Communes that aired at least one session without the closing announcement. */
    missingEnd: ActivityRow[];
    /** Communes that aired at least one session without the opening announcement. */
    missingStart: number;
  };
}

/**
 * The dashboard's data for one day. Every figure comes from the services behind the JSON API and the
 * daily report (same snapshot rules, same roll-ups), so the page can never disagree with them.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly analytics: AnalyticsService,
    private readonly field: FieldService,
    private readonly calendar: CampaignCalendar,
  ) {}

  /** The newest day anything was recorded for (figures, statuses, activity, sessions, passenger checks); null on an empty read model. */
  async latestDate(): Promise<string | null> {
    return this.readModel.read(async (g) => {
      const s = `"${g.schema}"`;
      const rows: Array<{ latest: string | null }> = await g.m.query(
        `SELECT GREATEST((SELECT max(date) FROM ${s}.figures), (SELECT max(date) FROM ${s}.target_statuses), (SELECT max(date) FROM ${s}.activities),
                         (SELECT max(date) FROM ${s}.support_sessions), (SELECT max(date) FROM ${s}.transport_checks))::text AS latest`,
      );
      return rows[0]?.latest ?? null;
    });
  }

  async build(requested: string | undefined, principal: Principal): Promise<DashboardView> {
    const latestDate = await this.latestDate();
    const date = requested ?? latestDate ?? this.calendar.today();
    const s = await this.readModel.snapshot(date);
    const coverage = await this.field.supportCoverage({ by: 'district', sort: 'coverage' }, date);
    const activity = await this.field.activityCompliance({}, date, principal);

    const root = rootUnit(s);
    const membersTarget = s.targets.find((t) => t.metric === 'bluetooth_rate');
    const districts = this.analytics
      .unitRows(s, { type: 'district', cohort: 'residents', sort: 'populationRate' }, null)
      .map((r): DistrictView => ({
        code: r.code,
        name: r.name,
        head: r.head,
        installed: r.figure?.installed ?? null,
        population: r.figure?.population ?? null,
        resident:
          r.targetId && r.status && r.threshold !== null
            ? { targetId: r.targetId, value: r.value, threshold: r.threshold, status: r.status, gap: r.gap }
            : null,
        members: membersTarget
          ? { targetId: membersTarget.targetId, threshold: membersTarget.threshold, ...standing(s, membersTarget, r.code) }
          : null,
      }));
    const laggards = this.analytics.laggardRows(s, {}, null);
    const communes = activity.rows.filter((r) => r.type === 'commune');
    return {
      date,
      latestDate,
      asOfEvent: s.asOfEvent,
      province: root ? { code: root.code, name: root.name, head: headOf(root) } : null,
      targets: this.analytics.summarize(s),
      districts,
      laggards: { total: laggards.length, rows: laggards.slice(0, LAGGARDS_SHOWN) },
      targetNames: new Map(s.targets.map((t) => [t.targetId, t.name])),
      unitNames: new Map([...s.units.values()].map((u) => [u.code, u.name])),
      coverage: { ...coverage.totals, rows: coverage.rows },
      activity: {
        ...activity.totals,
        missingEnd: communes.filter((r) => r.broadcastSessions !== null && (r.broadcastWithEnd ?? 0) < r.broadcastSessions),
        missingStart: communes.filter((r) => r.broadcastSessions !== null && (r.broadcastWithStart ?? 0) < r.broadcastSessions).length,
      },
    };
  }
}
