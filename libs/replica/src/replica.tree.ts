import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { compareStrings } from '@app/domain';
import type { UnitScope } from '@app/platform';

/** What `UnitScope.describe` answers about one unit. */
export interface DescribedUnit {
  readonly type: string;
  readonly active: boolean;
  /** The unit's ancestors on both trees that are in the replica, ordered by code. */
  readonly ancestors: string[];
  readonly ancestorTypes: string[];
}

/** A row of replica_org_units, as far as scope is concerned. */
export interface TreeUnitRow {
  readonly code: string;
  readonly type: string;
  readonly active: boolean;
  readonly admin_parent_code: string | null;
  readonly accountable_to_code: string | null;
}

interface TreeNode {
  readonly type: string;
  readonly active: boolean;
  readonly parents: readonly string[];
}

/** Same bound as the recursive SQL (`ancestorsQuery`): ancestors at most this many steps up. */
const MAX_DEPTH = 32;

/**
 * The replica's units at one version, in memory. Answers the UnitScope questions exactly as the SQL of
 * `TableUnitScope` does (same ancestors, same depth bound, parents missing from the replica left out).
 */
export class TreeSnapshot implements UnitScope {
  private readonly described = new Map<string, DescribedUnit | null>();

  constructor(
    readonly version: number,
    private readonly nodes: ReadonlyMap<string, TreeNode>,
  ) {}

  static of(version: number, rows: Iterable<TreeUnitRow>): TreeSnapshot {
    const nodes = new Map<string, TreeNode>();
    for (const r of rows) {
      const parents: string[] = [];
      if (r.admin_parent_code !== null) parents.push(r.admin_parent_code);
      if (r.accountable_to_code !== null && r.accountable_to_code !== r.admin_parent_code) parents.push(r.accountable_to_code);
      nodes.set(r.code, { type: r.type, active: r.active, parents });
    }
    return new TreeSnapshot(version, nodes);
  }

  get size(): number {
    return this.nodes.size;
  }

  describeNow(unitCode: string): DescribedUnit | null {
    const hit = this.described.get(unitCode);
    if (hit !== undefined) return hit;
    const node = this.nodes.get(unitCode);
    let out: DescribedUnit | null = null;
    if (node) {
      // Breadth first, so a code is reached at its smallest depth, as the SQL's depth bound sees it.
      const depthOf = new Map<string, number>();
      let frontier: string[] = [unitCode];
      for (let depth = 1; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const code of frontier) {
          for (const parent of this.nodes.get(code)?.parents ?? []) {
            if (depthOf.has(parent)) continue;
            depthOf.set(parent, depth);
            next.push(parent);
          }
        }
        frontier = next;
      }
      const ancestors = [...depthOf.keys()].filter((c) => this.nodes.has(c)).sort(compareStrings);
      out = { type: node.type, active: node.active, ancestors, ancestorTypes: [...new Set(ancestors.map((c) => this.nodes.get(c)!.type))] };
    }
    if (this.described.size > 50_000) this.described.clear();
    this.described.set(unitCode, out);
    return out;
  }

  describe(unitCode: string): Promise<DescribedUnit | null> {
    return Promise.resolve(this.describeNow(unitCode));
  }

  isWithin(unitCode: string, rootCode: string): Promise<boolean> {
    if (unitCode === rootCode) return Promise.resolve(true);
    return Promise.resolve(this.describeNow(unitCode)?.ancestors.includes(rootCode) ?? false);
  }
}

/**
 * An in-process copy of replica_org_units, keyed on `replica_version.version`, which the replica's
 * triggers (RegistryReplicaVersion migration) raise in every transaction that changes a unit, as part of
 * that transaction. A caller reads the version in its own statement (`ReplicaTree.VERSION_SQL`, usually
 * beside other things it needs) and asks `at(version)`: the copy is used only when it is at least that
 * version, so no answer is older than the replica as committed when the caller looked. Otherwise `at`
 * answers null (the caller asks the database) and reloads the copy in the background, one load at a time.
 */
@Injectable()
export class ReplicaTree {
  /** SQL expression for the replica's current version, to fold into a statement the caller runs anyway. */
  static readonly VERSION_SQL = `(SELECT version FROM replica_version)`;

  private snapshot: TreeSnapshot | null = null;
  private loading: Promise<TreeSnapshot | null> | null = null;
  private loads = 0;

  constructor(private readonly ds: DataSource) {}

  /** How many times the tree was read from the database (for tests). */
  get loadCount(): number {
    return this.loads;
  }

  /** The in-memory tree when it is at least `version` (as read by the caller); else null, and a reload starts. */
  at(version: number | string | null): TreeSnapshot | null {
    const wanted = Number(version ?? 0);
    const s = this.snapshot;
    if (s && s.version >= wanted) return s;
    this.refresh();
    return null;
  }

  /** The tree at the current version, loading it first when needed (start-up, tests, rare paths). */
  async current(manager?: EntityManager): Promise<TreeSnapshot> {
    const rows: Array<{ version: string }> = await (manager ?? this.ds).query(`SELECT ${ReplicaTree.VERSION_SQL} AS version`);
    const version = Number(rows[0]?.version ?? 0);
    for (;;) {
      const s = this.at(version);
      if (s) return s;
      const loaded = await this.loading;
      if (loaded === null) throw new Error('could not load the replica tree');
    }
  }

  /** Starts a reload unless one is running. */
  refresh(): void {
    if (this.loading) return;
    this.loading = this.load()
      .catch(() => null)
      .finally(() => {
        this.loading = null;
      });
  }

  private async load(): Promise<TreeSnapshot> {
    this.loads++;
    // One statement, so the version and the units come from the same snapshot.
    const rows: Array<{
      version: string;
      code: string | null;
      type: string;
      active: boolean;
      admin_parent_code: string | null;
      accountable_to_code: string | null;
    }> = await this.ds.query(
      `SELECT v.version, u.code, u.type, u.active, u.admin_parent_code, u.accountable_to_code
         FROM replica_version v LEFT JOIN replica_org_units u ON true`,
    );
    const snapshot = TreeSnapshot.of(
      Number(rows[0]?.version ?? 0),
      rows.filter((r): r is TreeUnitRow & { version: string } => r.code !== null),
    );
    if (!this.snapshot || this.snapshot.version < snapshot.version) this.snapshot = snapshot;
    return snapshot;
  }
}
