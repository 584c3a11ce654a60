import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every answer that sets none of its own. It fits the OpenAPI UI at
 * /docs: its scripts and stylesheet come from this service; its page carries two inline <style> blocks
 * and inline style attributes, hence style-src 'unsafe-inline' (styles cannot run code; scripts stay
 * 'self' only). Pages with inline content of their own (the compliance dashboard and daily report)
 * replace it with a stricter policy that allows their inline style by nonce.
 */
export const DEFAULT_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * @fastify/helmet on every route: CSP, X-Content-Type-Options: nosniff, frame-ancestors 'none' and
 * X-Frame-Options, Referrer-Policy: no-referrer, and the rest of helmet's defaults. No
 * upgrade-insecure-requests: services are also reached over plain HTTP on a private network, where it
 * would break /docs.
 */
export async function registerSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: DEFAULT_CSP_DIRECTIVES },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
}
