import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

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

const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: { useDefaults: false, directives: DEFAULT_CSP_DIRECTIVES },
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
};

/**
 * What helmet does to every answer with HELMET_OPTIONS, worked out once: the headers it sets (lower-case
 * names) and those it removes. Its options are constants and none of its headers depends on the request.
 */
export function securityHeaders(options: Readonly<HelmetOptions> = HELMET_OPTIONS): { set: Record<string, string>; removed: string[] } {
  const set: Record<string, string> = {};
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete set[name.toLowerCase()];
      removed.push(name.toLowerCase());
    },
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return { set, removed };
}

/**
 * Helmet's headers on every answer: CSP, X-Content-Type-Options: nosniff, frame-ancestors 'none' and
 * X-Frame-Options, Referrer-Policy: no-referrer, and the rest of helmet's defaults. No
 * upgrade-insecure-requests: services are also reached over plain HTTP on a private network, where it
 * would break /docs. Computed once (securityHeaders) and set by one hook: @fastify/helmet ran helmet's
 * whole middleware chain, options parsing included, on each request (5% of a read route's CPU). A page
 * that sets its own policy (htmlResponse) replaces the header later in the request.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const { set, removed } = securityHeaders();
  fastify.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(set);
    for (const name of removed) void reply.removeHeader(name);
    done();
  });
}
