import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemException, type Principal } from '@app/platform';

export type IdempotencyOutcome = { kind: 'fresh' } | { kind: 'replay'; status: number; response: unknown };

/**
 * `Idempotency-Key` handling inside the caller's transaction. The first request claims the key with an
 * INSERT; a concurrent twin blocks on the primary key until the first commits (then replays its answer)
 * or rolls back (then proceeds itself), so one key never produces two writes.
 */
@Injectable()
export class IdempotencyStore {
  static validateKey(key: string | undefined): string | null {
    if (key === undefined || key === '') return null;
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new ProblemException(400, 'Idempotency-Key must be 1 to 200 visible ASCII characters', [
        { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 200 visible ASCII characters' },
      ]);
    }
    return key;
  }

  async begin(m: EntityManager, principal: Principal, endpoint: string, key: string, requestHash: string): Promise<IdempotencyOutcome> {
    const claimed: unknown[] = await m.query(
      `INSERT INTO idempotency_keys (key_id, endpoint, idempotency_key, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [principal.keyId, endpoint, key, requestHash],
    );
    if (claimed.length > 0) return { kind: 'fresh' };
    const rows: Array<{ request_hash: string; status: number; response: unknown }> = await m.query(
      `SELECT request_hash, status, response FROM idempotency_keys WHERE key_id = $1 AND endpoint = $2 AND idempotency_key = $3`,
      [principal.keyId, endpoint, key],
    );
    const row = rows[0];
    if (row.request_hash !== requestHash) {
      throw new ProblemException(409, `Idempotency-Key ${key} was already used with a different body`, [
        { field: 'Idempotency-Key', message: `Idempotency-Key ${key} was already used with a different body` },
      ]);
    }
    return { kind: 'replay', status: row.status, response: row.response };
  }

  async complete(m: EntityManager, principal: Principal, endpoint: string, key: string, status: number, response: unknown): Promise<void> {
    await m.query(
      `UPDATE idempotency_keys SET status = $4, response = $5::jsonb WHERE key_id = $1 AND endpoint = $2 AND idempotency_key = $3`,
      [principal.keyId, endpoint, key, status, JSON.stringify(response)],
    );
  }
}
