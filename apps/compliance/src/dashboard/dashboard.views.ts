import type { Tree } from '@app/contracts';
import type { TargetSummary } from '../analytics/analytics-rows';
import type { Head } from '../common/contacts';
import type { TargetRow as Target } from '../common/read-model.service';
import type { OutreachService } from '../outreach/outreach.service';
import type { Trend } from './dashboard-trend';
import type { BroadcastRow, CoverageTableRow, DistrictRow, LaggardRow, TargetRow } from './dashboard-tables';
import type { ActivityItem, ChildRow, FigureRow, ReportRow, SupportPointRow, UnitStatusView } from './dashboard-unit-tables';

/** What the dashboard's pages show: the values DashboardService builds and the renderers write out. */
/** The day a page shows, and what its header and freshness line say about it. */
export interface DayInfo {
  date: string;
  /** The latest day with data, so the page can say when the chosen day is not it. */
  latestDate: string | null;
  /** The campaign days the picker offers, newest first (dd/mm/yyyy is how they are shown). */
  days: string[];
  /** When the figures of `date` were last updated (the campaign's wall clock, to the second), null before any report. */
  updatedAt: string | null;
}

/** One target's own laggards: its units short, worst first by the distance to its threshold, and its units not reporting. */
export interface TargetLaggards {
  target: Target;
  total: number;
  rows: LaggardRow[];
  silentTotal: number;
  silent: LaggardRow[];
}

export interface DashboardView extends DayInfo {
  asOfEvent: string | null;
  province: { code: string; name: string; head: Head | null } | null;
  targets: TargetSummary[];
  targetRows: TargetRow[];
  districts: DistrictRow[];
  /** Per target, its own list; `all`: every target's units short, for the export. */
  laggards: { byTarget: TargetLaggards[]; all: LaggardRow[] };
  trends: Trend[];
  coverage: Awaited<ReturnType<OutreachService['supportCoverage']>>['totals'] & { rows: CoverageTableRow[] };
  activity: Awaited<ReturnType<OutreachService['activityCompliance']>>['totals'] & {
    /** Communes that aired at least one session without the closing announcement. */
    missingEnd: BroadcastRow[];
    /** Communes that aired at least one session without the opening announcement. */
    missingStart: number;
  };
}

export interface UnitRef {
  code: string;
  name: string;
}

export interface UnitView extends DayInfo {
  asOfEvent: string | null;
  code: string;
  name: string;
  type: string;
  head: Head | null;
  /** From the province (or the key's own unit) down to the unit's parent, on the administrative tree. */
  crumbs: UnitRef[];
  adminParent: UnitRef | null;
  accountableTo: UnitRef | null;
  figures: FigureRow[];
  statuses: UnitStatusView[];
  trends: Trend[];
  children: Array<{ tree: Tree; rows: ChildRow[] }>;
  reports: ReportRow[];
  activities: { total: number; rows: ActivityItem[] };
  supportPoints: SupportPointRow[];
}
