import { Injectable, NotFoundException } from '@nestjs/common';
import { uuidv7 } from '@app/persistence';
import { DataSource } from 'typeorm';
import { ApiKeyIssuedV1, ApiKeyRevokedV1, type Role } from '@app/contracts';
import { EventOutbox, generateApiKey, hashApiKey, ProblemException } from '@app/platform';

/** Roles whose keys act for one unit and its subtree, so they cannot be issued without one. */
export const ROLES_NEEDING_UNIT: readonly Role[] = ['portal', 'ez_board', 'transport', 'telecom'];

export interface ApiKeyView {
  id: string;
  role: Role;
  orgUnitCode: string | null;
  label: string | null;
  issuedAt: string;
  revokedAt: string | null;
}

/**
 * A timestamp as the key events carry it (ISO, UTC, milliseconds): the heartbeat's `keysChangedAt` is written
 * the same way, so a replica compares like with like.
 */
export const isoMillis = (sql: string): string => `to_char(${sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SELECT_KEY = `SELECT id, role, org_unit_code AS "orgUnitCode", label, ${isoMillis('issued_at')} AS "issuedAt",
  ${isoMillis('revoked_at')} AS "revokedAt" FROM api_keys`;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
  ) {}

  /** The clear key is returned here once and never stored: the table and the event carry its SHA-256 only. */
  async issue(input: { role: Role; orgUnitCode: string | null; label: string | null }): Promise<ApiKeyView & { key: string }> {
    if (ROLES_NEEDING_UNIT.includes(input.role) && input.orgUnitCode === null) {
      const message = `a ${input.role} key acts for one unit and its subtree: give orgUnitCode`;
      throw new ProblemException(422, message, [{ field: 'orgUnitCode', message }]);
    }
    return this.ds.transaction(async (m) => {
      if (input.orgUnitCode !== null) {
        const [unit]: Array<{ active: boolean }> = await m.query(`SELECT active FROM org_units WHERE code = $1`, [input.orgUnitCode]);
        if (!unit)
          throw new ProblemException(422, `unknown org unit ${input.orgUnitCode}`, [
            { field: 'orgUnitCode', message: `${input.orgUnitCode} is not a known unit` },
          ]);
        if (!unit.active)
          throw new ProblemException(422, `org unit ${input.orgUnitCode} is retired`, [
            { field: 'orgUnitCode', message: `${input.orgUnitCode} is retired` },
          ]);
      }
      const key = generateApiKey();
      const keyHash = hashApiKey(key);
      const id = uuidv7();
      const [view]: ApiKeyView[] = await m.query(
        `WITH ins AS (INSERT INTO api_keys (id, key_hash, role, org_unit_code, label) VALUES ($1, $2, $3, $4, $5) RETURNING *)
         ${SELECT_KEY.replace('FROM api_keys', 'FROM ins')}`,
        [id, keyHash, input.role, input.orgUnitCode, input.label],
      );
      await this.outbox.record(m, ApiKeyIssuedV1, input.orgUnitCode ?? id, {
        keyId: id,
        keyHash,
        role: input.role,
        orgUnitCode: input.orgUnitCode,
        issuedAt: view.issuedAt,
      });
      return { ...view, key };
    });
  }

  /** Revoking twice is harmless: the second call changes and publishes nothing. */
  async revoke(id: string): Promise<ApiKeyView & { outcome: 'revoked' | 'unchanged' }> {
    return this.ds.transaction(async (m) => {
      const [before]: ApiKeyView[] = await m.query(`${SELECT_KEY} WHERE id = $1 FOR UPDATE`, [id]);
      if (!before) throw new NotFoundException({ detail: `unknown API key ${id}` });
      if (before.revokedAt !== null) return { ...before, outcome: 'unchanged' as const };
      await m.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      const [after]: ApiKeyView[] = await m.query(`${SELECT_KEY} WHERE id = $1`, [id]);
      await this.outbox.record(m, ApiKeyRevokedV1, after.orgUnitCode ?? id, { keyId: id, revokedAt: after.revokedAt! });
      return { ...after, outcome: 'revoked' as const };
    });
  }

  async list(q: { orgUnitCode?: string; includeRevoked?: boolean }): Promise<ApiKeyView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.orgUnitCode) {
      params.push(q.orgUnitCode);
      where.push(`org_unit_code = $${params.length}`);
    }
    if (!q.includeRevoked) where.push('revoked_at IS NULL');
    return this.ds.query(`${SELECT_KEY} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at, id`, params);
  }
}
