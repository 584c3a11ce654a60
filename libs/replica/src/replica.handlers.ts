import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ApiKeyIssuedV1,
  ApiKeyRevokedV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV1,
  type ApiKeyIssuedV1Data,
  type ApiKeyRevokedV1Data,
  type EventEnvelope,
  type OrgUnitRetiredV1Data,
  type OrgUnitUpsertedV1Data,
} from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';

/**
 * Keeps the local replica of units and keys. Order-insensitive, by the domain's rule for units
 * (`unitNodeOf` in libs/domain campaign-state.ts): a unit's attributes come from its highest-revision
 * upsert, its retirement is kept at its own highest revision (replica_org_unit_retirements, even before
 * the unit's first upsert arrives), and the unit is active when that upsert says so and no retirement is
 * newer than it. A revocation that arrives before its issue is remembered and wins.
 */
@Injectable()
@EventConsumerGroup({ purpose: 'registry-replica', filter: 'registry' })
export class RegistryReplicaHandlers {
  @OnEvent(OrgUnitUpsertedV1)
  async unitUpserted(e: EventEnvelope<string, OrgUnitUpsertedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO replica_org_units (code, name, type, bloc, admin_parent_code, accountable_to_code, head_name, head_title, level, active, revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,
         $10::boolean AND NOT EXISTS (SELECT 1 FROM replica_org_unit_retirements r WHERE r.code = $1 AND r.revision > $11::integer),
         $11)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, bloc = EXCLUDED.bloc,
         admin_parent_code = EXCLUDED.admin_parent_code, accountable_to_code = EXCLUDED.accountable_to_code,
         head_name = EXCLUDED.head_name, head_title = EXCLUDED.head_title, level = EXCLUDED.level,
         active = EXCLUDED.active, revision = EXCLUDED.revision
       WHERE replica_org_units.revision < EXCLUDED.revision`,
      [
        d.code,
        d.name,
        d.type,
        d.bloc ?? null,
        d.adminParentCode ?? null,
        d.accountableToCode ?? null,
        d.head?.name ?? null,
        d.head?.title ?? null,
        d.level ?? null,
        d.active,
        d.revision,
      ],
    );
  }

  @OnEvent(OrgUnitRetiredV1)
  async unitRetired(e: EventEnvelope<string, OrgUnitRetiredV1Data>, m: EntityManager): Promise<void> {
    const { code, revision } = e.data;
    await m.query(
      `INSERT INTO replica_org_unit_retirements (code, revision) VALUES ($1, $2)
       ON CONFLICT (code) DO UPDATE SET revision = EXCLUDED.revision WHERE replica_org_unit_retirements.revision < EXCLUDED.revision`,
      [code, revision],
    );
    // The unit's attributes and revision stay its upsert's: an older upsert arriving later still updates them.
    await m.query(`UPDATE replica_org_units SET active = false WHERE code = $1 AND revision < $2 AND active`, [code, revision]);
  }

  @OnEvent(ApiKeyIssuedV1)
  async keyIssued(e: EventEnvelope<string, ApiKeyIssuedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO replica_api_keys (key_id, key_hash, role, org_unit_code, issued_at) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (key_id) DO UPDATE SET key_hash = EXCLUDED.key_hash, role = EXCLUDED.role,
         org_unit_code = EXCLUDED.org_unit_code, issued_at = EXCLUDED.issued_at`,
      [d.keyId, d.keyHash, d.role, d.orgUnitCode ?? null, d.issuedAt],
    );
  }

  @OnEvent(ApiKeyRevokedV1)
  async keyRevoked(e: EventEnvelope<string, ApiKeyRevokedV1Data>, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO replica_api_keys (key_id, revoked_at) VALUES ($1, $2)
       ON CONFLICT (key_id) DO UPDATE SET revoked_at = EXCLUDED.revoked_at`,
      [e.data.keyId, e.data.revokedAt],
    );
  }
}
