import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { toCsv, type CsvColumn } from './listing';

export const AS_OF_EVENT_HEADER = 'X-As-Of-Event';

/** Freshness on every response: the occurredAt of the newest event the read model has applied. */
export function markFreshness(reply: FastifyReply, asOfEvent: string | null): void {
  void reply.header(AS_OF_EVENT_HEADER, asOfEvent ?? 'none');
}

export function sendCsv<T>(
  reply: FastifyReply,
  filename: string,
  asOfEvent: string | null,
  columns: readonly CsvColumn<T>[],
  rows: readonly T[],
): string {
  markFreshness(reply, asOfEvent);
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="${filename}.csv"`);
  return toCsv(columns, rows);
}

/**
 * Headers of every HTML page of this service (the dashboard, its login and error pages, the daily
 * report): nothing inline runs but the page's own style (by nonce; this replaces the platform's default
 * policy), no framing, no caching (the pages name people and are behind a key), no referrer leaking the
 * query. Returns the nonce for the page's <style>.
 */
export function htmlResponse(reply: FastifyReply, lang: string): string {
  const nonce = randomBytes(16).toString('base64');
  void reply.header('content-type', 'text/html; charset=utf-8');
  void reply.header('content-language', lang);
  void reply.header('cache-control', 'no-store');
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  void reply.header(
    'content-security-policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  );
  return nonce;
}
