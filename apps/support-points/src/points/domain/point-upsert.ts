import { decideOpenedOnChange, isCurrentlyOpen, type Decision, type PointPeriod } from './point-periods';

/** What a PUT says a point is. `hours` absent means "no opening hours given" (PUT replaces the whole point). */
export interface PointDetails {
  readonly operatorCode: string;
  readonly communeCode: string;
  readonly address: string;
  readonly hours: string | null;
}

export interface ExistingPoint extends PointDetails {
  readonly periods: readonly PointPeriod[];
}

export type UpsertOutcome =
  | { readonly kind: 'created'; readonly periods: PointPeriod[] }
  | { readonly kind: 'updated'; readonly periods: PointPeriod[] }
  | { readonly kind: 'unchanged' };

function sameDetails(a: PointDetails, b: PointDetails): boolean {
  return a.operatorCode === b.operatorCode && a.communeCode === b.communeCode && a.address === b.address && a.hours === b.hours;
}

/**
 * Create or update. An update that changes nothing is `unchanged` (no event). A closed point keeps
 * its last details: changing it would publish an "opened" event for a point that is not open, so the
 * caller must reopen it first.
 */
export function decideUpsert(
  existing: ExistingPoint | null,
  wanted: PointDetails & { readonly openedOn: string },
  earliestSessionDate: string | null,
): Decision<UpsertOutcome> {
  if (!existing) return { ok: true, value: { kind: 'created', periods: [{ openedOn: wanted.openedOn, closedOn: null }] } };
  const openedOnSame = existing.periods[0]?.openedOn === wanted.openedOn;
  if (openedOnSame && sameDetails(existing, wanted)) return { ok: true, value: { kind: 'unchanged' } };
  if (!isCurrentlyOpen(existing.periods)) {
    const closedOn = existing.periods[existing.periods.length - 1]?.closedOn;
    return {
      ok: false,
      status: 409,
      detail: `the point is closed since ${closedOn}; reopen it before changing it`,
      errors: [{ field: 'id', message: `support point is closed since ${closedOn}` }],
    };
  }
  const periods = decideOpenedOnChange(existing.periods, wanted.openedOn, earliestSessionDate);
  if (!periods.ok) return periods;
  return { ok: true, value: { kind: 'updated', periods: periods.value } };
}
