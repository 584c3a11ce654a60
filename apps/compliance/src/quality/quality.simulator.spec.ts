import type { Cohort, QualityRule } from '@app/contracts';
import { treeOfCohort } from '@app/contracts';
import type { AdoptionCounts } from '@app/domain';
import { buildScenario, type Scenario } from '../../../../tools/simulator/src/scenario';
import { links, traVinhWorld } from '../../../../tools/simulator/src/tra-vinh-world';
import { evaluateReport, rosterMismatch, type Finding, type QualityInputs, type QualityReport } from './quality.rules';
import { qualitySettingsFrom } from './quality.settings';

/**
 * The rules over the campaign simulator's normal data (tools/simulator: a whole Trà Vinh campaign with late
 * reports, same-day corrections, duplicates and rosters), fed in the order the simulator sends them, through
 * the same `evaluateReport` the consumer runs, over an in-memory copy of what the consumer stores. A normal
 * campaign must leave few follow-ups open: the defaults are tuned on it.
 */
class MemoryInputs implements QualityInputs {
  readonly reports = new Map<string, QualityReport[]>(); // unit|cohort → by date
  readonly denominators = new Map<string, number>(); // unit|cohort
  readonly rosters = new Map<string, Array<AdoptionCounts & { asOf: string }>>();

  constructor(private readonly parents: { adminParent: Map<string, string | null>; accountableTo: Map<string, string | null> }) {}

  /** Keeps the report when it is the latest revision of its day. */
  record(r: QualityReport): boolean {
    const k = `${r.unitCode}|${r.cohort}`;
    const list = this.reports.get(k) ?? [];
    const i = list.findIndex((x) => x.asOf === r.asOf);
    if (i >= 0 && list[i].revision >= r.revision) return false;
    if (i >= 0) list[i] = r;
    else list.push(r);
    list.sort((a, b) => (a.asOf < b.asOf ? -1 : 1));
    this.reports.set(k, list);
    return true;
  }

  async history(unitCode: string, cohort: Cohort, before: string, limit: number): Promise<QualityReport[]> {
    return (this.reports.get(`${unitCode}|${cohort}`) ?? [])
      .filter((r) => r.asOf < before)
      .reverse()
      .slice(0, limit);
  }

  async siblingReports(unitCode: string, cohort: Cohort, from: string, to: string): Promise<QualityReport[]> {
    const parents = treeOfCohort(cohort) === 'administrative' ? this.parents.adminParent : this.parents.accountableTo;
    const parent = parents.get(unitCode);
    const out: QualityReport[] = [];
    for (const [k, list] of this.reports) {
      const [unit, c] = k.split('|');
      if (c !== cohort || unit === unitCode || parents.get(unit) !== parent) continue;
      out.push(...list.filter((r) => r.asOf >= from && r.asOf <= to));
    }
    return out.sort((a, b) => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : a.asOf < b.asOf ? -1 : 1));
  }

  async denominator(unitCode: string, cohort: Cohort): Promise<number | null> {
    return this.denominators.get(`${unitCode}|${cohort}`) ?? null;
  }

  async roster(unitCode: string, asOf: string): Promise<AdoptionCounts | null> {
    const list = (this.rosters.get(unitCode) ?? []).filter((r) => r.asOf <= asOf);
    return list.length ? list[list.length - 1] : null;
  }
}

