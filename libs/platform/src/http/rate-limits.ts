import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpEdgeConfig } from '../config/http-edge-config';
import { ProblemException } from './problem.filter';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Liveness and readiness answer whatever a client did: an orchestrator must never see a 429. */
const exempt = (req: FastifyRequest) => req.url === '/health' || req.url.startsWith('/health/') || req.url.startsWith('/health?');

/** The bearer key a request carries, as a hash (the limiter's memory never holds a key in clear). */
function bearerKey(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? createHash('sha256').update(m[1]).digest('base64url') : null;
}

function tooMany(detail: string, retryAfterSeconds: number): ProblemException {
  return new ProblemException(429, detail, undefined, { retryAfterSeconds: Math.max(1, retryAfterSeconds) });
}

/**
 * Rate limits of every service (@fastify/rate-limit's counters, in memory per process), each over
 * RATE_LIMIT_WINDOW_MS and off at 0:
 * - an address whose requests were answered 401 RATE_LIMIT_AUTH_FAILURES times is refused (429) until
 *   the window ends, whatever key it then sends: guessing keys costs a window per few guesses;
 * - writes are limited per API key and per address (the address also covers floods of made-up keys).
 * The address is the peer's, or the client's as told by a proxy TRUST_PROXY trusts.
 */
export async function registerRateLimits(fastify: FastifyInstance, config: HttpEdgeConfig): Promise<void> {
  await fastify.register(rateLimit, { global: false });
  const limiter = (max: number, keyGenerator?: (req: FastifyRequest) => string) =>
    max > 0 ? fastify.createRateLimit({ max, timeWindow: config.RATE_LIMIT_WINDOW_MS, ...(keyGenerator ? { keyGenerator } : {}) }) : null;
  const failures = limiter(config.RATE_LIMIT_AUTH_FAILURES);
  const writesByKey = limiter(config.RATE_LIMIT_WRITES_PER_KEY, (req) => bearerKey(req) ?? '');
  const writesByAddress = limiter(config.RATE_LIMIT_WRITES_PER_ADDRESS);

  fastify.addHook('onRequest', async (req) => {
    if (exempt(req)) return;
    if (failures) {
      const seen = await failures(req, { increment: false });
      if (!seen.isAllowed && seen.remaining <= 0)
        throw tooMany('too many requests with a missing, unknown or revoked API key from this address; retry later', seen.ttlInSeconds);
    }
    if (!WRITE_METHODS.has(req.method)) return;
    if (writesByKey && bearerKey(req)) {
      const r = await writesByKey(req);
      if (!r.isAllowed && r.isExceeded) throw tooMany('too many writes with this API key; retry later', r.ttlInSeconds);
    }
    if (writesByAddress) {
      const r = await writesByAddress(req);
      if (!r.isAllowed && r.isExceeded) throw tooMany('too many writes from this address; retry later', r.ttlInSeconds);
    }
  });
  if (failures)
    fastify.addHook('onResponse', async (req, reply) => {
      if (reply.statusCode === 401 && !exempt(req)) await failures(req);
    });
}
