import type { FastifyInstance } from 'fastify';
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

/**
 * On every GET (and HEAD) of this service, not only the page: its links to the daily report and the CSV
 * exports must work in the same browser. A Fastify hook, not a Nest middleware: Nest runs middleware
 * through @fastify/middie, which cost a read route ~5% of its CPU in the bench profile for these two lines.
 */
export function registerDashboardSession(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD') cookieAsBearer(req.headers, SESSION_COOKIE);
    done();
  });
}

/** Login CSRF: only a form posted from the dashboard's own pages signs in or out. */
export function refuseCrossSite(req: RequestOrigin): void {
  refuseCrossSiteForm(req, 'the dashboard login accepts forms from its own pages only');
}
