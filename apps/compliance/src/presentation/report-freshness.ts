import type { CampaignCalendar } from '@app/platform';
import type { Generation } from '../common/read-model.service';

/**
 * When the figures of a campaign day were last updated: the latest submission (first report or
 * revision) of any report dated that day or before, since those are the reports the day's figures hold.
 * The time the newest event reached the service says nothing about an earlier day; this does. An instant
 * (Date), null before any report.
 */
async function figuresUpdatedAt(g: Generation, date: string): Promise<Date | null> {
  const rows: Array<{ at: Date | null }> = await g.m.query(`SELECT max(submitted_at) AS at FROM "${g.schema}".reports WHERE as_of <= $1`, [
    date,
  ]);
  return rows[0]?.at ? new Date(rows[0].at) : null;
}

/** The first day anything was reported for (the first day a date picker offers), null before any report. */
export async function firstReportDay(g: Generation): Promise<string | null> {
  const rows: Array<{ day: string | null }> = await g.m.query(`SELECT min(as_of)::text AS day FROM "${g.schema}".reports`);
  return rows[0]?.day ?? null;
}

/**
 * The "last updated" time the dashboard and the daily report show for a day's figures, on the province's
 * clock: when they were last updated (`figuresUpdatedAt`); with no report projected at all (a read model fed
 * by the rates' figures alone) the newest event's time, all it knows; null for a day before the first report,
 * whose figures nothing has updated. `firstReport` is `firstReportDay`, when the caller has it already.
 */
export async function dayUpdatedAt(
  g: Generation,
  date: string,
  calendar: CampaignCalendar,
  firstReport?: string | null,
): Promise<string | null> {
  const at = await figuresUpdatedAt(g, date);
  if (at) return calendar.dateTime(at);
  const first = firstReport === undefined ? await firstReportDay(g) : firstReport;
  return first === null ? g.asOfEvent : null;
}
