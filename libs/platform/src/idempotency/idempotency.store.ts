import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { EntityManager } from 'typeorm';
import { compareStrings } from '@app/domain';
import { ProblemException } from '../http/problem.filter';

/**
 * `Idempotency-Key`, the same in every service (README, "Idempotency-Key"):
 * - optional; when sent, 1 to 200 visible ASCII characters (no spaces), else 400 problem+json;
 * - remembered per API key and per operation (`scope`, e.g. `intake:reports/batch`);
 * - the same key with the same request (its fingerprint) answers the stored status and body again, with
 *   `Idempotent-Replayed: true`, and writes nothing;
 * - the same key with another request is 422 problem+json, in Vietnamese and English;
 * - only answers that were committed are remembered: a refused request (4xx, rolled back) may be retried.
 * The key is claimed with an INSERT inside the caller's transaction, so a concurrent twin waits on that
 * row until the first commits (then replays its answer) or rolls back (then runs itself): one key never
 * produces two writes.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export const IDEMPOTENCY_MESSAGES = {
  invalidKey: () =>
    'Idempotency-Key phải gồm 1 đến 200 ký tự ASCII in được, không có dấu cách ' +
    '(Idempotency-Key must be 1 to 200 visible ASCII characters, without spaces)',
  reused: (key: string) =>
    `Idempotency-Key ${key} đã được dùng cho một yêu cầu khác; hãy dùng khóa mới cho yêu cầu mới ` +
    `(Idempotency-Key ${key} was already used with a different request; use a new key for a new request)`,
};

/** The OpenAPI description of the header, for `@ApiHeader`. */
export const IDEMPOTENCY_API_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Optional, 1 to 200 visible ASCII characters. Same key and same request: the first answer again ' +
    '(header Idempotent-Replayed: true), nothing new stored. Same key, another request: 422.',
};

/** The header's value as a key, null when absent; 400 when it is not a valid key. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw new ProblemException(400, IDEMPOTENCY_MESSAGES.invalidKey(), [
      { field: 'Idempotency-Key', message: IDEMPOTENCY_MESSAGES.invalidKey() },
    ]);
  }
  return header;
}

/** JSON with object keys sorted (undefined members left out): the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareStrings(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What makes two requests "the same": SHA-256 of a text body (a CSV file) as sent, or of the canonical
 * JSON of anything else (the checked body together with the path parameters naming its target).
 */
export function requestFingerprint(request: unknown): string {
  return createHash('sha256')
    .update(typeof request === 'string' ? request : canonicalJson(request))
    .digest('hex');
}

export interface IdempotentRequest {
  /** The API key's id (Principal.keyId). */
  readonly keyId: string;
  /** The operation, `<service>:<route>`; a key used on one route means nothing on another. */
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
}

/**
 * The request an `Idempotency-Key` header names, or null without the header (400 for an invalid key).
 * `request` is what identifies the request (see requestFingerprint), computed only when a key is sent.
 */
export function idempotentRequest(
  principal: { readonly keyId: string },
  scope: string,
  header: string | string[] | undefined,
  request: () => unknown,
): IdempotentRequest | null {
  const key = idempotencyKeyOf(header);
  return key === null ? null : { keyId: principal.keyId, scope, key, fingerprint: requestFingerprint(request()) };
}

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

export interface IdempotentAnswer<T> extends Answer<T> {
  readonly replayed: boolean;
}

@Injectable()
export class IdempotencyStore {
  /**
   * Runs `work` in the caller's transaction `m` unless `request` was answered before: then its stored
   * answer comes back (or 422 when its fingerprint differs). Without a request (no header), just `work`.
   */
  async once<T>(m: EntityManager, request: IdempotentRequest | null, work: () => Promise<Answer<T>>): Promise<IdempotentAnswer<T>> {
    if (!request) return { ...(await work()), replayed: false };
    const claimed: unknown[] = await m.query(
      `INSERT INTO idempotent_requests (key_id, scope, idempotency_key, fingerprint) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [request.keyId, request.scope, request.key, request.fingerprint],
    );
    if (claimed.length === 0) {
      const rows: Array<{ fingerprint: string; status: number; response: T }> = await m.query(
        `SELECT fingerprint, status, response FROM idempotent_requests WHERE key_id = $1 AND scope = $2 AND idempotency_key = $3`,
        [request.keyId, request.scope, request.key],
      );
      const row = rows[0];
      if (row.fingerprint !== request.fingerprint) {
        const message = IDEMPOTENCY_MESSAGES.reused(request.key);
        throw new ProblemException(422, message, [{ field: 'Idempotency-Key', message }]);
      }
      return { status: row.status, body: row.response, replayed: true };
    }
    const answer = await work();
    await m.query(
      `UPDATE idempotent_requests SET status = $4, response = $5::json WHERE key_id = $1 AND scope = $2 AND idempotency_key = $3`,
      [request.keyId, request.scope, request.key, answer.status, JSON.stringify(answer.body)],
    );
    return { ...answer, replayed: false };
  }
}

/** Sends an answer from `once`: its status, and `Idempotent-Replayed: true` when it is a replay. */
export function replyWith<T>(reply: FastifyReply, answer: IdempotentAnswer<T>): T {
  void reply.status(answer.status);
  if (answer.replayed) void reply.header('idempotent-replayed', 'true');
  return answer.body;
}
