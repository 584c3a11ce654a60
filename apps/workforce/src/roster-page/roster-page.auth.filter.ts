import { Catch, ForbiddenException, UnauthorizedException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { htmlResponse, isSameOrigin, readCookie } from '@app/platform';
import { langOf, type Lang } from '../rosters/roster-messages';
import { renderLogin, renderRefusal, ROSTER_PAGE } from './roster-page.render';
import { ROSTER_SESSION_COOKIE, rosterSessionCookie } from './roster-page.session';
import { ROSTER_PAGE_WORDS } from './roster-page.words';

/** The page's language: ?lang= on links, the form's lang field on posts (a multipart form's, once read), else the browser's. */
export function pageLang(req: FastifyRequest & { formLang?: Lang }): Lang {
  const asked = (req.query as { lang?: string } | undefined)?.lang ?? (req.body as { lang?: string } | undefined)?.lang ?? req.formLang;
  if (asked === 'vi' || asked === 'en') return asked;
  return langOf(req.headers['accept-language']);
}

/**
 * On the roster page the guard's 401 and 403 are answered for a person: the login form (a key that no
 * longer works is also forgotten), why this key may not act for this enterprise (the scope's own bilingual
 * message), or, for a form another site posted with the cookie, that it was refused and changed nothing.
 */
@Catch(UnauthorizedException, ForbiddenException)
export class RosterPageAuthFilter implements ExceptionFilter {
  catch(err: UnauthorizedException | ForbiddenException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const lang = pageLang(req);
    const w = ROSTER_PAGE_WORDS[lang];
    const nonce = htmlResponse(reply, lang);
    const hasCookie = readCookie(req.headers.cookie, ROSTER_SESSION_COOKIE) !== null;
    // A form from elsewhere: the middleware left the cookie unused (so no key came with it), or login/logout refused it.
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    if (write && !isSameOrigin(req) && !req.headers.authorization) {
      void reply.status(403).send(renderRefusal(lang, nonce, w.crossSite));
      return;
    }
    if (err instanceof ForbiddenException) {
      const body = err.getResponse() as { detail?: string; errors?: Array<{ field?: string }> };
      const scoped = body.errors?.[0]?.field === 'orgUnitCode' && typeof body.detail === 'string';
      void reply.status(403).send(renderRefusal(lang, nonce, scoped ? body.detail! : w.forbidden));
      return;
    }
    if (hasCookie) void reply.header('set-cookie', rosterSessionCookie(null, req.protocol === 'https'));
    const path = (req.method === 'GET' ? req.url : ROSTER_PAGE).split('?')[0];
    void reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send(renderLogin(lang, nonce, { path, message: req.headers.authorization ? w.badKey : undefined }));
  }
}
