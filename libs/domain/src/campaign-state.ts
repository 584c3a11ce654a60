import type { UnitType } from '@app/contracts';
import type { CampaignInputs, DenominatorInput } from './figures';
import { ALWAYS_RETIRED, type UnitNode } from './org-tree';
import { mergeReport, reportKey, type ReportInput } from './supersession';
import type { Target } from './target-status';

/**
 * The inputs as events deliver them. Folding any permutation of a sequence of these, with any
 * duplicates, gives the same state (the rates service keeps the same state in its tables).
 */
export type CampaignInputEvent =
  | {
      readonly kind: 'unit';
      readonly code: string;
      readonly type: UnitType;
      readonly adminParentCode: string | null;
      readonly accountableToCode: string | null;
      readonly level: number | null;
      readonly active: boolean;
      readonly revision: number;
    }
  | { readonly kind: 'retired'; readonly code: string; readonly retiredOn: string; readonly revision: number }
  | ({ readonly kind: 'report' } & ReportInput)
  | ({ readonly kind: 'denominator' } & DenominatorInput)
  | ({ readonly kind: 'target' } & Target);

/** A unit as upserts and retirements leave it: each kept at its own highest revision, so neither order nor loss of one hides the other. */
export interface UnitRecord {
  readonly code: string;
  readonly upsert: Omit<Extract<CampaignInputEvent, { kind: 'unit' }>, 'kind' | 'code'> | null;
  readonly retirement: { readonly retiredOn: string; readonly revision: number } | null;
}

export interface CampaignState {
  readonly units: ReadonlyMap<string, UnitRecord>;
  readonly reports: ReadonlyMap<string, ReportInput>;
  readonly denominators: ReadonlyMap<string, DenominatorInput>;
  readonly targets: ReadonlyMap<string, Target>;
}

export function emptyCampaignState(): CampaignState {
  return { units: new Map(), reports: new Map(), denominators: new Map(), targets: new Map() };
}

/** The node a unit record stands for; null while no upsert has arrived (its type and parents are unknown). */
export function unitNodeOf(r: UnitRecord): UnitNode | null {
  const u = r.upsert;
  if (!u) return null;
  let retiredOn: string | null = null;
  if (r.retirement && r.retirement.revision > u.revision) retiredOn = r.retirement.retiredOn;
  else if (!u.active) retiredOn = r.retirement?.retiredOn ?? ALWAYS_RETIRED;
  return {
    code: r.code,
    type: u.type,
    adminParentCode: u.adminParentCode,
    accountableToCode: u.accountableToCode,
    level: u.level,
    retiredOn,
  };
}

/** Later wins: higher revision; for a tie, a deterministic order of the content so arrival order cannot decide. */
function laterTarget(a: Target | undefined, b: Target): Target {
  if (!a || b.revision > a.revision) return b;
  if (b.revision < a.revision) return a;
  return JSON.stringify(b) > JSON.stringify(a) ? b : a;
}

export function denominatorKey(d: Pick<DenominatorInput, 'unitCode' | 'cohort' | 'asOf'>): string {
  return `${d.unitCode}|${d.cohort}|${d.asOf}`;
}

/** evolve(state, event): pure, idempotent and commutative over the events of one sequence. */
export function applyCampaignEvent(state: CampaignState, e: CampaignInputEvent): CampaignState {
  switch (e.kind) {
    case 'unit': {
      const units = new Map(state.units);
      const prev = units.get(e.code) ?? { code: e.code, upsert: null, retirement: null };
      const { kind: _k, code: _c, ...upsert } = e;
      if (!prev.upsert || upsert.revision > prev.upsert.revision) units.set(e.code, { ...prev, upsert });
      return { ...state, units };
    }
    case 'retired': {
      const units = new Map(state.units);
      const prev = units.get(e.code) ?? { code: e.code, upsert: null, retirement: null };
      if (!prev.retirement || e.revision > prev.retirement.revision)
        units.set(e.code, { ...prev, retirement: { retiredOn: e.retiredOn, revision: e.revision } });
      return { ...state, units };
    }
    case 'report': {
      const { kind: _k, ...r } = e;
      const reports = new Map(state.reports);
      reports.set(reportKey(r), mergeReport(reports.get(reportKey(r)), r));
      return { ...state, reports };
    }
    case 'denominator': {
      const { kind: _k, ...d } = e;
      const denominators = new Map(state.denominators);
      const prev = denominators.get(denominatorKey(d));
      if (!prev || d.eventId > prev.eventId || (d.eventId === prev.eventId && d.headcount > prev.headcount))
        denominators.set(denominatorKey(d), d);
      return { ...state, denominators };
    }
    case 'target': {
      const { kind: _k, ...t } = e;
      const targets = new Map(state.targets);
      targets.set(t.targetId, laterTarget(targets.get(t.targetId), t));
      return { ...state, targets };
    }
  }
}

export function campaignInputsOf(state: CampaignState): CampaignInputs & { targets: Target[] } {
  const units: UnitNode[] = [];
  for (const r of state.units.values()) {
    const n = unitNodeOf(r);
    if (n) units.push(n);
  }
  return {
    units,
    reports: [...state.reports.values()],
    denominators: [...state.denominators.values()],
    targets: [...state.targets.values()],
  };
}
