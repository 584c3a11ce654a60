import {
  addDays,
  combineSpans,
  compressPoints,
  EMPTY_SPAN,
  ownPoints,
  ownSpan,
  rollUp,
  rollupMembers,
  RollupTimeline,
  sameRollup,
  sameSpan,
  type DateSpan,
  type FigureModel,
  type OrgTree,
  type RollupLane,
  type RollupSpan,
} from '@app/domain';
import type { FlushWrites } from './figure.store';

/** A unit's sums on a lane after the flush (stored days before its `from`, recomputed ones after) and its span. */
export interface LaneResult {
  readonly timeline: RollupTimeline;
  readonly span: RollupSpan;
}

/**
 * Days of a lane's work: its sums are recomputed from `from` through `through` (the first day known unchanged,
 * which joins them to the stored days after it; null: to the calendar's end), and read from some days before
 * `from` (the plan's `readBack`) on to `readThrough`, the last day what is computed from them needs.
 */
export interface LaneDays {
  readonly from: string;
  readonly through: string | null;
  readonly readThrough: string | null;
}

/** The later of two last days, null (no last day) beating any. */
export function laterDay(a: string | null, b: string | null): string | null {
  return a === null || b === null ? null : a > b ? a : b;
}

/** Two spans of days as one that covers both. */
export function widened<T extends { from: string; until: string | null }>(a: T, from: string, until: string | null): T {
  return { ...a, from: from < a.from ? from : a.from, until: laterDay(a.until, until) };
}

/** The units of one lane to recompute together (a unit, or a cycle of bad moves) over some days, deepest first. */
interface LaneGroup extends LaneDays {
  readonly members: string[];
  readonly children: string[];
}

export interface LanePlan {
  readonly lane: RollupLane;
  readonly groups: LaneGroup[];
  /** The stored roll-ups the groups read: their own (to compare) and their children's, from `readBack` days before `from`. */
  readonly reads: Array<{ unitCode: string; lane: string; from: string; until: string | null }>;
}

/** What every lane computes from besides the stored roll-ups. */
export interface LaneContext {
  readonly tree: OrgTree;
  /** A model in which no unit has children: its sums are a unit's own. */
  readonly own: FigureModel;
  /** Report days per `unit|cohort`. */
  readonly reportDays: ReadonlyMap<string, readonly string[]>;
  readonly bounds: DateSpan;
}

export const laneKey = (unitCode: string, lane: string): string => `${unitCode}|${lane}`;

/**
 * Orders the work of one lane from the deepest units up, so every unit is recomputed after its children,
 * and says which stored roll-ups that reads. `work`: unit → the days that may have changed; `readBack`: how many
 * days before a group's `from` its reads start (what is computed from the lane looks back that far).
 */
export function planLane(tree: OrgTree, lane: RollupLane, work: ReadonlyMap<string, LaneDays>, readBack: number): LanePlan {
  const byMembers = new Map<string, LaneGroup & { depth: number }>();
  for (const [code, days] of work) {
    if (!tree.get(code)) continue;
    const members = rollupMembers(tree, code, lane.tree);
    const k = members.join('|');
    const prev = byMembers.get(k);
    if (prev) {
      byMembers.set(k, {
        ...prev,
        from: days.from < prev.from ? days.from : prev.from,
        through: laterDay(prev.through, days.through),
        readThrough: laterDay(prev.readThrough, days.readThrough),
      });
      continue;
    }
    const memberSet = new Set(members);
    const children = members.flatMap((v) => tree.childrenOf(v, lane.tree)).filter((c) => !memberSet.has(c) && tree.get(c) !== undefined);
    byMembers.set(k, { members, children, ...days, depth: tree.ancestors(code, lane.tree).length });
  }
  // A group's days cover its children's: a marked unit's days are given to every unit of its chain.
  const groups = [...byMembers.values()].sort((a, b) => b.depth - a.depth);
  const reads = new Map<string, { unitCode: string; lane: string; from: string; until: string | null }>();
  for (const g of groups) {
    const from = addDays(g.from, -readBack);
    const until = laterDay(g.through, g.readThrough);
    for (const unitCode of [...g.members, ...g.children]) {
      const k = laneKey(unitCode, lane.key);
      const prev = reads.get(k);
      reads.set(k, prev ? widened(prev, from, until) : { unitCode, lane: lane.key, from, until });
    }
  }
  return { lane, groups, reads: [...reads.values()] };
}

/**
 * Recomputes one lane's roll-ups, group after group from the deepest: a unit's sums are its own (and its
 * cycle's) contribution plus its children's sums, fresh where a child was recomputed in this flush, stored
 * otherwise. Adds the changed points and spans to `writes`; returns every recomputed unit's result.
 */
export async function computeLane(
  plan: LanePlan,
  ctx: LaneContext,
  stored: ReadonlyMap<string, RollupTimeline>,
  storedSpans: ReadonlyMap<string, RollupSpan>,
  writes: FlushWrites,
  breathe: () => Promise<void>,
): Promise<Map<string, LaneResult>> {
  const { lane } = plan;
  const fresh = new Map<string, LaneResult>();
  const storedOf = (c: string) => stored.get(laneKey(c, lane.key)) ?? new RollupTimeline([]);
  const storedSpanOf = (c: string) => storedSpans.get(laneKey(c, lane.key)) ?? EMPTY_SPAN;
  for (const g of plan.groups) {
    const days = (v: string) => lane.cohorts.flatMap((c) => ctx.reportDays.get(`${v}|${c}`) ?? []);
    // A unit's own points are computed through the group's last day only: rollUp takes none after it.
    const to = g.through ?? ctx.bounds.to;
    const own = g.members.map((v) => new RollupTimeline(ownPoints(ctx.own, ctx.tree.get(v)!, lane, days(v), g.from, to)));
    const children = g.children.map((c) => fresh.get(c)?.timeline ?? storedOf(c));
    const points = rollUp([...own, ...children], g.from, to);
    const span = combineSpans([
      ...g.members.map((v) => ownSpan(ctx.tree.get(v)!, lane, days(v))),
      ...g.children.map((c) => fresh.get(c)?.span ?? storedSpanOf(c)),
    ]);
    for (const v of g.members) {
      const old = storedOf(v);
      fresh.set(v, { timeline: old.splice(g.from, g.through, points), span });
      const kept = compressPoints(points, old.at(addDays(g.from, -1)));
      const oldAfter = new Map(
        old.points.filter((p) => p.date >= g.from && (g.through === null || p.date <= g.through)).map((p) => [p.date, p]),
      );
      const keptDays = new Set(kept.map((p) => p.date));
      for (const date of oldAfter.keys()) if (!keptDays.has(date)) writes.rollupDeletes.push({ unitCode: v, lane: lane.key, date });
      for (const p of kept) {
        const o = oldAfter.get(p.date);
        if (!o || !sameRollup(o, p)) writes.rollupUpserts.push({ ...p, unitCode: v, lane: lane.key });
      }
      if (!sameSpan(span, storedSpanOf(v))) writes.spanUpserts.push({ ...span, unitCode: v, lane: lane.key });
    }
    await breathe();
  }
  return fresh;
}
