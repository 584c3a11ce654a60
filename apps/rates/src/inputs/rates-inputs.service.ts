import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { COHORTS, type CohortSetV1Data, type OrgUnitRetiredV1Data, type OrgUnitUpsertedV1Data, type TargetSetV2Data } from '@app/contracts';
import {
  ALWAYS_RETIRED,
  applyCampaignEvent,
  emptyCampaignState,
  unitChangeFrom,
  unitNodeOf,
  type CampaignInputEvent,
  type ReportInput,
} from '@app/domain';
import { MARK_CHANGED, MARK_REPORTS_CHANGED, markDirty, markTargetDirty } from '../common/dirty-marks';
import { type UnitRow, unitRecordOf } from './unit-row';

/** Where a report comes from: a unit's report through intake, or an enterprise's roster through workforce. */
export type ReportSource = 'intake' | 'workforce';

/**
 * Records each input as the latest per natural key (the same rules as the domain's evolve function,
 * in SQL), and marks what it changed. Nothing is computed here: the flusher does that once per window.
 */
@Injectable()
export class RatesInputsService {
  async recordUnit(m: EntityManager, e: CampaignInputEvent & { kind: 'unit' | 'retired' }): Promise<void> {
    await m.query(`INSERT INTO rates_units (code) VALUES ($1) ON CONFLICT DO NOTHING`, [e.code]);
    const [row]: UnitRow[] = await m.query(
      `SELECT code, type, admin_parent_code, accountable_to_code, level, active, upsert_revision, retired_on::text AS retired_on, retire_revision
       FROM rates_units WHERE code = $1 FOR UPDATE`,
      [e.code],
    );
    const before = unitRecordOf(row);
    const state = applyCampaignEvent({ ...emptyCampaignState(), units: new Map([[e.code, before]]) }, e);
    const after = state.units.get(e.code)!;
    if (after === before) return;
    await m.query(
      `UPDATE rates_units SET type = $2, admin_parent_code = $3, accountable_to_code = $4, level = $5, active = $6, upsert_revision = $7,
         retired_on = $8, retire_revision = $9 WHERE code = $1`,
      [
        e.code,
        after.upsert?.type ?? null,
        after.upsert?.adminParentCode ?? null,
        after.upsert?.accountableToCode ?? null,
        after.upsert?.level ?? null,
        after.upsert?.active ?? null,
        after.upsert?.revision ?? null,
        after.retirement?.retiredOn ?? null,
        after.retirement?.revision ?? null,
      ],
    );
    const [oldNode, newNode] = [unitNodeOf(before), unitNodeOf(after)];
    const from = unitChangeFrom(oldNode, newNode);
    if (from === null) return;
    // The unit and, when it moved, its former parents: the flusher walks up from each on the current trees.
    const codes = new Set([e.code]);
    for (const p of [oldNode?.adminParentCode, oldNode?.accountableToCode]) if (p) codes.add(p);
    await markDirty(
      m,
      [...codes].flatMap((unitCode) =>
        COHORTS.map((cohort) => ({ unitCode, cohort, from: from === ALWAYS_RETIRED ? '0001-01-01' : from })),
      ),
    );
  }

  upserted(d: OrgUnitUpsertedV1Data): CampaignInputEvent & { kind: 'unit' } {
    return {
      kind: 'unit',
      code: d.code,
      type: d.type,
      adminParentCode: d.adminParentCode ?? null,
      accountableToCode: d.accountableToCode ?? null,
      level: d.level ?? null,
      active: d.active,
      revision: d.revision,
    };
  }

  retired(d: OrgUnitRetiredV1Data): CampaignInputEvent & { kind: 'retired' } {
    return { kind: 'retired', code: d.code, retiredOn: d.retiredOn, revision: d.revision };
  }

  /** One report: `recordReports` with one. */
  async recordReport(m: EntityManager, r: ReportInput, source: ReportSource): Promise<void> {
    await this.recordReports(m, [{ report: r, source }]);
  }

