import type { EntityManager } from 'typeorm';
import { uuidv7 } from 'uuidv7';
import {
  QualityFollowUpChangedV1,
  QualityViolationRaisedV1,
  treeOfCohort,
  type Cohort,
  type FollowUpStatus,
  type QualityRule,
} from '@app/contracts';
import type { AdoptionCounts } from '@app/domain';
import type { EventOutbox } from '@app/platform';
import type { Finding, QualityInputs, QualityReport } from './quality.rules';

const REPORT_COLUMNS = `unit_code AS "unitCode", cohort, as_of::text AS "asOf", revision, report_id AS "reportId",
  headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn"`;

/** The rules' inputs, read from compliance's own quality tables and its registry replica (siblings). */
export class SqlQualityInputs implements QualityInputs {
  constructor(private readonly m: EntityManager) {}

  history(unitCode: string, cohort: Cohort, before: string, limit: number): Promise<QualityReport[]> {
    return this.m.query(
      `SELECT ${REPORT_COLUMNS} FROM quality_reports WHERE unit_code = $1 AND cohort = $2 AND as_of < $3 ORDER BY as_of DESC LIMIT $4`,
      [unitCode, cohort, before, limit],
    );
  }

  siblingReports(unitCode: string, cohort: Cohort, from: string, to: string): Promise<QualityReport[]> {
    const parent = treeOfCohort(cohort) === 'administrative' ? 'admin_parent_code' : 'accountable_to_code';
    return this.m.query(
      `SELECT ${REPORT_COLUMNS} FROM quality_reports
        WHERE cohort = $2 AND as_of BETWEEN $3 AND $4 AND unit_code <> $1
          AND unit_code IN (SELECT s.code FROM replica_org_units s JOIN replica_org_units me ON me.code = $1
                             WHERE s.${parent} = me.${parent} AND s.active)
        ORDER BY unit_code, as_of`,
      [unitCode, cohort, from, to],
    );
  }

  async denominator(unitCode: string, cohort: Cohort, asOf: string): Promise<number | null> {
    const rows: Array<{ headcount: number }> = await this.m.query(
      `SELECT headcount FROM quality_denominators WHERE unit_code = $1 AND cohort = $2 AND as_of <= $3 ORDER BY as_of DESC LIMIT 1`,
      [unitCode, cohort, asOf],
    );
    return rows[0]?.headcount ?? null;
  }

  async roster(unitCode: string, asOf: string): Promise<AdoptionCounts | null> {
    const rows: AdoptionCounts[] = await this.m.query(
      `SELECT headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn"
         FROM quality_rosters WHERE unit_code = $1 AND as_of <= $2 ORDER BY as_of DESC LIMIT 1`,
      [unitCode, asOf],
    );
    return rows[0] ?? null;
  }
}

