import { Catch, ForbiddenException, Injectable, UnauthorizedException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isCalendarDate } from '@app/contracts';
import type { Lang } from '@app/domain';
import { renderRefusal, renderLogin } from './dashboard.render';
import { dashboardHtml, mayUploadRosters } from './dashboard-html';
import { readCookie, type Principal } from '@app/platform';
import { ComplianceConfig } from '../compliance.config';
import { SESSION_COOKIE, sessionCookie } from './dashboard-session';
import { DASHBOARD_WORDS } from './dashboard.words';

/**
 * On the dashboard page the guard's 401 and 403 are answered for a person, not a program: the login
 * form (a key that no longer works is also forgotten), or why this key may not see the page.
 */
@Injectable()
@Catch(UnauthorizedException, ForbiddenException)
export class DashboardAuthFilter implements ExceptionFilter {
  constructor(private readonly config: ComplianceConfig) {}

  catch(err: UnauthorizedException | ForbiddenException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest<{ Querystring: Record<string, string | undefined> }> & { principal?: Principal }>();
    const reply = http.getResponse<FastifyReply>();
    const lang: Lang = req.query?.lang === 'en' ? 'en' : 'vi';
    const date = req.query?.date && isCalendarDate(req.query.date) ? req.query.date : undefined;
    const nonce = dashboardHtml(reply, lang);
    if (err instanceof ForbiddenException) {
      // A scoped key may use the dashboard, just not for this unit; any other 403 here is the role.
      const unitPage = (req.url ?? '').startsWith('/dashboard/units/');
      // An EZ board's key has no dashboard: it is sent on to where it works, the roster upload page.
      const rosterPage = mayUploadRosters(req.principal?.role) ? this.config.WORKFORCE_PUBLIC_URL : undefined;
      void reply.status(403).send(renderRefusal(lang, nonce, unitPage ? DASHBOARD_WORDS[lang].forbiddenUnit : undefined, { rosterPage }));
      return;
    }
    const triedKey = Boolean(req.headers.authorization);
    if (readCookie(req.headers.cookie, SESSION_COOKIE) !== null)
      void reply.header('set-cookie', sessionCookie(null, req.protocol === 'https'));
    void reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send(
        renderLogin(lang, nonce, {
          date,
          path: (req.url ?? '/').split('?')[0],
          message: triedKey ? DASHBOARD_WORDS[lang].badKey : undefined,
        }),
      );
  }
}
