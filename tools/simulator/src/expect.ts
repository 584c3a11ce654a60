import { treeOfCohort, type Cohort, type Tree } from '@app/contracts';
import type { Counts, Scenario } from './scenario';

/** The figures the simulator expects, computed from what it sent, independently of the services. */
export interface ExpectedFigure extends Counts {
  orgUnitCode: string;
  cohort: Cohort;
  tree: Tree;
  date: string;
}

export interface TreeLinks {
  /** child → parent on each tree */
  adminParent: Map<string, string | null>;
  accountableTo: Map<string, string | null>;
}

interface Own extends Counts {
  asOf: string;
  order: number;
}

/**
 * The rules of docs/domain.md, written again plainly so the end-to-end test checks the services against
 * something they do not share code with: the latest report as of a day (later asOf, then the later
 * submission), summed over the subtree on the cohort's own tree.
 */
export class Expectations {
  /** unit → cohort → reports in send order */
  private readonly own = new Map<string, Map<Cohort, Own[]>>();
  private readonly children = { administrative: new Map<string, string[]>(), accountability: new Map<string, string[]>() };

  constructor(
    scenario: Scenario,
    private readonly links: TreeLinks,
  ) {
    let order = 0;
    for (const a of scenario.actions) {
      if (a.kind === 'report') this.add(a.body.orgUnitCode, a.body.cohort, { ...a.body, order: order++ });
      if (a.kind === 'roster') {
        const smart = a.workers.filter((w) => w.hasSmartphone);
        this.add(a.enterpriseCode, 'enterprise_workers', {
          asOf: a.asOf,
          order: order++,
          headcount: a.workers.length,
          smartphoneHolders: smart.length,
          installed: smart.filter((w) => w.installed).length,
          bluetoothOn: smart.filter((w) => w.installed && w.bluetoothOn).length,
        });
      }
    }
    for (const [child, parent] of links.adminParent) if (parent) this.push(this.children.administrative, parent, child);
    for (const [child, parent] of links.accountableTo) if (parent) this.push(this.children.accountability, parent, child);
  }

  private push(m: Map<string, string[]>, k: string, v: string): void {
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(v);
  }

  private add(unit: string, cohort: Cohort, r: Own): void {
    if (!this.own.has(unit)) this.own.set(unit, new Map());
    const m = this.own.get(unit)!;
    if (!m.has(cohort)) m.set(cohort, []);
    m.get(cohort)!.push(r);
  }

  /** The unit's own latest report as of the date, or null. */
  ownAsOf(unit: string, cohort: Cohort, date: string): Own | null {
    let best: Own | null = null;
    for (const r of this.own.get(unit)?.get(cohort) ?? []) {
      if (r.asOf > date) continue;
      if (!best || r.asOf > best.asOf || (r.asOf === best.asOf && r.order > best.order)) best = r;
    }
    return best;
  }

  subtree(unit: string, tree: Tree): string[] {
    const out: string[] = [];
    const stack = [unit];
    const seen = new Set<string>();
    while (stack.length) {
      const u = stack.pop()!;
      if (seen.has(u)) continue;
      seen.add(u);
      out.push(u);
      stack.push(...(this.children[tree].get(u) ?? []));
    }
    return out;
  }

  figure(unit: string, cohort: Cohort, date: string): ExpectedFigure | null {
    const tree = treeOfCohort(cohort);
    let any = false;
    const sum: Counts = { headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 };
    for (const u of this.subtree(unit, tree)) {
      const r = this.ownAsOf(u, cohort, date);
      if (!r) continue;
      any = true;
      sum.headcount += r.headcount;
      sum.smartphoneHolders += r.smartphoneHolders;
      sum.installed += r.installed;
      sum.bluetoothOn += r.bluetoothOn;
    }
    return any ? { orgUnitCode: unit, cohort, tree, date, ...sum } : null;
  }

  /** Every unit of the registry (both trees). */
  allUnits(): string[] {
    return [...new Set([...this.links.adminParent.keys(), ...this.links.accountableTo.keys()])].sort();
  }

  /** Every unit that has an own report of any cohort, for iterating checks. */
  reportingUnits(): string[] {
    return [...this.own.keys()].sort();
  }

  cohortsOf(unit: string): Cohort[] {
    return [...(this.own.get(unit)?.keys() ?? [])];
  }
}

/** A target's value for a unit: the ratio of sums over its cohorts (never an average of rates). */
export function targetValue(
  exp: Expectations,
  unit: string,
  cohorts: readonly Cohort[],
  date: string,
  metric: 'install_rate' | 'bluetooth_rate',
): number | null {
  let num = 0;
  let den = 0;
  for (const c of cohorts) {
    const f = exp.figure(unit, c, date);
    if (!f) continue;
    num += metric === 'install_rate' ? f.installed : f.bluetoothOn;
    den += f.smartphoneHolders;
  }
  return den > 0 ? num / den : null;
}

/** Units whose value for the target is below its threshold on the date: the chairman's laggards. */
export function expectedLaggards(
  exp: Expectations,
  units: Iterable<string>,
  cohorts: readonly Cohort[],
  threshold: number,
  date: string,
): string[] {
  const out: string[] = [];
  for (const u of units) {
    const v = targetValue(exp, u, cohorts, date, 'bluetooth_rate');
    if (v !== null && v < threshold) out.push(u);
  }
  return out.sort();
}

/** People still short of a Bluetooth-rate target on a unit: ceil(threshold × smartphone holders) − Bluetooth on, at least 0. */
export function expectedPeopleShort(exp: Expectations, unit: string, cohorts: readonly Cohort[], threshold: number, date: string): number {
  let num = 0;
  let den = 0;
  for (const c of cohorts) {
    const f = exp.figure(unit, c, date);
    if (!f) continue;
    num += f.bluetoothOn;
    den += f.smartphoneHolders;
  }
  return Math.max(0, Math.ceil(threshold * den - 1e-9) - num);
}