/** Serialises the rules' work on one unit (a report and a roster of the same enterprise arrive on two lanes). */
export async function lockUnit(m: EntityManager, unitCode: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('quality:' || $1))`, [unitCode]);
}

/** Keeps a report if it is the latest revision for its day; false when an equal or later revision is already there. */
export async function recordReport(m: EntityManager, r: QualityReport): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `INSERT INTO quality_reports (unit_code, cohort, as_of, revision, report_id, headcount, smartphone_holders, installed, bluetooth_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (unit_code, cohort, as_of) DO UPDATE SET revision = EXCLUDED.revision, report_id = EXCLUDED.report_id,
       headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
       bluetooth_on = EXCLUDED.bluetooth_on
     WHERE quality_reports.revision < EXCLUDED.revision
     RETURNING 1`,
    [r.unitCode, r.cohort, r.asOf, r.revision, r.reportId, r.headcount, r.smartphoneHolders, r.installed, r.bluetoothOn],
  );
  return rows.length > 0;
}

export async function recordDenominator(
  m: EntityManager,
  unitCode: string,
  cohort: Cohort,
  asOf: string,
  headcount: number,
): Promise<void> {
  await m.query(
    `INSERT INTO quality_denominators (unit_code, cohort, as_of, headcount) VALUES ($1, $2, $3, $4)
     ON CONFLICT (unit_code, cohort, as_of) DO UPDATE SET headcount = EXCLUDED.headcount`,
    [unitCode, cohort, asOf, headcount],
  );
}

/** Keeps a roster's counts if it is the latest revision for its day. */
export async function recordRoster(
  m: EntityManager,
  unitCode: string,
  asOf: string,
  revision: number,
  c: AdoptionCounts,
): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `INSERT INTO quality_rosters (unit_code, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (unit_code, as_of) DO UPDATE SET revision = EXCLUDED.revision, headcount = EXCLUDED.headcount,
       smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on
     WHERE quality_rosters.revision < EXCLUDED.revision
     RETURNING 1`,
    [unitCode, asOf, revision, c.headcount, c.smartphoneHolders, c.installed, c.bluetoothOn],
  );
  return rows.length > 0;
}

/** The enterprise's reports a roster dated `asOf` is the roster of: from its date up to the next roster's. */
export async function reportsUnderRoster(m: EntityManager, unitCode: string, asOf: string): Promise<QualityReport[]> {
  return m.query(
    `SELECT ${REPORT_COLUMNS} FROM quality_reports
      WHERE unit_code = $1 AND cohort = 'enterprise_workers' AND as_of >= $2
        AND as_of < COALESCE((SELECT min(as_of) FROM quality_rosters WHERE unit_code = $1 AND as_of > $2), 'infinity'::date)
      ORDER BY as_of`,
    [unitCode, asOf],
  );
}

interface ExistingViolation {
  id: string;
  rule: QualityRule;
  status: FollowUpStatus;
  comments: number;
}

/**
 * Makes the stored violations of one report (unit, cohort, day) agree with what the rules found, for the rules
 * in `scope`: a new finding is raised (QualityViolationRaisedV1); one that was cleared and holds again is
 * raised again; an open or marked one the rules no longer find (a later revision fixed the figure) is cleared
 * (QualityFollowUpChangedV1). What people did (marked, resolved, comments) is kept while the finding holds.
 */
export async function syncViolations(
  m: EntityManager,
  outbox: EventOutbox,
  r: Pick<QualityReport, 'unitCode' | 'cohort' | 'asOf' | 'reportId'>,
  findings: readonly Finding[],
  scope: readonly QualityRule[],
): Promise<void> {
  const existing: ExistingViolation[] = await m.query(
    `SELECT id, rule, status, comments FROM quality_violations WHERE unit_code = $1 AND cohort = $2 AND as_of = $3 AND rule = ANY($4)`,
    [r.unitCode, r.cohort, r.asOf, scope],
  );
  const now = new Date().toISOString();
  for (const f of findings) {
    if (!scope.includes(f.rule)) continue;
    const old = existing.find((e) => e.rule === f.rule);
    const values = [f.severity, f.value, f.limit, f.reported, f.expected, f.measure, r.reportId];
    let id: string;
    if (old) {
      id = old.id;
      await m.query(
        `UPDATE quality_violations SET severity = $2, value = $3, "limit" = $4, reported = $5, expected = $6, measure = $7, report_id = $8,
           status = CASE WHEN status = 'cleared' THEN 'open' ELSE status END,
           raised_at = CASE WHEN status = 'cleared' THEN now() ELSE raised_at END, updated_at = now()
         WHERE id = $1`,
        [id, ...values],
      );
      if (old.status !== 'cleared') continue;
    } else {
      id = uuidv7();
      await m.query(
        `INSERT INTO quality_violations (id, rule, unit_code, cohort, as_of, severity, value, "limit", reported, expected, measure, report_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [id, f.rule, r.unitCode, r.cohort, r.asOf, ...values],
      );
    }
    await outbox.record(m, QualityViolationRaisedV1, r.unitCode, {
      violationId: id,
      rule: f.rule,
      severity: f.severity,
      orgUnitCode: r.unitCode,
      cohort: r.cohort,
      asOf: r.asOf,
      value: f.value,
      limit: f.limit,
      reportId: r.reportId,
      raisedAt: now,
    });
  }
  for (const old of existing) {
    if (findings.some((f) => f.rule === old.rule) || (old.status !== 'open' && old.status !== 'marked')) continue;
    await m.query(`UPDATE quality_violations SET status = 'cleared', updated_at = now(), updated_by = 'system' WHERE id = $1`, [old.id]);
    await outbox.record(m, QualityFollowUpChangedV1, r.unitCode, {
      violationId: old.id,
      rule: old.rule,
      orgUnitCode: r.unitCode,
      status: 'cleared',
      comments: old.comments,
      changedAt: now,
    });
  }
}
