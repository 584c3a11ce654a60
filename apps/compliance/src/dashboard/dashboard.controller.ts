import { Body, Controller, Get, HttpCode, Post, Query, Redirect, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public, Roles, type Principal } from '@app/platform';
import { htmlResponse, markFreshness } from '../common/respond';
import { query, renderDashboard } from './dashboard.render';
import { DashboardService } from './dashboard.service';
import { DashboardAuthFilter } from './dashboard-auth.filter';
import { refuseCrossSite, sessionCookie } from './dashboard-session';
import { DashboardLoginDto, DashboardLogoutDto, DashboardQueryDto } from './dto/dashboard-query.dto';

/** Where login and logout send the browser back to: the dashboard, for the same day and language. */
const back = (q: DashboardQueryDto) => ({ url: `/${query({ date: q.date, lang: q.lang })}`, statusCode: 303 });

/** The page the DIC and the chairman's office open every morning: one day of the read model, server-rendered. */
@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get(['/', 'dashboard'])
  @Roles('analyst')
  @UseFilters(DashboardAuthFilter)
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      'The dashboard (HTML, Vietnamese; ?lang=en for English; ?date= defaults to the latest day with data). A browser logs in once through the form it is shown (HttpOnly cookie); programs send the Bearer key.',
  })
  async page(
    @Query() q: DashboardQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const lang = q.lang ?? 'vi';
    const view = await this.dashboard.build(q.date, p);
    markFreshness(reply, view.asOfEvent);
    return renderDashboard(view, lang, htmlResponse(reply, lang));
  }

  @Post('dashboard/login')
  @Public()
  @HttpCode(303)
  @Redirect()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Keeps the key in an HttpOnly cookie and goes back to the dashboard (which checks the key)' })
  login(@Body() body: DashboardLoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    refuseCrossSite(req);
    // Not checked here: the dashboard's guard checks it on the very next request and shows the form again if it is wrong.
    void reply.header('set-cookie', sessionCookie(body.key, req.protocol === 'https'));
    return back(body);
  }

  @Post('dashboard/logout')
  @Public()
  @HttpCode(303)
  @Redirect()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Forgets the key kept in the cookie' })
  logout(@Body() body: DashboardLogoutDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    refuseCrossSite(req);
    void reply.header('set-cookie', sessionCookie(null, req.protocol === 'https'));
    return back(body);
  }
}
