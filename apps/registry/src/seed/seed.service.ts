import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { DataSource, type EntityManager } from 'typeorm';
import { isCalendarDate } from '@app/contracts';
import { CohortsService } from '../cohorts/cohorts.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { parseUnitsCsv } from '../org-units/org-units-csv';
import type { UnitDraft } from '../org-units/org-unit.rules';
import { TargetsService } from '../targets/targets.service';
import { EZ_BOARD_CODE, PLACEHOLDER_HEAD, PROVINCE_CODE, TRA_VINH_ORGANISATIONS, TRA_VINH_TARGETS, zoneCode } from './tra-vinh.deployment';

export interface SeedSummary {
  unitsCreated: number;
  unitsKept: number;
  cohortsSet: number;
  targetsCreated: number;
}

/** Everything the seed would write, read from the reference files (pure apart from reading them). */
export function traVinhDeployment(dataDir: string): {
  units: UnitDraft[];
  population: { orgUnitCode: string; headcount: number; asOf: string };
} {
  const parsed = parseUnitsCsv(readFileSync(join(dataDir, 'tra-vinh-units.csv'), 'utf8'));
  if (!parsed.ok)
    throw new Error(
      `data/tra-vinh-units.csv is not valid: ${parsed.fatal ?? parsed.errors.map((e) => `line ${e.line}: ${e.reason}`).join('; ')}`,
    );

  const organisations: UnitDraft[] = TRA_VINH_ORGANISATIONS.map((o) => ({
    code: o.code,
    name: o.name,
    type: o.type,
    bloc: o.bloc,
    adminParentCode: null,
    accountableToCode: PROVINCE_CODE,
    head: PLACEHOLDER_HEAD,
  }));

  const zoneRows = parse(readFileSync(join(dataDir, 'tra-vinh-zones.csv'), 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  }) as Array<{ name: string; kind: string }>;
  const zones: UnitDraft[] = zoneRows.map((z) => {
    if (z.kind !== 'economic_zone' && z.kind !== 'industrial_park')
      throw new Error(`data/tra-vinh-zones.csv: unknown kind ${z.kind} for ${z.name}`);
    return {
      code: zoneCode(z.kind, z.name),
      name: z.name.normalize('NFC'),
      type: z.kind,
      bloc: null,
      adminParentCode: null,
      accountableToCode: EZ_BOARD_CODE,
      head: null,
    };
  });

  const popRows = parse(readFileSync(join(dataDir, 'tra-vinh-population-2019.csv'), 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    trim: true,
  }) as Array<{
    code: string;
    population_total: string;
    reference_date: string;
  }>;
  const province = popRows.find((r) => r.code === PROVINCE_CODE);
  if (!province || !/^\d+$/.test(province.population_total) || !isCalendarDate(province.reference_date)) {
    throw new Error(`data/tra-vinh-population-2019.csv has no valid row for province ${PROVINCE_CODE}`);
  }
  return {
    units: [...parsed.rows.map((r) => r.draft), ...organisations, ...zones],
    population: { orgUnitCode: PROVINCE_CODE, headcount: Number(province.population_total), asOf: province.reference_date },
  };
}

/**
 * Loads the Trà Vinh deployment in one transaction. It fills what is missing and never overwrites:
 * running it again (at every boot, say) changes and publishes nothing, and edits made since through
 * the API (a head's name, a moved unit, a retuned target) are kept.
 */
@Injectable()
export class SeedService {
  constructor(
    private readonly ds: DataSource,
    private readonly units: OrgUnitsService,
    private readonly cohorts: CohortsService,
    private readonly targets: TargetsService,
  ) {}

  async seedTraVinh(dataDir: string): Promise<SeedSummary> {
    const deployment = traVinhDeployment(dataDir);
    return this.ds.transaction(async (m: EntityManager) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('registry.seed'))`);
      const held = new Set(((await m.query(`SELECT code FROM org_units`)) as Array<{ code: string }>).map((r) => r.code));
      const missing = deployment.units.filter((u) => !held.has(u.code));
      if (missing.length > 0) {
        await this.units.applyDrafts(m, missing, (issues) => {
          throw new Error(
            `the Trà Vinh seed does not fit the units already held: ${issues.map((i) => `${missing[i.index].code}: ${i.message}`).join('; ')}`,
          );
        });
      }
      let cohortsSet = 0;
      const pop = deployment.population;
      const hasPop: unknown[] = await m.query(
        `SELECT 1 FROM cohort_denominators WHERE org_unit_code = $1 AND cohort = 'residents' AND as_of = $2`,
        [pop.orgUnitCode, pop.asOf],
      );
      if (hasPop.length === 0) {
        await this.cohorts.setIn(m, { orgUnitCode: pop.orgUnitCode, cohort: 'residents', headcount: pop.headcount, asOf: pop.asOf });
        cohortsSet += 1;
      }
      let targetsCreated = 0;
      for (const t of TRA_VINH_TARGETS) {
        const exists: unknown[] = await m.query(`SELECT 1 FROM targets WHERE id = $1`, [t.targetId]);
        if (exists.length === 0) {
          await this.targets.setIn(m, t);
          targetsCreated += 1;
        }
      }
      return { unitsCreated: missing.length, unitsKept: deployment.units.length - missing.length, cohortsSet, targetsCreated };
    });
  }
}
