import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@app/contracts';
import { ancestorsCte, BOTH_TREES } from '@app/persistence';
import { KEY_DIRECTORY, UNIT_SCOPE, type KeyDirectory, type KeyVerdict, type Principal, type UnitScope } from '@app/platform';
import { RegistryPulse } from './registry-pulse';

/**
 * Keys from the replica of the registry's key events while the replica is fresh (RegistryPulse); otherwise
 * from the registry itself, and when that does not answer either, from the replica, marked unconfirmed (the
 * guard then holds issued admin keys to reads).
 */
@Injectable()
export class ReplicaKeyDirectory implements KeyDirectory {
  constructor(
    private readonly ds: DataSource,
    private readonly pulse: RegistryPulse,
  ) {}

  async verify(key: string, hash: string): Promise<KeyVerdict> {
    if (await this.pulse.isFresh()) {
      this.pulse.noteCheck('replica');
      return { principal: await this.findByHash(hash), confirmed: true };
    }
    const answer = await this.pulse.askRegistry(key, hash);
    if (answer !== 'unreachable') {
      this.pulse.noteCheck('registry');
      return { principal: answer, confirmed: true };
    }
    this.pulse.noteCheck('unconfirmed');
    return { principal: await this.findByHash(hash), confirmed: false };
  }

  async findByHash(hash: string): Promise<Principal | null> {
    const rows: Array<{ key_id: string; role: Role; org_unit_code: string | null }> = await this.ds.query(
      `SELECT key_id, role, org_unit_code FROM replica_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows[0] ? { keyId: rows[0].key_id, role: rows[0].role, orgUnitCode: rows[0].org_unit_code } : null;
  }
}

/** The recursive part of `ancestorsQuery`: `up(origin, code, depth)`, the ancestors of unit $1 on both trees (may repeat a code). */
function unitAncestorsCte(table: string): string {
  return ancestorsCte('up', 'SELECT $1::text', { table, parentColumns: BOTH_TREES });
}

/** Ancestors of a unit on both trees (the ones present in the table), ordered by code, from a table shaped like replica_org_units. */
export function ancestorsQuery(table: string): string {
  return `
    WITH RECURSIVE ${unitAncestorsCte(table)}
    SELECT DISTINCT ON (up.code) up.code, u.type, up.depth FROM up JOIN ${table} u ON u.code = up.code ORDER BY up.code, up.depth`;
}

/** The unit $1 with its ancestors (as `ancestorsQuery` lists them) in one statement: no row when the unit is unknown. */
export function describeQuery(table: string): string {
  return `
    WITH RECURSIVE ${unitAncestorsCte(table)},
    anc AS (SELECT DISTINCT up.code, u.type FROM up JOIN ${table} u ON u.code = up.code)
    SELECT t.type, t.active,
           coalesce((SELECT array_agg(anc.code ORDER BY anc.code) FROM anc), '{}') AS ancestors,
           coalesce((SELECT array_agg(anc.type ORDER BY anc.code) FROM anc), '{}') AS ancestor_types
    FROM ${table} t WHERE t.code = $1`;
}

export class TableUnitScope implements UnitScope {
  constructor(
    protected readonly ds: DataSource,
    private readonly table: string,
  ) {}

  async isWithin(unitCode: string, rootCode: string): Promise<boolean> {
    if (unitCode === rootCode) return true;
    const rows: Array<{ code: string }> = await this.ds.query(ancestorsQuery(this.table), [unitCode]);
    return rows.some((r) => r.code === rootCode);
  }

  async describe(unitCode: string) {
    const rows: Array<{ type: string; active: boolean; ancestors: string[]; ancestor_types: string[] }> = await this.ds.query(
      describeQuery(this.table),
      [unitCode],
    );
    const unit = rows[0];
    if (!unit) return null;
    return { type: unit.type, active: unit.active, ancestors: unit.ancestors, ancestorTypes: [...new Set(unit.ancestor_types)] };
  }
}

@Injectable()
export class ReplicaUnitScope extends TableUnitScope {
  constructor(ds: DataSource) {
    super(ds, 'replica_org_units');
  }
}

export const replicaAuthProviders = [
  RegistryPulse,
  { provide: KEY_DIRECTORY, useClass: ReplicaKeyDirectory },
  { provide: UNIT_SCOPE, useClass: ReplicaUnitScope },
];