  /**
   * One report per (unit, cohort, asOf): the version the day's sums take, the highest revision (of two tied on it,
   * a redelivery or two reports with the same revision, the greatest report id and counts). A version that does not
   * beat the stored one changes nothing and marks nothing, so the result does not depend on the order or the
   * batching of arrival. A batch's rows and their dirty marks are written in one statement.
   */
  async recordReports(m: EntityManager, items: ReadonlyArray<{ report: ReportInput; source: ReportSource }>): Promise<void> {
    if (items.length === 0) return;
    const col = <T>(f: (r: ReportInput, source: ReportSource) => T) => items.map((i) => f(i.report, i.source));
    await m.query(
      `WITH given AS (
         SELECT DISTINCT ON (org_unit_code, cohort, as_of) *
           FROM unnest($1::text[], $2::text[], $3::date[], $4::int[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::int[])
                AS g(org_unit_code, cohort, as_of, revision, report_id, source, headcount, smartphone_holders, installed, bluetooth_on)
          ORDER BY org_unit_code, cohort, as_of, (revision, report_id, headcount, smartphone_holders, installed, bluetooth_on) DESC
       ), changed AS (
         INSERT INTO rates_reports (org_unit_code, cohort, as_of, revision, report_id, source, headcount, smartphone_holders, installed, bluetooth_on)
         SELECT * FROM given
         ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET revision = EXCLUDED.revision, report_id = EXCLUDED.report_id, source = EXCLUDED.source,
           headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on
         WHERE (rates_reports.revision, rates_reports.report_id, rates_reports.headcount, rates_reports.smartphone_holders, rates_reports.installed,
                rates_reports.bluetooth_on)
             < (EXCLUDED.revision, EXCLUDED.report_id, EXCLUDED.headcount, EXCLUDED.smartphone_holders, EXCLUDED.installed, EXCLUDED.bluetooth_on)
         RETURNING org_unit_code, cohort, as_of
       )
       ${MARK_REPORTS_CHANGED}`,
      [
        col((r) => r.unitCode),
        col((r) => r.cohort),
        col((r) => r.asOf),
        col((r) => r.revision),
        col((r) => r.reportId),
        col((_, source) => source),
        col((r) => r.headcount),
        col((r) => r.smartphoneHolders),
        col((r) => r.installed),
        col((r) => r.bluetoothOn),
      ],
    );
  }

  /** A denominator per (unit, cohort, asOf); of two for one key the later event id wins (UUIDv7 ids are time-ordered). Row and mark in one statement. */
  async recordDenominator(m: EntityManager, d: CohortSetV1Data, eventId: string): Promise<void> {
    await m.query(
      `WITH changed AS (
         INSERT INTO rates_denominators (org_unit_code, cohort, as_of, headcount, event_id) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET headcount = EXCLUDED.headcount, event_id = EXCLUDED.event_id
         WHERE (rates_denominators.event_id, rates_denominators.headcount) < (EXCLUDED.event_id, EXCLUDED.headcount)
         RETURNING org_unit_code, cohort, as_of
       )
       ${MARK_CHANGED}`,
      [d.orgUnitCode, d.cohort, d.asOf, d.headcount, eventId],
    );
  }

  /** The highest revision of a target; a changed target re-evaluates every unit against it. */
  async recordTarget(m: EntityManager, d: TargetSetV2Data): Promise<void> {
    const definition = JSON.stringify({ ...d, campaignStart: d.campaignStart ?? null });
    const rows: unknown[] = await m.query(
      `INSERT INTO rates_targets (target_id, revision, definition) VALUES ($1,$2,$3::jsonb)
       ON CONFLICT (target_id) DO UPDATE SET revision = EXCLUDED.revision, definition = EXCLUDED.definition
       WHERE (rates_targets.revision, rates_targets.definition::text) < (EXCLUDED.revision, EXCLUDED.definition::text)
       RETURNING 1`,
      [d.targetId, d.revision, definition],
    );
    if (rows.length) await markTargetDirty(m, d.targetId);
  }
}
