import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignCalendar, ProblemException, type Principal } from '@app/platform';
import { SupportScopeService } from '../common/support-scope.service';
import { OPEN_ON_SQL } from '../points/support-point.store';
import { adminSubtreeSql, ReplicaUnitsService } from '../units/replica-units.service';
import type { CoverageQuery } from './dto/coverage.query';

export interface Coverage {
  date: string;
  /** The unit whose communes were counted; null for the whole registry. */
  district: string | null;
  communes: number;
  communesWithPoint: number;
  communesWithoutPoint: string[];
}

/**
 * Which communes have at least one support point open on a day. The communes are the registry
 * replica's active units of type commune, so a commune with no point at all is counted, not missed.
 */
@Injectable()
export class CoverageService {
  constructor(
    private readonly ds: DataSource,
    private readonly units: ReplicaUnitsService,
    private readonly scope: SupportScopeService,
    private readonly calendar: CampaignCalendar,
  ) {}

  async coverage(principal: Principal, q: CoverageQuery): Promise<Coverage> {
    const date = q.date ?? this.calendar.today();
    let root = q.district ?? null;
    if (root !== null) {
      if (!(await this.units.find(root))) throw new ProblemException(404, `unknown unit ${root}`, [{ field: 'district', message: `district ${root} is not a registered unit` }]);
      await this.scope.assertCanReadUnit(principal, root, 'district');
    } else {
      // A portal key with no district asked sees its own area.
      root = this.scope.readRoot(principal);
    }
    const params: unknown[] = [date];
    let under = '';
    if (root !== null) {
      params.push(root);
      under = `AND c.code IN (${adminSubtreeSql('$2')})`;
    }
    const rows: Array<{ code: string; covered: boolean }> = await this.ds.query(
      `SELECT c.code, EXISTS (SELECT 1 FROM support_points p WHERE p.commune_code = c.code AND ${OPEN_ON_SQL('p', '$1')}) AS covered
       FROM replica_org_units c WHERE c.type = 'commune' AND c.active ${under} ORDER BY c.code`,
      params,
    );
    const without = rows.filter((r) => !r.covered).map((r) => r.code);
    return { date, district: root, communes: rows.length, communesWithPoint: rows.length - without.length, communesWithoutPoint: without };
  }
}
