import type { Cohort, QualityRule, QualitySeverity } from '@app/contracts';
import { addDays, daysBetween, groupBy, installRate, type AdoptionCounts } from '@app/domain';
import type { QualitySettings } from './quality.settings';

/**
 * The data-quality rules beyond the hard ones (0 ≤ Bluetooth on ≤ installed ≤ smartphone holders ≤ headcount,
 * which intake enforces). One place: the consumer (quality.handlers.ts) and the simulator check
 * (quality.simulator.spec.ts) both evaluate reports through `evaluateReport`, over a `QualityInputs`.
 */

/** One unit's report for one cohort as of one day (its latest revision). */
export interface QualityReport extends AdoptionCounts {
  readonly unitCode: string;
  readonly cohort: Cohort;
  readonly asOf: string;
  readonly revision: number;
  readonly reportId: string | null;
}

/** What the rules read of a unit's earlier report: its day and counts (~30 of them for each report judged). */
export interface HistoryPoint extends AdoptionCounts {
  readonly asOf: string;
}

/** What the rules read besides the report itself. */
export interface QualityInputs {
  /** The unit's own reports for the cohort dated before `before`, newest first, at most `limit`. */
  history(unitCode: string, cohort: Cohort, before: string, limit: number): Promise<HistoryPoint[]>;
  /** The reports for the cohort of the unit's siblings (same parent on the cohort's tree) dated in [from, to], by unit then date. */
  siblingReports(unitCode: string, cohort: Cohort, from: string, to: string): Promise<QualityReport[]>;
  /** The registry's denominator for the unit and cohort in force on the day (latest set as of it), or null. */
  denominator(unitCode: string, cohort: Cohort, asOf: string): Promise<number | null>;
  /** The enterprise's roster counts in force on the day (the latest roster as of it), or null. */
  roster(unitCode: string, asOf: string): Promise<AdoptionCounts | null>;
}

/** A rule broken by a report. */
export interface Finding {
  readonly rule: QualityRule;
  readonly severity: QualitySeverity;
  readonly value: number;
  readonly limit: number;
  readonly reported: number | null;
  readonly expected: number | null;
  readonly measure: 'installed' | 'bluetoothOn' | null;
}

export const RULE_SEVERITY: Readonly<Record<QualityRule, QualitySeverity>> = {
  rate_drop: 'warning',
  outlier_jump: 'warning',
  holders_over_headcount: 'error',
  stale_copy: 'info',
  over_denominator: 'error',
  roster_mismatch: 'warning',
};

/** A modified z-score is capped here (an event carries a finite number; anything this large is off the scale). */
export const Z_CAP = 1000;

const finding = (rule: QualityRule, value: number, limit: number, extra: Partial<Finding> = {}): Finding => ({
  rule,
  severity: RULE_SEVERITY[rule],
  value,
  limit,
  reported: null,
  expected: null,
  measure: null,
  ...extra,
});

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The modified z-score of x against a reference (Iglewicz and Hoaglin): 0.6745·(x − median)/MAD, robust to
 * skew and to the outliers already in the reference. When more than half the reference is the same value
 * (MAD = 0) the mean absolute deviation stands in (x − median)/(1.253314·MeanAD); when every value is the
 * same, any x above it is off the scale (Z_CAP) and any other is 0.
 */
export function modifiedZ(x: number, reference: readonly number[]): number {
  const med = median(reference);
  const mad = median(reference.map((v) => Math.abs(v - med)));
  let z: number;
  if (mad > 0) z = (0.6745 * (x - med)) / mad;
  else {
    const meanAd = reference.reduce((a, v) => a + Math.abs(v - med), 0) / reference.length;
    z = meanAd > 0 ? (x - med) / (1.253314 * meanAd) : x > med ? Z_CAP : x < med ? -Z_CAP : 0;
  }
  return Math.max(-Z_CAP, Math.min(Z_CAP, z));
}

/** The growth of installs from one report to a later one, per day: ln((installed + 1)/(earlier + 1))/days. Size-free, so siblings compare. */
export function growthPerDay(earlier: AdoptionCounts & { asOf: string }, later: AdoptionCounts & { asOf: string }): number {
  const days = Math.max(1, daysBetween(earlier.asOf, later.asOf));
  return Math.log((later.installed + 1) / (earlier.installed + 1)) / days;
}

/** The growth of each consecutive pair of a series sorted by date whose later report is in [from, to]. */
function growths(series: readonly HistoryPoint[], from: string, to: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < series.length; i++)
    if (series[i].asOf >= from && series[i].asOf <= to) out.push(growthPerDay(series[i - 1], series[i]));
  return out;
}

const sameCounts = (a: AdoptionCounts, b: AdoptionCounts) =>
  a.headcount === b.headcount &&
  a.smartphoneHolders === b.smartphoneHolders &&
  a.installed === b.installed &&
  a.bluetoothOn === b.bluetoothOn;

/** How many days the counts of `latest` have been reported unchanged, back through `earlier` (newest first). */
function copiedDays(latest: HistoryPoint, earlier: readonly HistoryPoint[]): number {
  let first = latest.asOf;
  for (const r of earlier) {
    if (!sameCounts(r, latest)) break;
    first = r.asOf;
  }
  return daysBetween(first, latest.asOf);
}

