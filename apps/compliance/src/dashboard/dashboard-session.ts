import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenException, Injectable, type NestMiddleware } from '@nestjs/common';

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

/**
 * Login CSRF: only a form posted from this service's own pages signs in or out. A browser says where
 * a form comes from in Sec-Fetch-Site; only `same-origin` passes (`same-site` is a sibling host, which
 * may be anyone's). A browser too old to send it sends Origin on a POST, which must then be this
 * service's own origin. Anything else (no header at all, Origin null, another origin) is refused.
 */
export function refuseCrossSite(req: { headers: Record<string, string | string[] | undefined>; protocol: string; host: string }): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const sameOrigin = site === undefined ? typeof origin === 'string' && origin === `${req.protocol}://${req.host}` : site === 'same-origin';
  if (!sameOrigin) throw new ForbiddenException({ detail: 'the dashboard login accepts forms from its own pages only' });
}
