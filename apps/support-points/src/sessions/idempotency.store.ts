import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemException } from '@app/platform';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

/** Printable, no spaces: a UUID or any client token up to 200 characters. */
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function assertIdempotencyKey(key: string | undefined): string | null {
  if (key === undefined) return null;
  if (!KEY_PATTERN.test(key)) {
    throw new ProblemException(400, 'Idempotency-Key must be 1 to 200 printable characters without spaces', [
      { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 200 printable characters without spaces' },
    ]);
  }
  return key;
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * Answers remembered per (API key, Idempotency-Key): the same request again gets the same answer and
 * causes nothing; the same Idempotency-Key with a different request is a client bug (409). Keys are
 * scoped to the API key so two clients cannot collide or read each other's answers.
 */
@Injectable()
export class IdempotencyStore {
  /** Serialises concurrent requests carrying the same key, then returns the remembered answer, if any. */
  async lookup(m: EntityManager, keyId: string, key: string, hash: string): Promise<StoredAnswer | null> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('idempotency'), hashtext($1 || ':' || $2))`, [keyId, key]);
    const rows: Array<{ request_hash: string; status: number; response: unknown }> = await m.query(
      `SELECT request_hash, status, response FROM idempotency_keys WHERE key_id = $1 AND idempotency_key = $2`,
      [keyId, key],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.request_hash !== hash) {
      throw new ProblemException(409, `Idempotency-Key ${key} was already used with a different request`, [
        { field: 'Idempotency-Key', message: 'already used with a different request body or point' },
      ]);
    }
    return { status: row.status, body: row.response };
  }

  async remember(m: EntityManager, keyId: string, key: string, hash: string, answer: StoredAnswer): Promise<void> {
    await m.query(`INSERT INTO idempotency_keys (key_id, idempotency_key, request_hash, status, response) VALUES ($1,$2,$3,$4,$5::json)`, [
      keyId,
      key,
      hash,
      answer.status,
      JSON.stringify(answer.body),
    ]);
  }
}