/** How far back the rules look into a unit's own history. */
export const HISTORY_LIMIT = 30;

/** The report rules (all but the roster comparison). */
export async function evaluateReport(r: QualityReport, inputs: QualityInputs, s: QualitySettings): Promise<Finding[]> {
  const out: Finding[] = [];
  const history = await inputs.history(r.unitCode, r.cohort, r.asOf, HISTORY_LIMIT);
  const previous = history[0] ?? null;

  // (a) Installs do not un-install at scale: the install rate falls between two reports.
  if (previous) {
    const before = installRate(previous);
    const now = installRate(r);
    if (before !== null && now !== null && before - now > s.QUALITY_RATE_DROP)
      out.push(finding('rate_drop', before - now, s.QUALITY_RATE_DROP));
  }

  // (b) An increase far outside the unit's own earlier increases and its siblings' recent ones (upwards only: a fall is (a)).
  if (previous && r.installed - previous.installed >= Math.max(1, s.QUALITY_JUMP_MIN_INCREASE)) {
    const x = growthPerDay(previous, r);
    const own = growths([...history].reverse(), '0001-01-01', previous.asOf);
    // The unit's own history is required (a unit's first increases are judged by nothing but siblings drawn at the
    // same start, which flagged the fast starters of a normal campaign); the siblings' counts when there are enough.
    // Both references must call it a jump, so the siblings are read only when the unit's own history does.
    const zOwn = own.length >= s.QUALITY_JUMP_MIN_POINTS ? modifiedZ(x, own) : null;
    if (zOwn !== null && zOwn > s.QUALITY_JUMP_Z) {
      const from = addDays(r.asOf, -s.QUALITY_JUMP_WINDOW_DAYS);
      const siblings = await inputs.siblingReports(r.unitCode, r.cohort, addDays(from, -s.QUALITY_JUMP_WINDOW_DAYS), r.asOf);
      const sib = [...groupBy(siblings, (q) => q.unitCode).values()].flatMap((series) => growths(series, from, r.asOf));
      const zs = [zOwn, ...(sib.length >= s.QUALITY_JUMP_MIN_POINTS ? [modifiedZ(x, sib)] : [])];
      if (zs.every((z) => z > s.QUALITY_JUMP_Z)) out.push(finding('outlier_jump', Math.min(...zs), s.QUALITY_JUMP_Z));
    }
  }

  // (c) Smartphone holders above the unit's known headcount (its roster's, else the registry's denominator), beyond a margin.
  const denominator = await inputs.denominator(r.unitCode, r.cohort, r.asOf);
  const roster = r.cohort === 'enterprise_workers' ? await inputs.roster(r.unitCode, r.asOf) : null;
  const known = roster?.headcount ?? denominator;
  const holdersOver = known !== null && r.smartphoneHolders > known * (1 + s.QUALITY_HOLDERS_MARGIN);
  if (holdersOver)
    out.push(
      finding('holders_over_headcount', r.smartphoneHolders / known - 1, s.QUALITY_HOLDERS_MARGIN, {
        reported: r.smartphoneHolders,
        expected: known,
      }),
    );

  // (d) The same four counts, copied from report to report, for N days (a unit at 100% has nothing left to change).
  // Raised once per run: when the run reaches N days, not again for every copy after.
  const complete = r.installed === r.smartphoneHolders && r.bluetoothOn === r.installed;
  if (previous && !complete && sameCounts(previous, r)) {
    const days = copiedDays(r, history);
    if (days >= s.QUALITY_STALE_DAYS && copiedDays(previous, history.slice(1)) < s.QUALITY_STALE_DAYS)
      out.push(finding('stale_copy', days, s.QUALITY_STALE_DAYS));
  }

  // (e) More people than the registry's denominator (not raised again when (c), its stronger form, already is).
  if (!holdersOver && denominator !== null && r.headcount > denominator * (1 + s.QUALITY_DENOMINATOR_TOLERANCE))
    out.push(
      finding('over_denominator', r.headcount - denominator, s.QUALITY_DENOMINATOR_TOLERANCE, {
        reported: r.headcount,
        expected: denominator,
      }),
    );

  if (roster) {
    const m = rosterMismatch(r, roster, s);
    if (m) out.push(m);
  }
  return out;
}

/**
 * (Item 3) The installed and Bluetooth-on counts an enterprise reports against its roster's for the same day: a
 * difference above max(tolerance × roster count, minimum difference) on either is one violation, measured on
 * installed when installed differs, else on Bluetooth on. Only counts: nothing personal leaves workforce.
 */
export function rosterMismatch(reported: AdoptionCounts, roster: AdoptionCounts, s: QualitySettings): Finding | null {
  for (const measure of ['installed', 'bluetoothOn'] as const) {
    const diff = Math.abs(reported[measure] - roster[measure]);
    const limit = Math.max(s.QUALITY_ROSTER_MIN_DIFFERENCE, Math.ceil(s.QUALITY_ROSTER_TOLERANCE * roster[measure]));
    if (diff > limit) return finding('roster_mismatch', diff, limit, { reported: reported[measure], expected: roster[measure], measure });
  }
  return null;
}
