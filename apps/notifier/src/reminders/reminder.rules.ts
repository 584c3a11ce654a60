import { daysBetween } from '@app/domain';

export interface ReminderTarget {
  targetId: string;
  name: string;
  deadline: string;
  threshold: number;
}

/** A unit's standing against a target on the day (its latest status span starting on or before it). */
export interface ReminderStatus {
  targetId: string;
  unitCode: string;
  status: string;
  value: number | null;
  threshold: number;
  gap: number;
  reporting: boolean | null;
}

export interface ReminderItem {
  target: ReminderTarget;
  status: ReminderStatus;
  /** `short`: below the threshold near the deadline; `silent`: no report within the target's window. */
  reason: 'short' | 'silent';
  daysLeft: number;
}

/**
 * Which units to remind on `day`, and of what (one message per unit gathers its items):
 * - a unit that has not reported within a target's window (status no_data, or rates says it is not
 *   reporting) is reminded every day until the target's deadline;
 * - a unit below a target's threshold with people still to install (gap > 0, not met) is reminded on
 *   the days `daysBefore` the deadline (e.g. 3, 1 and 0: the deadline day itself).
 * After the deadline nothing is sent: the daily report to the chairman names who failed.
 */
export function reminderItems(
  day: string,
  targets: readonly ReminderTarget[],
  statuses: readonly ReminderStatus[],
  daysBefore: readonly number[],
): Map<string, ReminderItem[]> {
  const byId = new Map(targets.map((t) => [t.targetId, t]));
  const out = new Map<string, ReminderItem[]>();
  for (const s of statuses) {
    const target = byId.get(s.targetId);
    if (!target) continue;
    const daysLeft = daysBetween(day, target.deadline);
    if (daysLeft < 0) continue;
    const silent = s.status === 'no_data' || s.reporting === false;
    const short = !silent && s.status !== 'met' && s.gap > 0 && daysBefore.includes(daysLeft);
    if (!silent && !short) continue;
    const items = out.get(s.unitCode) ?? [];
    items.push({ target, status: s, reason: silent ? 'silent' : 'short', daysLeft });
    out.set(s.unitCode, items);
  }
  for (const items of out.values()) items.sort((a, b) => a.daysLeft - b.daysLeft || a.target.targetId.localeCompare(b.target.targetId));
  return out;
}
