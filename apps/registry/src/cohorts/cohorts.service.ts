import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { COHORTS_BY_UNIT_TYPE, CohortSetV1, type Cohort, type UnitType } from '@app/contracts';
import { denominatorDateErrors } from '@app/domain';
import { CampaignCalendar, EventOutbox, ProblemException } from '@app/platform';

export interface CohortDenominator {
  orgUnitCode: string;
  cohort: Cohort;
  headcount: number;
  asOf: string;
}

@Injectable()
export class CohortsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly calendar: CampaignCalendar,
  ) {}

  async set(d: CohortDenominator): Promise<CohortDenominator & { changed: boolean }> {
    return this.ds.transaction((m) => this.setIn(m, d));
  }

  /**
   * Versioned by asOf: each date keeps its own headcount, and consumers take the latest asOf. Setting
   * the same headcount for the same date again changes and publishes nothing. The date is on the campaign
   * calendar: not in the future, and not more than a census (ten years) before the campaign start.
   */
  async setIn(m: EntityManager, d: CohortDenominator): Promise<CohortDenominator & { changed: boolean }> {
    const [unit]: Array<{ type: UnitType; active: boolean }> = await m.query(`SELECT type, active FROM org_units WHERE code = $1`, [
      d.orgUnitCode,
    ]);
    if (!unit) throw new NotFoundException({ detail: `unknown org unit ${d.orgUnitCode}` });
    if (!unit.active)
      throw new ProblemException(422, `org unit ${d.orgUnitCode} is retired`, [{ field: 'code', message: `${d.orgUnitCode} is retired` }]);
    const errors = denominatorDateErrors('asOf', d.asOf, await this.calendar.window(m));
    if (!COHORTS_BY_UNIT_TYPE[unit.type].includes(d.cohort)) {
      const message = `a ${unit.type} has no ${d.cohort} cohort (it may have: ${COHORTS_BY_UNIT_TYPE[unit.type].join(', ')})`;
      errors.unshift({ field: 'cohort', message });
    }
    if (errors.length) throw new ProblemException(422, errors.map((e) => e.message).join('; '), errors);
    const rows: unknown[] = await m.query(
      `INSERT INTO cohort_denominators (org_unit_code, cohort, as_of, headcount) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET headcount = EXCLUDED.headcount, updated_at = now()
       WHERE cohort_denominators.headcount <> EXCLUDED.headcount
       RETURNING 1`,
      [d.orgUnitCode, d.cohort, d.asOf, d.headcount],
    );
    const changed = rows.length > 0;
    if (changed)
      await this.outbox.record(m, CohortSetV1, d.orgUnitCode, {
        orgUnitCode: d.orgUnitCode,
        cohort: d.cohort,
        headcount: d.headcount,
        asOf: d.asOf,
      });
    return { ...d, changed };
  }

  async list(orgUnitCode: string): Promise<CohortDenominator[]> {
    const exists: unknown[] = await this.ds.query(`SELECT 1 FROM org_units WHERE code = $1`, [orgUnitCode]);
    if (exists.length === 0) throw new NotFoundException({ detail: `unknown org unit ${orgUnitCode}` });
    return this.ds.query(
      `SELECT org_unit_code AS "orgUnitCode", cohort, headcount, as_of::text AS "asOf" FROM cohort_denominators WHERE org_unit_code = $1 ORDER BY cohort, as_of DESC`,
      [orgUnitCode],
    );
  }
}
