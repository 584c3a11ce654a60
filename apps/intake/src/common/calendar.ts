/** Today's date (YYYY-MM-DD) on the wall calendar of `timeZone`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(now);
}

/** Building a formatter costs far more than formatting with one: one per time zone, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The date bounds every dated submission must respect: not after today, not before the campaign started. */
export interface DateWindow {
  readonly today: string;
  readonly campaignStart: string;
}

/** Errors for a date outside the window (the date is already known to be a real YYYY-MM-DD date). */
export function dateWindowErrors(field: string, date: string, window: DateWindow): Array<{ field: string; message: string }> {
  if (date > window.today) return [{ field, message: `${field} ${date} is in the future (today is ${window.today})` }];
  if (date < window.campaignStart) return [{ field, message: `${field} ${date} is before the campaign start ${window.campaignStart}` }];
  return [];
}
