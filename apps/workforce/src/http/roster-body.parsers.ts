import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Raw bodies the roster route takes (multipart/form-data is handled by @fastify/multipart). */
export const ROSTER_CONTENT_TYPES = ['text/csv', 'application/csv', 'text/plain', XLSX_CONTENT_TYPE, 'application/octet-stream'];

const ROSTER_ROUTE = /^\/v1\/enterprises\/[^/?]+\/rosters(?:\?|$)/;

function isRosterRoute(req: FastifyRequest): boolean {
  return req.method === 'POST' && ROSTER_ROUTE.test(req.url);
}

/**
 * Body parsing of the workforce service. The platform reads `text/csv` bodies into a string for every
 * service; rosters reach 1,000,000 rows, so here the roster route gets the raw request stream instead
 * and reads it itself with its own size limit (ROSTER_MAX_BYTES). Every other route keeps the platform's
 * JSON parsing and body limit, and is refused (415) anything else. Other services are untouched: this runs
 * on the workforce's own Fastify instance only.
 */
export async function configureWorkforceFastify(fastify: FastifyInstance): Promise<void> {
  // Per-request limits are given at req.file() from the configuration; this is only the plugin default.
  await fastify.register(multipart, { limits: { files: 1, fields: 10, parts: 20 } });
  fastify.removeContentTypeParser(['text/csv', 'text/plain']);
  const passStream = (req: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: unknown) => void): void => {
    if (isRosterRoute(req)) return done(null, payload);
    const err = Object.assign(new Error(`unsupported content type ${req.headers['content-type'] ?? '(none)'}: send application/json`), {
      statusCode: 415,
    });
    done(err);
  };
  fastify.addContentTypeParser(ROSTER_CONTENT_TYPES, passStream);
  // Anything else (a wrong type on the roster route gets a 415 that says what to send, from the controller).
  fastify.addContentTypeParser('*', passStream);
}
