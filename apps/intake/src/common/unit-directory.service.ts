import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ScopeService, UNIT_SCOPE, type Principal, type UnitScope } from '@app/platform';
import { ancestorsCte, BOTH_TREES, subtreeSql, type TreeWalk } from '@app/persistence';
import { CAMPAIGN_START_SQL, ReplicaTree } from '@app/replica';

/** The registry replica's units, walked on both trees. */
const REPLICA_WALK: TreeWalk = { table: 'replica_org_units', parentColumns: BOTH_TREES };

export interface KnownUnit {
  readonly type: string;
  readonly active: boolean;
  readonly ancestors: string[];
  readonly ancestorTypes: string[];
}

/** Units already read in bulk, answering the UnitScope questions from memory. */
class PreloadedUnitScope implements UnitScope {
  constructor(private readonly units: ReadonlyMap<string, KnownUnit>) {}

  isWithin(unitCode: string, rootCode: string): Promise<boolean> {
    if (unitCode === rootCode) return Promise.resolve(true);
    return Promise.resolve(this.units.get(unitCode)?.ancestors.includes(rootCode) ?? false);
  }

  describe(unitCode: string): Promise<KnownUnit | null> {
    return Promise.resolve(this.units.get(unitCode) ?? null);
  }
}

/**
 * Reads the local registry replica (never the registry itself, so intake keeps working while the registry
 * is down). Writes take the units from the in-memory ReplicaTree while it is current; otherwise every unit
 * and its ancestors come in one query. Either way the platform's ScopeService working from memory answers, without
 * queries per item. Ancestors are the ones present in the replica, as the platform's TableUnitScope lists
 * them. Reads of one unit ask the same ScopeService over the platform's UnitScope.
 */
@Injectable()
export class UnitDirectory {
  private readonly readScope: ScopeService;

  constructor(
    private readonly ds: DataSource,
    private readonly tree: ReplicaTree,
    @Inject(UNIT_SCOPE) units: UnitScope,
  ) {
    this.readScope = new ScopeService(units);
  }

  /**
   * What a write checks before its transaction, in one round trip when the replica has not changed since
   * the in-memory tree was loaded: a ScopeService over the units (from the tree, else from one query for
   * `codes`) and the published campaign start (for CampaignCalendar.windowFrom).
   */
  async forWrite(codes: readonly string[], manager?: EntityManager): Promise<{ scope: ScopeService; campaignStart: string | null }> {
    const rows: Array<{ version: string | null; start: string | null }> = await (manager ?? this.ds).query(
      `SELECT ${ReplicaTree.VERSION_SQL} AS version, ${CAMPAIGN_START_SQL} AS start`,
    );
    const tree = this.tree.at(rows[0].version);
    return { scope: new ScopeService(tree ?? new PreloadedUnitScope(await this.load(codes, manager))), campaignStart: rows[0].start };
  }

  async load(codes: readonly string[], manager?: EntityManager): Promise<Map<string, KnownUnit>> {
    const distinct = [...new Set(codes)];
    const out = new Map<string, KnownUnit>();
    if (distinct.length === 0) return out;
    const rows: Array<{ code: string; type: string; active: boolean; ancestors: string[] | null; ancestor_types: string[] | null }> =
      await (manager ?? this.ds).query(
        `WITH RECURSIVE ${ancestorsCte('up', 'SELECT unnest($1::text[])', REPLICA_WALK)}
       SELECT u.code, u.type, u.active,
              (SELECT array_agg(DISTINCT a.code) FROM up JOIN replica_org_units a ON a.code = up.code WHERE up.origin = u.code) AS ancestors,
              (SELECT array_agg(DISTINCT a.type) FROM up JOIN replica_org_units a ON a.code = up.code WHERE up.origin = u.code) AS ancestor_types
       FROM replica_org_units u
       WHERE u.code = ANY($1::text[])`,
        [distinct],
      );
    for (const r of rows)
      out.set(r.code, { type: r.type, active: r.active, ancestors: r.ancestors ?? [], ancestorTypes: r.ancestor_types ?? [] });
    return out;
  }

  /** A read of one unit's rows: 403 outside the key's scope (the platform's rule). */
  assertCanRead(principal: Principal, unitCode: string): Promise<void> {
    return this.readScope.assertCanRead(principal, unitCode);
  }

  /**
   * SQL condition (on `column`) limiting rows to the units a key may read, or null for "everything".
   * Admin and analyst read all; the others (an EZ board included) their
   * unit's subtree on both trees.
   */
  readableFilter(principal: Principal, column: string, paramIndex: number): { sql: string; params: unknown[] } | null {
    if (principal.role === 'admin' || principal.role === 'analyst') return null;
    if (!principal.orgUnitCode) return { sql: 'false', params: [] };
    return {
      sql: `${column} IN (${subtreeSql(`SELECT $${paramIndex}::text`, REPLICA_WALK)})`,
      params: [principal.orgUnitCode],
    };
  }
}
