import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenException, Injectable, type NestMiddleware } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * A browser cannot send `Authorization: Bearer` when it navigates, so the dashboard keeps the key the
 * user typed in once in an HttpOnly cookie and turns it back into that header on this service's GET
 * requests, before the platform's guard runs. The guard stays the only place a key is checked (401,
 * 403, roles, revocation); the cookie only ever reaches read-only routes, so it can change nothing.
 */
export const SESSION_COOKIE = 'bz_compliance_key';
/** A working day: the key is asked for again the next morning. */
export const SESSION_MAX_AGE_SECONDS = 8 * 3600;

export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Lax, not Strict: a link to the dashboard from a mail opens it logged in; only GETs ever honour the cookie. */
export function sessionCookie(key: string | null, secure: boolean): string {
  const value = key === null ? '' : encodeURIComponent(key);
  const maxAge = key === null ? 0 : SESSION_MAX_AGE_SECONDS;
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

@Injectable()
export class DashboardSessionMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
    if ((req.method === 'GET' || req.method === 'HEAD') && !req.headers.authorization) {
      const key = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (key) req.headers.authorization = `Bearer ${key}`;
    }
    next();
  }
}

/** A form posted from another site (login CSRF) is refused; browsers say so in Sec-Fetch-Site. */
export function refuseCrossSite(headers: Record<string, string | string[] | undefined>): void {
  if (headers['sec-fetch-site'] === 'cross-site')
    throw new ForbiddenException({ detail: 'the dashboard login accepts forms from its own pages only' });
}

/**
 * Headers of every dashboard page: nothing inline runs but the page's own style (by nonce), no framing,
 * no caching (the page names people and is behind a key), no referrer leaking the query.
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
