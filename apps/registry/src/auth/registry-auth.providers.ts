import { Injectable, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@app/contracts';
import { KEY_DIRECTORY, UNIT_SCOPE, type KeyDirectory, type Principal } from '@app/platform';
import { TableUnitScope } from '@app/replica';

/** The registry authorises from its own tables, never from a replica of itself. */
@Injectable()
export class RegistryKeyDirectory implements KeyDirectory {
  constructor(private readonly ds: DataSource) {}

  async findByHash(hash: string): Promise<Principal | null> {
    const rows: Array<{ id: string; role: Role; org_unit_code: string | null }> = await this.ds.query(
      `SELECT id, role, org_unit_code FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows[0] ? { keyId: rows[0].id, role: rows[0].role, orgUnitCode: rows[0].org_unit_code } : null;
  }
}

export const registryAuthProviders: Provider[] = [
  { provide: KEY_DIRECTORY, useClass: RegistryKeyDirectory },
  { provide: UNIT_SCOPE, useFactory: (ds: DataSource) => new TableUnitScope(ds, 'org_units'), inject: [DataSource] },
];
