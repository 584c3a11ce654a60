import type { FastifyReply } from 'fastify';
import { toCsv, type CsvColumn } from './listing';

export const AS_OF_EVENT_HEADER = 'X-As-Of-Event';

/** Freshness on every response: the occurredAt of the newest event the read model has applied. */
export function markFreshness(reply: FastifyReply, asOfEvent: string | null): void {
  void reply.header(AS_OF_EVENT_HEADER, asOfEvent ?? 'none');
}

/** A JSON body serialised on first use, once however many responses it serves (an answer kept per read-model version). */
export function jsonOnce(body: unknown): () => Buffer {
  let bytes: Buffer | undefined;
  return () => (bytes ??= Buffer.from(JSON.stringify(body)));
}

/** Bytes already serialised as JSON (jsonOnce), sent as they are: fastify serialises nothing sent as a Buffer. */
export function sendJson(reply: FastifyReply, asOfEvent: string | null, json: Buffer): Buffer {
  markFreshness(reply, asOfEvent);
  void reply.header('content-type', 'application/json; charset=utf-8');
  return json;
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

/** Headers of every HTML page of this service (the dashboard, its login and error pages, the daily report): libs/platform. */
export { htmlResponse } from '@app/platform';
