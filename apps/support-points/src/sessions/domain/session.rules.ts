import { dateWindowErrors, type DateWindow } from '@app/domain';
import { isOpenOn, type PointPeriod } from '../../points/domain/point-periods';

export interface SessionCounts {
  readonly assisted: number;
  readonly installed: number;
  readonly bluetoothEnabled: number;
}

export interface FieldError {
  field: string;
  message: string;
}

/** People helped at a point: installs are among those assisted, Bluetooth switched on among those installed. */
export function sessionCountErrors(c: SessionCounts): FieldError[] {
  const errors: FieldError[] = [];
  if (c.installed > c.assisted)
    errors.push({ field: 'installed', message: `installed (${c.installed}) must not exceed assisted (${c.assisted})` });
  if (c.bluetoothEnabled > c.installed) {
    errors.push({
      field: 'bluetoothEnabled',
      message: `bluetoothEnabled (${c.bluetoothEnabled}) must not exceed installed (${c.installed})`,
    });
  }
  return errors;
}

/** A session belongs to a day of the campaign calendar (not one still to come) on which the point was open. */
export function sessionDateErrors(periods: readonly PointPeriod[], date: string, window: DateWindow): FieldError[] {
  const outside = dateWindowErrors('date', date, window);
  if (outside.length) return outside;
  if (!isOpenOn(periods, date)) {
    const history = periods.map((p) => `${p.openedOn}..${p.closedOn ?? ''}`).join(', ');
    return [{ field: 'date', message: `the point was not open on ${date} (open periods: ${history})` }];
  }
  return [];
}

export type SessionDecision =
  { readonly kind: 'unchanged'; readonly revision: number } | { readonly kind: 'logged'; readonly revision: number };

/**
 * Supersession for one (point, date): resubmitting exactly the latest figures is a no-op; anything
 * else is the next revision, which supersedes the earlier ones (they stay stored).
 */
export function decideSession(latest: (SessionCounts & { readonly revision: number }) | null, wanted: SessionCounts): SessionDecision {
  if (!latest) return { kind: 'logged', revision: 1 };
  const same =
    latest.assisted === wanted.assisted && latest.installed === wanted.installed && latest.bluetoothEnabled === wanted.bluetoothEnabled;
  return same ? { kind: 'unchanged', revision: latest.revision } : { kind: 'logged', revision: latest.revision + 1 };
}
