import { COHORTS_BY_UNIT_TYPE, treeOfCohort, type Cohort, type Tree } from '@app/contracts';
import { addCounts, bluetoothRate, installRate, populationRate, ZERO_COUNTS, type AdoptionCounts } from './counts';
import { clampSpan, type DateSpan } from './campaign-calendar';
import { addDays, dateRange, maxDate, minDate, windowStart } from './dates';
import { isActiveOn, OrgTree, type UnitNode } from './org-tree';
import { ReportHistory, type ReportInput } from './supersession';

/** A registry cohort denominator (e.g. a commune's population) as of a date. */
export interface DenominatorInput {
  readonly unitCode: string;
  readonly cohort: Cohort;
  readonly asOf: string;
  readonly headcount: number;
  /** Breaks the tie between two settings for the same asOf (the later event wins): order of arrival never matters. */
  readonly eventId: string;
}

/** Everything the figures are computed from: the latest state of each input, however it arrived. */
export interface CampaignInputs {
  readonly units: readonly UnitNode[];
  readonly reports: readonly ReportInput[];
  readonly denominators: readonly DenominatorInput[];
}

/** One unit's figure for one cohort on its cohort's tree, as of one day (docs/api.md, `Figure`). */
export interface Figure extends AdoptionCounts {
  readonly orgUnitCode: string;
  readonly cohort: Cohort;
  readonly tree: Tree;
  readonly date: string;
  readonly installRate: number | null;
  readonly bluetoothRate: number | null;
  readonly population: number | null;
  readonly populationRate: number | null;
  /** Units of the subtree whose own report (as of the date) falls within the reporting window ending on the date. */
  readonly reportingUnits: number;
  /** Active units of the subtree whose type reports this cohort. */
  readonly expectedUnits: number;
}

export interface FigureOptions {
  /** Reporting window of figures (targets carry their own): a unit is reporting on D if its latest report is within the last N days. */
  readonly windowDays: number;
  /**
   * The days a figure or status may be stored for (the campaign calendar's computable span): every span is
   * clamped to them, so an input dated far away (9999-12-31, 0001-01-01) never makes a series walk its way.
   */
  readonly bounds: DateSpan;
}

/** Sums of a subtree's own latest figures on one day, with who contributed. */
export interface SubtreeSums {
  readonly counts: AdoptionCounts;
  /** Units whose own report (as of the day) is counted in the sums. */
  readonly contributors: number;
  /** Of those, the units whose report falls within the window. */
  readonly reporting: number;
  /** Of those, the units whose report is dated exactly that day (a fresh point for a trend). */
  readonly reportedThatDay: number;
}

/**
 * The roll-up rules over one set of inputs. A parent's figure is the sum of its subtree's own latest
 * figures, per cohort, on the cohort's one tree (residents: administrative; everyone else:
 * accountability), so no figure ever adds the two trees together.
 */
export class FigureModel {
  readonly tree: OrgTree;
  private readonly history = new Map<string, ReportHistory>();
  private readonly denominators = new Map<string, DenominatorInput[]>();

  constructor(
    inputs: CampaignInputs,
    readonly options: FigureOptions,
  ) {
    this.tree = new OrgTree(inputs.units);
    const grouped = new Map<string, ReportInput[]>();
    for (const r of inputs.reports) {
      const k = `${r.unitCode}|${r.cohort}`;
      const list = grouped.get(k) ?? [];
      list.push(r);
      grouped.set(k, list);
    }
    for (const [k, list] of grouped) this.history.set(k, new ReportHistory(list));
    for (const d of inputs.denominators) {
      const k = `${d.unitCode}|${d.cohort}`;
      const list = this.denominators.get(k) ?? [];
      list.push(d);
      this.denominators.set(k, list);
    }
  }

  /** The unit's own latest report for the cohort as of the date, ignoring retirement. */
  ownReport(unitCode: string, cohort: Cohort, date: string): ReportInput | null {
    return this.history.get(`${unitCode}|${cohort}`)?.asOf(date) ?? null;
  }

  /** The registry's denominator for the unit and cohort as of the date (latest asOf on or before it), or null. */
  population(unitCode: string, cohort: Cohort, date: string): number | null {
    let best: DenominatorInput | null = null;
    for (const d of this.denominators.get(`${unitCode}|${cohort}`) ?? []) {
      if (d.asOf > date) continue;
      if (
        !best ||
        d.asOf > best.asOf ||
        (d.asOf === best.asOf && (d.eventId > best.eventId || (d.eventId === best.eventId && d.headcount > best.headcount)))
      )
        best = d;
    }
    return best ? best.headcount : null;
  }

