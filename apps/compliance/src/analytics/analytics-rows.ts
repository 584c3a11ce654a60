import type { Bloc, Cohort, TargetStatus, Tree } from '@app/contracts';
import { decideStatus, measureTarget, standingOf, type Standing, type StatusGroup, type TargetTally } from '@app/domain';
import { headOf, type Head } from '../common/contacts';
import type { Figure } from '../common/figures';
import { figuresOf, type Snapshot, type TargetRow, type UnitRow } from '../common/read-model.service';
import { statusSeverity } from '@app/domain';

/** The rows and rules the analytics reads share (what a unit stands at, how rows are ranked and sorted). */

export interface UnitRef {
  code: string;
  name: string;
  type: string;
  head: Head | null;
}

/** A target on the province (its root unit) on a day, with its units counted by the statuses' rules. */
export interface TargetSummary extends TargetTally {
  targetId: string;
  /** In the language asked for; both are given. */
  name: string;
  nameVi: string;
  nameEn: string;
  metric: string;
  cohorts: Cohort[];
  tree: Tree;
  deadline: string;
  rootUnit: string | null;
  value: number | null;
  threshold: number;
  /** The rates service's status of the root unit. */
  status: TargetStatus;
  /** What officials read: the status, or due_today on the deadline while the root is short. */
  standing: Standing;
  statusLabel: string;
  /** The deadline is this day. */
  dueToday: boolean;
  /** People still short of the threshold on the root unit (null without a denominator). */
  gap: number | null;
  peopleShort: number | null;
}

export interface UnitListRow {
  code: string;
  name: string;
  type: string;
  level: number | null;
  adminParentCode: string | null;
  accountableToCode: string | null;
  head: Head | null;
  cohort: Cohort;
  tree: Tree;
  figure: Figure | null;
  targetId: string | null;
  status: TargetStatus | null;
  standing: Standing | null;
  value: number | null;
  threshold: number | null;
  gap: number | null;
}

export interface UnitStatusRow {
  targetId: string;
  targetName: string;
  orgUnitCode: string;
  name: string;
  type: string;
  typeLabel: string;
  bloc: Bloc | null;
  level: number | null;
  head: Head | null;
  /** The unit's parent on the target's tree: who it answers to for this target. */
  parent: UnitRef | null;
  accountableTo: UnitRef | null;
  /** The rates service's status. */
  status: TargetStatus;
  /** What officials read (due_today on the deadline for a unit short). */
  standing: Standing;
  statusLabel: string;
  previousStatus: TargetStatus | null;
  /** The first day of the current status. */
  since: string | null;
  value: number | null;
  threshold: number;
  gap: number | null;
  forecastDate: string | null;
  /** From the rates service: whether the unit's subtree reported within the target's window (null when not said). */
  reporting: boolean | null;
  reportingUnits: number | null;
  expectedUnits: number | null;
}

export function refOf(u: UnitRow | undefined, reveal = false): UnitRef | null {
  return u ? { code: u.code, name: u.name, type: u.type, head: headOf(u, reveal) } : null;
}

/** The unit a target is judged on as a whole: the province (the root of both trees). */
export function rootUnit(s: Snapshot): UnitRow | undefined {
  return [...s.units.values()].find((u) => u.type === 'province' && u.active) ?? [...s.units.values()].find((u) => u.type === 'province');
}

/**
 * A unit's standing against a target: value and gap by the domain's rule over the figures rates published
 * (which move every day; a status is published only when it changes), the status rates decided (or, for a
 * unit rates has not judged yet, the domain's rule with no trend), and what officials read on the day.
 */
export function standing(
  s: Snapshot,
  t: TargetRow,
  code: string,
): {
  value: number | null;
  gap: number | null;
  status: TargetStatus;
  standing: Standing;
  since: string | null;
  previousStatus: TargetStatus | null;
  forecastDate: string | null;
} {
  const m = measureTarget(t, figuresOf(s, code));
  const st = s.statuses.get(t.targetId)?.get(code);
  const value = m.value ?? st?.value ?? null;
  const gap = m.gap ?? (st ? st.gap : null);
  const status =
    st?.status ?? decideStatus({ value, threshold: t.threshold, deadline: t.deadline, date: s.date, reporting: true, forecastDate: null });
  return {
    value,
    gap,
    status,
    standing: standingOf(t, status, s.date),
    since: st?.date ?? null,
    previousStatus: st?.previousStatus ?? null,
    forecastDate: st?.forecastDate ?? null,
  };
}

/** Per target, the units of the snapshot by their latest status (what the summary reads from the projection's per-day counts, status-counts.ts). */
export function groupsOf(s: Snapshot): Map<string, StatusGroup[]> {
  const out = new Map<string, StatusGroup[]>();
  for (const [targetId, rows] of s.statuses) {
    const n = new Map<TargetStatus, number>();
    for (const r of rows.values()) n.set(r.status, (n.get(r.status) ?? 0) + 1);
    out.set(
      targetId,
      [...n].map(([status, units]) => ({ status, units })),
    );
  }
  return out;
}

export interface PageOf {
  limit: number;
  offset: number;
}

export const STATUS_SORT = {
  code: (r: UnitStatusRow) => r.orgUnitCode,
  name: (r: UnitStatusRow) => r.name,
  status: (r: UnitStatusRow) => statusSeverity(r.status),
  value: (r: UnitStatusRow) => r.value,
  gap: (r: UnitStatusRow) => r.gap,
  since: (r: UnitStatusRow) => r.since,
};

/** A row as the ranking rule reads it. */
export function ranked(row: UnitStatusRow) {
  return {
    row,
    value: row.value,
    threshold: row.threshold,
    gap: row.gap,
    status: row.status,
    code: row.orgUnitCode,
    targetId: row.targetId,
  };
}
