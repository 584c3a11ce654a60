import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { treeOfCohort } from '@app/contracts';
import { CurrentPrincipal, Roles, ScopeService, type Principal } from '@app/platform';
import { FigureQueryDto } from './dto/figure-query.dto';
import type { Figure } from '@app/domain';

/** Read-only, for debugging: the compliance service is where people read figures. */
@ApiTags('figures')
@Controller('v1/figures')
export class FiguresController {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ScopeService,
  ) {}

  @Get()
  @Roles('analyst')
  @ApiOperation({ summary: 'A unit’s figure for a cohort as of a day (the latest published on or before it)' })
  async figure(@Query() q: FigureQueryDto, @CurrentPrincipal() principal: Principal) {
    await this.scope.assertCanRead(principal, q.unit);
    // What consumers hold on the day: the latest figure published on or before it.
    const rows: Array<{ payload: Figure }> = await this.ds.query(
      `SELECT payload FROM rates_published_figures WHERE org_unit_code = $1 AND cohort = $2 AND tree = $3 AND ($4::date IS NULL OR date <= $4::date)
       ORDER BY date DESC LIMIT 1`,
      [q.unit, q.cohort, treeOfCohort(q.cohort), q.date ?? null],
    );
    if (!rows[0]) {
      throw new NotFoundException({
        detail: `no figure for ${q.unit} ${q.cohort}${q.date ? ` as of ${q.date}` : ''}: no unit of its subtree has reported it`,
      });
    }
    const f = rows[0].payload;
    // A figure holds until the next one published; the answer is dated the day asked for.
    return { ...f, date: q.date ?? f.date, computedFor: f.date };
  }
}
