/**
 * Calendar dates as `YYYY-MM-DD` strings. They compare correctly as strings, and day arithmetic is
 * done in UTC so that no time zone or daylight change can shift a campaign day.
 */
const DAY_MS = 86_400_000;

/**
 * Both conversions are memoised: the figures ask for the same few hundred days millions of times per
 * recomputation, and Date parsing and formatting dominated it. The caches only grow with the number of
 * distinct days seen (a few thousand over a campaign), and are bounded all the same.
 */
const MAX_CACHED_DAYS = 100_000;
const dayNumbers = new Map<string, number>();
const dayStrings = new Map<number, string>();

export function toDayNumber(date: string): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    n = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
    if (dayNumbers.size >= MAX_CACHED_DAYS) dayNumbers.clear();
    dayNumbers.set(date, n);
  }
  return n;
}

export function fromDayNumber(day: number): string {
  let s = dayStrings.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayStrings.size >= MAX_CACHED_DAYS) dayStrings.clear();
    dayStrings.set(day, s);
  }
  return s;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** Every date from `from` to `to`, both included; empty when `to` is before `from`. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = toDayNumber(from), end = toDayNumber(to); d <= end; d++) out.push(fromDayNumber(d));
  return out;
}

/**
 * The same day `years` years later (earlier when negative); 29 February becomes 28 February in a common
 * year. Never before year 1, the first a YYYY-MM-DD date can name.
 */
export function addYears(date: string, years: number): string {
  const n = Number(date.slice(0, 4)) + years;
  if (n < 1) return '0001-01-01';
  const year = String(n).padStart(4, '0');
  const monthDay = date.slice(4);
  return monthDay === '-02-29' && addDays(`${year}-02-28`, 1).endsWith('-03-01') ? `${year}-02-28` : `${year}${monthDay}`;
}

export function maxDate(...dates: Array<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const d of dates) if (d && (best === null || d > best)) best = d;
  return best;
}

export function minDate(...dates: Array<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const d of dates) if (d && (best === null || d < best)) best = d;
  return best;
}

/** The first date of the reporting window of `windowDays` days that ends on (and includes) `date`. */
export function windowStart(date: string, windowDays: number): string {
  return addDays(date, -(windowDays - 1));
}
