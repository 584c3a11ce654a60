import type { Tree, UnitType } from '@app/contracts';

/** What the rules need to know of an org unit. */
export interface UnitNode {
  readonly code: string;
  readonly type: UnitType;
  readonly adminParentCode: string | null;
  readonly accountableToCode: string | null;
  /** Tree level from the registry (1 = province), when known. */
  readonly level: number | null;
  /**
   * First day the unit no longer reports nor is expected to (null while active). A unit made inactive
   * without a known date is retired from the beginning: ALWAYS_RETIRED.
   */
  readonly retiredOn: string | null;
}

export const ALWAYS_RETIRED = '0000-01-01';

export function isActiveOn(unit: UnitNode, date: string): boolean {
  return unit.retiredOn === null || date < unit.retiredOn;
}

/**
 * The two trees over one set of units. Parent links name codes that may be unknown (not yet
 * received) or form a cycle (a bad move); both are tolerated: an unknown parent ends the walk up and
 * a unit is never visited twice.
 */
export class OrgTree {
  private readonly units = new Map<string, UnitNode>();
  private readonly children: Record<Tree, Map<string, string[]>> = { administrative: new Map(), accountability: new Map() };
  private readonly subtreeCache = new Map<string, readonly string[]>();

  constructor(units: Iterable<UnitNode>) {
    for (const u of units) this.units.set(u.code, u);
    for (const u of [...this.units.values()].sort((a, b) => (a.code < b.code ? -1 : 1))) {
      for (const tree of ['administrative', 'accountability'] as const) {
        const parent = parentOn(tree, u);
        if (parent === null || parent === u.code) continue;
        const list = this.children[tree].get(parent) ?? [];
        list.push(u.code);
        this.children[tree].set(parent, list);
      }
    }
  }

  get(code: string): UnitNode | undefined {
    return this.units.get(code);
  }

  all(): UnitNode[] {
    return [...this.units.values()];
  }

  parentOf(code: string, tree: Tree): string | null {
    const u = this.units.get(code);
    return u ? parentOn(tree, u) : null;
  }

  childrenOf(code: string, tree: Tree): readonly string[] {
    return this.children[tree].get(code) ?? [];
  }

  /** The unit and every unit below it on one tree (known units only), the unit first. */
  subtree(code: string, tree: Tree): readonly string[] {
    const cacheKey = `${tree}|${code}`;
    const cached = this.subtreeCache.get(cacheKey);
    if (cached) return cached;
    const out: string[] = [];
    const seen = new Set<string>();
    const stack = [code];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      if (this.units.has(c)) out.push(c);
      for (const child of this.childrenOf(c, tree)) stack.push(child);
    }
    this.subtreeCache.set(cacheKey, out);
    return out;
  }

  /** The units above one unit on one tree, nearest first. */
  ancestors(code: string, tree: Tree): string[] {
    const out: string[] = [];
    const seen = new Set<string>([code]);
    let p = this.parentOf(code, tree);
    while (p !== null && !seen.has(p)) {
      out.push(p);
      seen.add(p);
      p = this.parentOf(p, tree);
    }
    return out;
  }
}

/** A unit's parent on one tree: its administrative parent, or the unit it answers to. */
export function parentOn(tree: Tree, u: Pick<UnitNode, 'adminParentCode' | 'accountableToCode'>): string | null {
  return tree === 'administrative' ? u.adminParentCode : u.accountableToCode;
}

/**
 * The first day on which two versions of a unit differ for the figures: any change of type, level or
 * parents changes every day (the registry gives moves no effective date); a retirement changes the
 * days from the earlier of the two retirement days. Null when nothing the figures use changed.
 */
export function unitChangeFrom(before: UnitNode | null, after: UnitNode | null): string | null {
  if (!before || !after) return before === after ? null : ALWAYS_RETIRED;
  if (
    before.type !== after.type ||
    before.level !== after.level ||
    before.adminParentCode !== after.adminParentCode ||
    before.accountableToCode !== after.accountableToCode
  ) {
    return ALWAYS_RETIRED;
  }
  if (before.retiredOn === after.retiredOn) return null;
  if (before.retiredOn === null) return after.retiredOn;
  if (after.retiredOn === null) return before.retiredOn;
  return before.retiredOn < after.retiredOn ? before.retiredOn : after.retiredOn;
}