/** Runs the campaign through the rules and returns the follow-ups still open at its end, as the consumer keeps them. */
async function openFollowUps(
  seed?: number,
  mutate?: (s: Scenario) => void,
): Promise<{ reports: number; raised: number; open: Map<string, Finding> }> {
  const world = traVinhWorld();
  const scenario = buildScenario(world, seed === undefined ? undefined : { ...buildScenario(world).options, seed });
  mutate?.(scenario);
  const parents = links(world, scenario.created);
  const inputs = new MemoryInputs(parents);
  const districtPopulation = new Map<string, number>();
  for (const c of world.communes) {
    const pop = scenario.communePopulation.get(c.code)!;
    inputs.denominators.set(`${c.code}|residents`, pop);
    districtPopulation.set(c.districtCode, (districtPopulation.get(c.districtCode) ?? 0) + pop);
  }
  for (const [d, pop] of districtPopulation) inputs.denominators.set(`${d}|residents`, pop);

  const open = new Map<string, Finding>(); // unit|cohort|asOf|rule
  const revisions = new Map<string, number>();
  let reports = 0;
  let raised = 0;
  const sync = (r: Pick<QualityReport, 'unitCode' | 'cohort' | 'asOf'>, findings: Finding[], scope: QualityRule[] | null) => {
    const prefix = `${r.unitCode}|${r.cohort}|${r.asOf}|`;
    const before = new Set(open.keys());
    for (const k of [...open.keys()])
      if (k.startsWith(prefix) && (!scope || scope.includes(k.slice(prefix.length) as QualityRule))) open.delete(k);
    for (const f of findings) {
      if (!before.has(prefix + f.rule)) raised += 1;
      open.set(prefix + f.rule, f);
    }
  };
  for (const a of scenario.actions) {
    if (a.kind === 'report') {
      const k = `${a.body.orgUnitCode}|${a.body.cohort}|${a.body.asOf}`;
      const revision = (revisions.get(k) ?? 0) + 1;
      revisions.set(k, revision);
      const r: QualityReport = { ...a.body, unitCode: a.body.orgUnitCode, revision, reportId: null };
      reports += 1;
      if (!inputs.record(r)) continue;
      sync(r, await evaluateReport(r, inputs, qualitySettingsFrom({})), null);
    } else if (a.kind === 'roster') {
      const counts = {
        asOf: a.asOf,
        headcount: a.workers.length,
        smartphoneHolders: a.workers.filter((w) => w.hasSmartphone).length,
        installed: a.workers.filter((w) => w.hasSmartphone && w.installed).length,
        bluetoothOn: a.workers.filter((w) => w.hasSmartphone && w.installed && w.bluetoothOn).length,
      };
      inputs.rosters.set(a.enterpriseCode, [...(inputs.rosters.get(a.enterpriseCode) ?? []), counts]);
      for (const r of (inputs.reports.get(`${a.enterpriseCode}|enterprise_workers`) ?? []).filter((x) => x.asOf >= a.asOf)) {
        const f = rosterMismatch(r, counts, qualitySettingsFrom({}));
        sync(r, f ? [f] : [], ['roster_mismatch']);
      }
    }
  }
  return { reports, raised, open };
}

describe('the data-quality rules over the simulated campaign', () => {
  it('leave few follow-ups open on a normal campaign (the defaults are tuned on it)', async () => {
    for (const seed of [undefined, 7, 1234]) {
      const { reports, raised, open } = await openFollowUps(seed);
      const byRule: Record<string, number> = {};
      for (const [k, f] of open) byRule[f.rule] = (byRule[f.rule] ?? 0) + (k ? 1 : 0);
      // Printed for the record (README, Data quality): how many a normal campaign raises, and of which rule.
      process.stdout.write(
        `seed ${seed ?? 'default'}: ${reports} reports, ${raised} violations raised (same-day corrections clear theirs), ${open.size} open follow-ups ${JSON.stringify(byRule)}\n`,
      );
      if (process.env.QUALITY_SIM_DEBUG) process.stdout.write(`${[...open.keys()].join('\n')}\n`);
      expect(reports).toBeGreaterThan(1000);
      expect(open.size).toBeLessThanOrEqual(Math.ceil(reports * 0.005));
    }
  });

  it('still find a fall and a tenfold jump slipped into the simulated campaign, and nothing else new', async () => {
    const baseline = await openFollowUps();
    let last = '';
    const { open } = await openFollowUps(undefined, (s) => {
      last = s.options.to;
      const lastDay = (code: string) =>
        s.actions.flatMap((a) =>
          a.kind === 'report' && a.body.orgUnitCode === code && a.body.cohort === 'residents' && a.body.asOf === last ? [a.body] : [],
        );
      const previous = (code: string) =>
        s.actions
          .flatMap((a) =>
            a.kind === 'report' && a.body.orgUnitCode === code && a.body.cohort === 'residents' && a.body.asOf < last ? [a.body] : [],
          )
          .sort((a, b) => (a.asOf < b.asOf ? -1 : 1))
          .pop()!;
      for (const b of lastDay('29266')) {
        b.installed = previous('29266').installed - Math.ceil(b.smartphoneHolders * 0.05);
        b.bluetoothOn = Math.round(b.installed * 0.8);
      }
      for (const b of lastDay('29269')) {
        b.installed = Math.min(b.smartphoneHolders, previous('29269').installed * 10);
        b.bluetoothOn = Math.round(b.installed * 0.8);
      }
    });
    expect(open.get(`29266|residents|${last}|rate_drop`)).toMatchObject({ rule: 'rate_drop', severity: 'warning' });
    expect(open.get(`29269|residents|${last}|outlier_jump`)).toMatchObject({ rule: 'outlier_jump' });
    const added = [...open.keys()].filter((k) => !baseline.open.has(k));
    expect(added.sort()).toEqual([`29266|residents|${last}|rate_drop`, `29269|residents|${last}|outlier_jump`]);
  });
});
