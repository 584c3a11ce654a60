import { addDays, addYears } from './dates';

/**
 * The campaign calendar, one for the whole system: which days a dated input may carry, what "today" is,
 * and how far any computation over days may reach. Every service judges dates by these rules (through
 * the platform's CampaignCalendar, which supplies the configured start, time zone and clock).
 */

/** "Today" is a day on the province's wall calendar (UTC+7, no daylight saving), whatever the server's zone. */
export const DEFAULT_CAMPAIGN_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** The earliest day a campaign input may carry until the registry has published a target's campaign start. */
export const DEFAULT_CAMPAIGN_START = '2020-01-01';

/**
 * How far past today the calendar reaches: a target's deadline may be set up to this many days ahead, and
 * rates keeps the days after today on which a reporting window (at most 366 days) lapses or a deadline
 * passes, because nothing recomputes a figure when a day merely goes by.
 */
export const CAMPAIGN_HORIZON_DAYS = 366;

/**
 * How long before the campaign start a denominator may date from: ten years, because Vietnam's population
 * census is decennial (the 2019 census gives the 2020 campaign its population; an older figure has been
 * superseded by a newer census).
 */
export const DENOMINATOR_LOOKBACK_YEARS = 10;

/** Building a formatter costs far more than formatting with one: one per time zone, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Today's date (YYYY-MM-DD) on the wall calendar of the campaign's time zone. */
export function campaignToday(timeZone: string = DEFAULT_CAMPAIGN_TIME_ZONE, now: Date = new Date()): string {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(now);
}

/** Whether `timeZone` is an IANA time zone this runtime knows (for validating configuration). */
export function isTimeZone(timeZone: unknown): boolean {
  if (typeof timeZone !== 'string') return false;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The date bounds every dated submission must respect: not after today, not before the campaign started. */
export interface DateWindow {
  readonly today: string;
  readonly campaignStart: string;
}

export interface DateFieldError {
  field: string;
  message: string;
}

/**
 * Errors for a dated fact (a report, an activity, a session, a roster, a check, an opening or closing)
 * outside the window. The date is already known to be a real YYYY-MM-DD date.
 */
export function dateWindowErrors(field: string, date: string, window: DateWindow): DateFieldError[] {
  if (date > window.today) return [{ field, message: `${field} ${date} is in the future (today is ${window.today})` }];
  if (date < window.campaignStart) return [{ field, message: `${field} ${date} is before the campaign start ${window.campaignStart}` }];
  return [];
}

/** A denominator (a headcount true on a date) may predate the campaign by DENOMINATOR_LOOKBACK_YEARS, never be in the future. */
export function denominatorDateErrors(field: string, date: string, window: DateWindow): DateFieldError[] {
  if (date > window.today) return [{ field, message: `${field} ${date} is in the future (today is ${window.today})` }];
  const earliest = addYears(window.campaignStart, -DENOMINATOR_LOOKBACK_YEARS);
  if (date < earliest) {
    const message = `${field} ${date} is more than ten years before the campaign start ${window.campaignStart} (earliest ${earliest})`;
    return [{ field, message }];
  }
  return [];
}

/**
 * A planned date (a target's deadline or campaign start) may lie ahead, up to CAMPAIGN_HORIZON_DAYS after
 * today, and not before `earliest` (the configured campaign start: nothing is planned before the calendar begins).
 */
export function plannedDateErrors(field: string, date: string, earliest: string, today: string): DateFieldError[] {
  const latest = addDays(today, CAMPAIGN_HORIZON_DAYS);
  if (date > latest)
    return [{ field, message: `${field} ${date} is more than ${CAMPAIGN_HORIZON_DAYS} days after today (latest ${latest})` }];
  if (date < earliest) return [{ field, message: `${field} ${date} is before the campaign start ${earliest}` }];
  return [];
}

/** An inclusive range of days. */
export interface DateSpan {
  readonly from: string;
  readonly to: string;
}

/**
 * The days any computation over a timeline may cover: from the campaign start to the horizon after today
 * (the day after the latest deadline the registry accepts). Inputs dated outside, already in the stream
 * from before the calendar was enforced or forged, are clamped to it, so no input decides how many days
 * a computation walks.
 */
export function computableSpan(campaignStart: string, today: string): DateSpan {
  return { from: campaignStart, to: addDays(today, CAMPAIGN_HORIZON_DAYS + 1) };
}

export function clampDate(date: string, bounds: DateSpan): string {
  if (date < bounds.from) return bounds.from;
  if (date > bounds.to) return bounds.to;
  return date;
}

/** `span` cut to `bounds`; a span wholly outside becomes the one bound day nearest to it. */
export function clampSpan(span: DateSpan, bounds: DateSpan): DateSpan {
  const from = clampDate(span.from, bounds);
  const to = clampDate(span.to < span.from ? span.from : span.to, bounds);
  return { from, to };
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant on the province's wall clock, to the second (no milliseconds), with its UTC offset:
 * 2020-08-30T10:05:12.345Z → 2020-08-30T17:05:12+07:00. What every "as of" time officials read says.
 */
export function campaignDateTime(instant: string | Date, timeZone: string = DEFAULT_CAMPAIGN_TIME_ZONE): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  let f = timeFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    timeFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.replace('GMT', '');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}
