import { randomBytes } from 'node:crypto';
import { ForbiddenException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * The pages officials open in a browser (the compliance dashboard, the workforce roster page). A browser
 * cannot send `Authorization: Bearer` when it navigates, so such a page keeps the key the user typed in once
 * in an HttpOnly cookie and turns it back into that header before the platform's guard runs. The guard stays
 * the only place a key is checked (401, 403, roles, revocation). Each service names its own cookie and says
 * which requests may carry it: reads always, writes only from the service's own pages (`isSameOrigin`).
 */

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

/**
 * The Set-Cookie that keeps `key` (null: forgets it). Lax, not Strict: a link to the page from a mail opens
 * it logged in; a cross-site POST still carries a Lax cookie from a sibling host (another port of the same
 * host is "same-site"), which is why writes check `isSameOrigin` themselves.
 */
export function sessionCookie(name: string, key: string | null, secure: boolean): string {
  const value = key === null ? '' : encodeURIComponent(key);
  const maxAge = key === null ? 0 : SESSION_MAX_AGE_SECONDS;
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** What a request says of where it comes from, and which origin it was sent to. */
export interface RequestOrigin {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly protocol: string;
  readonly host: string;
}

/**
 * Whether a request comes from this service's own pages. A browser says where a request comes from in
 * Sec-Fetch-Site; only `same-origin` passes (`same-site` is a sibling host or port, which may be anyone's).
 * A browser too old to send it sends Origin on a POST, which must then be this service's own origin.
 * Anything else (no header at all, Origin null, another origin) is not.
 */
export function isSameOrigin(req: RequestOrigin): boolean {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  return site === undefined ? typeof origin === 'string' && origin === `${req.protocol}://${req.host}` : site === 'same-origin';
}

/** Login CSRF and cookie-authorised writes: only a form posted from this service's own pages passes. */
export function refuseCrossSite(req: RequestOrigin, detail = 'this form is accepted from this service’s own pages only'): void {
  if (!isSameOrigin(req)) throw new ForbiddenException({ detail });
}

/** The key kept in `cookie`, as the Bearer header the guard reads, unless the request brings its own. */
export function cookieAsBearer(headers: { cookie?: string; authorization?: string }, cookie: string): void {
  if (headers.authorization) return;
  const key = readCookie(headers.cookie, cookie);
  if (key) headers.authorization = `Bearer ${key}`;
}

/**
 * Headers of an HTML page for a person: nothing inline runs but the page's own style (by nonce; this
 * replaces the platform's default policy), scripts only from this origin when the page has some, no
 * framing, no caching (the pages name people and are behind a key), no referrer leaking the query.
 * Returns the nonce for the page's <style>.
 */
export function htmlResponse(reply: FastifyReply, lang: string, opts: { scripts?: boolean } = {}): string {
  const nonce = randomBytes(16).toString('base64');
  void reply.header('content-type', 'text/html; charset=utf-8');
  void reply.header('content-language', lang);
  void reply.header('cache-control', 'no-store');
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  const policy = [
    "default-src 'none'",
    ...(opts.scripts ? ["script-src 'self'"] : []),
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    ...(opts.scripts ? ["connect-src 'none'"] : []),
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ];
  void reply.header('content-security-policy', policy.join('; '));
  return nonce;
}

/** Escapes text for HTML content and double- or single-quoted attributes: every value a page shows goes through it. */
export function escapeHtml(s: string | number | null | undefined): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The frame of a page officials read (the compliance dashboard, the workforce roster page): the nonce lets the
 * inline style through a Content-Security-Policy that forbids everything else inline; scripts are the page's own.
 */
export function htmlPage(p: {
  lang: string;
  title: string;
  nonce: string;
  css: string;
  scripts?: readonly string[];
  audience: string;
  tools: string;
  body: string;
}): string {
  const scripts = (p.scripts ?? []).map((src) => `<script src="${src}" defer></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(p.title)}</title>
<style nonce="${escapeHtml(p.nonce)}">${p.css}</style>
${scripts}</head>
<body>
<header><div><h1>${escapeHtml(p.title)}</h1><p>${escapeHtml(p.audience)}</p></div><div class="tools">${p.tools}</div></header>
<main>
${p.body}
</main>
</body>
</html>
`;
}
