import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import {
  cookieAsBearer,
  refuseCrossSite as refuseCrossSiteForm,
  sessionCookie as platformSessionCookie,
  type RequestOrigin,
} from '@app/platform';

/**
 * The dashboard keeps the key the user typed in once in an HttpOnly cookie (libs/platform, browser-session)
 * and honours it on this service's GET requests only: the cookie only ever reaches read-only routes, so it
 * can change nothing.
 */
export const SESSION_COOKIE = 'bz_compliance_key';

export const sessionCookie = (key: string | null, secure: boolean): string => platformSessionCookie(SESSION_COOKIE, key, secure);

@Injectable()
export class DashboardSessionMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
    if (req.method === 'GET' || req.method === 'HEAD') cookieAsBearer(req.headers, SESSION_COOKIE);
    next();
  }
}

/** Login CSRF: only a form posted from the dashboard's own pages signs in or out. */
export function refuseCrossSite(req: RequestOrigin): void {
  refuseCrossSiteForm(req, 'the dashboard login accepts forms from its own pages only');
}
