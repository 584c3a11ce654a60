/**
 * The open/closed history of a support point, as pure rules (no I/O).
 *
 * A point is open during periods [openedOn, closedOn): `closedOn` is the first day it is no longer
 * open, so a point closed on 2020-08-25 was open on the 24th and not on the 25th. The last period may
 * be open-ended (closedOn null). Periods never overlap and are kept in order, so "was the point open
 * on D" is answerable for any date, before or after later closes and reopens.
 */
export interface PointPeriod {
  readonly openedOn: string;
  readonly closedOn: string | null;
}

export interface Rejection {
  readonly ok: false;
  readonly status: 409 | 422;
  readonly detail: string;
  readonly errors: Array<{ field: string; message: string }>;
}
export type Decision<T> = { readonly ok: true; readonly value: T } | Rejection;

function reject(status: 409 | 422, field: string, message: string): Rejection {
  return { ok: false, status, detail: message, errors: [{ field, message }] };
}

/** Dates are `YYYY-MM-DD`, so string order is calendar order. */
export function isOpenOn(periods: readonly PointPeriod[], date: string): boolean {
  return periods.some((p) => p.openedOn <= date && (p.closedOn === null || date < p.closedOn));
}

export function currentPeriod(periods: readonly PointPeriod[]): PointPeriod | null {
  const last = periods[periods.length - 1];
  return last && last.closedOn === null ? last : null;
}

export function isCurrentlyOpen(periods: readonly PointPeriod[]): boolean {
  return currentPeriod(periods) !== null;
}

export function firstOpenedOn(periods: readonly PointPeriod[]): string | null {
  return periods[0]?.openedOn ?? null;
}

/**
 * Closing the current period on `date`. Refused when the point is already closed, when the date is not
 * after the day the period began (a period must hold at least one open day), or when sessions were
 * logged on or after that date (they would then sit on days the point was closed).
 */
export function decideClose(periods: readonly PointPeriod[], date: string, latestSessionDate: string | null): Decision<PointPeriod[]> {
  const open = currentPeriod(periods);
  if (!open) {
    const last = periods[periods.length - 1];
    return reject(409, 'date', `the point is already closed (since ${last?.closedOn ?? 'its creation'})`);
  }
  if (date <= open.openedOn) return reject(422, 'date', `date must be after ${open.openedOn}, the day the point (re)opened`);
  if (latestSessionDate !== null && latestSessionDate >= date) {
    return reject(409, 'date', `a session is logged on ${latestSessionDate}, on or after the closing date ${date}`);
  }
  return { ok: true, value: [...periods.slice(0, -1), { openedOn: open.openedOn, closedOn: date }] };
}

/** Reopening a closed point on `date`: a new period, which cannot begin before the last close. */
export function decideReopen(periods: readonly PointPeriod[], date: string): Decision<PointPeriod[]> {
  const last = periods[periods.length - 1];
  if (!last || last.closedOn === null) return reject(409, 'date', 'the point is open; only a closed point can be reopened');
  if (date < last.closedOn) return reject(422, 'date', `date must be on or after ${last.closedOn}, the day the point closed`);
  return { ok: true, value: [...periods, { openedOn: date, closedOn: null }] };
}

/**
 * Moving the opening date of an existing point (a correction). Only while the history is a single
 * period: once closed and reopened, the dates are facts other records lean on. The new date must
 * keep every logged session on an open day and stay before the close, if any.
 */
export function decideOpenedOnChange(
  periods: readonly PointPeriod[],
  openedOn: string,
  earliestSessionDate: string | null,
): Decision<PointPeriod[]> {
  const first = periods[0];
  if (!first) return { ok: true, value: [{ openedOn, closedOn: null }] };
  if (first.openedOn === openedOn) return { ok: true, value: [...periods] };
  if (periods.length > 1)
    return reject(409, 'openedOn', `openedOn cannot change once the point has been closed and reopened (it opened on ${first.openedOn})`);
  if (first.closedOn !== null && openedOn >= first.closedOn)
    return reject(422, 'openedOn', `openedOn must be before ${first.closedOn}, the day the point closed`);
  if (earliestSessionDate !== null && openedOn > earliestSessionDate) {
    return reject(409, 'openedOn', `a session is logged on ${earliestSessionDate}, before the new openedOn ${openedOn}`);
  }
  return { ok: true, value: [{ openedOn, closedOn: first.closedOn }] };
}