  /** Sums of the own latest figures of a subtree for some cohorts on one day. Retired units no longer count. */
  sums(unitCode: string, tree: Tree, cohorts: readonly Cohort[], date: string, windowDays: number): SubtreeSums {
    const from = windowStart(date, windowDays);
    let counts = ZERO_COUNTS;
    let contributors = 0;
    let reporting = 0;
    let reportedThatDay = 0;
    for (const code of this.tree.subtree(unitCode, tree)) {
      const unit = this.tree.get(code)!;
      if (!isActiveOn(unit, date)) continue;
      let contributed = false;
      let inWindow = false;
      let today = false;
      for (const cohort of cohorts) {
        const r = this.ownReport(code, cohort, date);
        if (!r) continue;
        counts = addCounts(counts, r);
        contributed = true;
        if (r.asOf >= from) inWindow = true;
        if (r.asOf === date) today = true;
      }
      if (!contributed) continue;
      contributors++;
      if (inWindow) reporting++;
      if (today) reportedThatDay++;
    }
    return { counts, contributors, reporting, reportedThatDay };
  }

  /** Active units of the subtree that pass `expected` (by default: their type reports the cohort). */
  expectedUnits(unitCode: string, tree: Tree, date: string, expected: (u: UnitNode) => boolean): number {
    let n = 0;
    for (const code of this.tree.subtree(unitCode, tree)) {
      const unit = this.tree.get(code)!;
      if (isActiveOn(unit, date) && expected(unit)) n++;
    }
    return n;
  }

  /** The figure of a unit for a cohort on a day; null when no unit of its subtree has reported that cohort yet (no data is not zero). */
  figure(unitCode: string, cohort: Cohort, date: string): Figure | null {
    return this.figureOrEmpty(unitCode, cohort, date, false);
  }

  private figureOrEmpty(unitCode: string, cohort: Cohort, date: string, emptyIfNone: boolean): Figure | null {
    if (!this.tree.get(unitCode)) return null;
    const tree = treeOfCohort(cohort);
    const s = this.sums(unitCode, tree, [cohort], date, this.options.windowDays);
    if (s.contributors === 0 && !emptyIfNone) return null;
    const population = this.population(unitCode, cohort, date);
    return {
      orgUnitCode: unitCode,
      cohort,
      tree,
      date,
      ...s.counts,
      installRate: installRate(s.counts),
      bluetoothRate: bluetoothRate(s.counts),
      population,
      populationRate: s.contributors === 0 ? null : populationRate(s.counts.installed, population),
      reportingUnits: s.reporting,
      expectedUnits: this.expectedUnits(unitCode, tree, date, (u) => COHORTS_BY_UNIT_TYPE[u.type].includes(cohort)),
    };
  }

  /**
   * The days on which a unit's figure for a cohort is stored: from the first report in its subtree to
   * the day every window has lapsed after its last input (report, retirement, own denominator). After
   * that day the figure no longer changes, so it holds. Clamped to the model's bounds. Null when the
   * subtree has no report at all, or none before the bounds end.
   */
  figureSpan(unitCode: string, cohort: Cohort): { from: string; to: string } | null {
    if (!this.tree.get(unitCode)) return null;
    let first: string | null = null;
    let last: string | null = null;
    let lastRetired: string | null = null;
    for (const code of this.tree.subtree(unitCode, treeOfCohort(cohort))) {
      const h = this.history.get(`${code}|${cohort}`);
      if (h?.first) first = minDate(first, h.first.asOf);
      if (h?.last) last = maxDate(last, h.last.asOf);
      const retiredOn = this.tree.get(code)!.retiredOn;
      if (retiredOn && retiredOn > '0000-01-01') lastRetired = maxDate(lastRetired, retiredOn);
    }
    if (first === null || last === null) return null;
    const ownDenominators = (this.denominators.get(`${unitCode}|${cohort}`) ?? []).map((d) => d.asOf);
    const to = maxDate(addDays(last, this.options.windowDays), lastRetired, ...ownDenominators)!;
    if (first > this.options.bounds.to) return null;
    return clampSpan({ from: first, to }, this.options.bounds);
  }

  /**
   * The stored days of a figure within [from, to] (clipped to its span), one per day. A day inside the
   * span on which every contributor has retired holds an empty figure (no counts, no rates), so the
   * stored days have no holes.
   */
  figureSeries(unitCode: string, cohort: Cohort, from?: string, to?: string): Figure[] {
    const span = this.figureSpan(unitCode, cohort);
    if (!span) return [];
    const a = maxDate(span.from, from)!;
    const b = minDate(span.to, to)!;
    return dateRange(a, b).map((d) => this.figureOrEmpty(unitCode, cohort, d, true)!);
  }
}
