import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ADMIN_TREE, BOTH_TREES, subtreeSql } from '@app/persistence';

export interface ReplicaUnit {
  code: string;
  type: string;
  active: boolean;
  level: number | null;
}

/**
 * Units under a root (the root included) on the administrative tree: province → district → commune.
 * Coverage and the district filter follow this tree only; the accountability tree says who answers to
 * whom, not where a commune lies. Returns a SELECT usable as a sub-query; `rootParam` is a `$n`.
 */
export function adminSubtreeSql(rootParam: string): string {
  return subtreeSql(`SELECT ${rootParam}::text`, { table: 'replica_org_units', parentColumns: ADMIN_TREE });
}

/** Units under a root on either tree (the root included): what a portal key may read. */
export function anySubtreeSql(rootParam: string): string {
  return subtreeSql(`SELECT ${rootParam}::text`, { table: 'replica_org_units', parentColumns: BOTH_TREES });
}

/** Reads of the local registry replica (kept by RegistryReplicaHandlers from registry events). */
@Injectable()
export class ReplicaUnitsService {
  constructor(private readonly ds: DataSource) {}

  async find(code: string): Promise<ReplicaUnit | null> {
    const rows: ReplicaUnit[] = await this.ds.query(`SELECT code, type, active, level FROM replica_org_units WHERE code = $1`, [code]);
    return rows[0] ?? null;
  }

  async findMany(codes: readonly string[]): Promise<Map<string, ReplicaUnit>> {
    const rows: ReplicaUnit[] = await this.ds.query(
      `SELECT code, type, active, level FROM replica_org_units WHERE code = ANY($1::text[])`,
      [codes],
    );
    return new Map(rows.map((r) => [r.code, r]));
  }
}
