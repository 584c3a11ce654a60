import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { cookieAsBearer, isSameOrigin, sessionCookie } from '@app/platform';

/** The roster page keeps the key typed in once in this HttpOnly cookie (libs/platform, browser-session). */
export const ROSTER_SESSION_COOKIE = 'bz_workforce_key';

export const rosterSessionCookie = (key: string | null, secure: boolean): string => sessionCookie(ROSTER_SESSION_COOKIE, key, secure);

/** The origin facts of a raw request (a Nest middleware sees the Node request, before Fastify's own view). */
export function rawOrigin(req: IncomingMessage): { headers: IncomingMessage['headers']; protocol: string; host: string } {
  return { headers: req.headers, protocol: (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http', host: req.headers.host ?? '' };
}

/**
 * Unlike the dashboard's, this page changes data (uploads, confirmations), so the cookie stands for the key
 * on a read (GET) and on a write only when the request comes from this service's own pages (Sec-Fetch-Site
 * same-origin, or Origin this service's). A form another site posts, even from a sibling port of the same
 * host (whose requests carry a Lax cookie), is not authorised by it: the guard answers 401 and the page's
 * filter says why (roster-page.auth.filter.ts).
 */
@Injectable()
export class RosterPageSessionMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read || isSameOrigin(rawOrigin(req))) cookieAsBearer(req.headers, ROSTER_SESSION_COOKIE);
    next();
  }
}
