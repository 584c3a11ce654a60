import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@app/contracts';
import { KEY_DIRECTORY, UNIT_SCOPE, type KeyDirectory, type Principal, type UnitScope } from '@app/platform';

@Injectable()
export class ReplicaKeyDirectory implements KeyDirectory {
  constructor(private readonly ds: DataSource) {}

  async findByHash(hash: string): Promise<Principal | null> {
    const rows: Array<{ key_id: string; role: Role; org_unit_code: string | null }> = await this.ds.query(
      `SELECT key_id, role, org_unit_code FROM replica_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows[0] ? { keyId: rows[0].key_id, role: rows[0].role, orgUnitCode: rows[0].org_unit_code } : null;
  }
}

/** Ancestors of a unit on both trees, nearest first, from a table shaped like replica_org_units. */
export function ancestorsQuery(table: string): string {
  return `
    WITH RECURSIVE up(code, depth) AS (
      SELECT admin_parent_code, 1 FROM ${table} WHERE code = $1 AND admin_parent_code IS NOT NULL
      UNION
      SELECT accountable_to_code, 1 FROM ${table} WHERE code = $1 AND accountable_to_code IS NOT NULL
      UNION
      SELECT p.parent, up.depth + 1
      FROM up
      JOIN LATERAL (
        SELECT admin_parent_code AS parent FROM ${table} u WHERE u.code = up.code AND admin_parent_code IS NOT NULL
        UNION ALL
        SELECT accountable_to_code FROM ${table} u WHERE u.code = up.code AND accountable_to_code IS NOT NULL
      ) p ON true
      WHERE up.depth < 32
    )
    SELECT DISTINCT ON (up.code) up.code, u.type, up.depth FROM up JOIN ${table} u ON u.code = up.code ORDER BY up.code, up.depth`;
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
    const units: Array<{ type: string; active: boolean }> = await this.ds.query(`SELECT type, active FROM ${this.table} WHERE code = $1`, [unitCode]);
    if (!units[0]) return null;
    const rows: Array<{ code: string; type: string }> = await this.ds.query(ancestorsQuery(this.table), [unitCode]);
    return { type: units[0].type, active: units[0].active, ancestors: rows.map((r) => r.code), ancestorTypes: [...new Set(rows.map((r) => r.type))] };
  }
}

@Injectable()
export class ReplicaUnitScope extends TableUnitScope {
  constructor(ds: DataSource) {
    super(ds, 'replica_org_units');
  }
}

export const replicaAuthProviders = [
  { provide: KEY_DIRECTORY, useClass: ReplicaKeyDirectory },
  { provide: UNIT_SCOPE, useClass: ReplicaUnitScope },
];
