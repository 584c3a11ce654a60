import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CohortSetV1,
  QUALITY_RULES,
  ReportAcceptedV1,
  RosterImportedV1,
  type CohortSetV1Data,
  type EventEnvelope,
  type ReportAcceptedV1Data,
  type RosterImportedV1Data,
} from '@app/contracts';
import { reportOfAccepted } from '@app/domain';
import { EventConsumerGroup, OnEvent, OnEventBatch } from '@app/messaging';
import { EventOutbox } from '@app/platform';
import { evaluateReport, rosterMismatch, type QualityReport } from './quality.rules';
import { QUALITY_SETTINGS, type QualitySettings } from './quality.settings';
import {
  BatchQualityInputs,
  existingViolations,
  lockUnit,
  lockUnits,
  recordDenominator,
  recordReports,
  recordRoster,
  reportKey,
  reportsUnderRoster,
  ViolationWrites,
} from './quality.store';

/** The lanes the rules read: denominators (registry), reports (intake), rosters (workforce). */
export const QUALITY_LANES = ['registry', 'intake', 'workforce'] as const;

/**
 * Evaluates the data-quality rules as reports arrive (one durable consumer per producer,
 * `compliance-quality-<producer>`), stores what they find and publishes it, in the event's transaction.
 * A report is judged against what has arrived before it; a later revision of the same day judges again
 * (and clears what it fixed). A roster judges the enterprise's reports it is the roster of.
 */
@Injectable()
@EventConsumerGroup({ purpose: 'quality', filters: QUALITY_LANES, batchSize: 1000 })
export class QualityHandlers {
  constructor(
    private readonly outbox: EventOutbox,
    @Inject(QUALITY_SETTINGS) private readonly settings: QualitySettings,
  ) {}

  @OnEvent(CohortSetV1)
  async cohortSet(e: EventEnvelope<string, CohortSetV1Data>, m: EntityManager): Promise<void> {
    await recordDenominator(m, e.data.orgUnitCode, e.data.cohort, e.data.asOf, e.data.headcount);
  }

  /**
   * A batch of reports in a constant number of statements: the latest revision of each report kept, then the
   * rules' inputs and the stored violations read for all of them at once; what the rules find written at once.
   * A report is judged against every report stored before it, those of the same batch included.
   */
  @OnEventBatch([ReportAcceptedV1])
  async reportsAccepted(events: EventEnvelope[], m: EntityManager): Promise<void> {
    const reports: QualityReport[] = (events as Array<EventEnvelope<string, ReportAcceptedV1Data>>).map((e) => reportOfAccepted(e.data));
    await lockUnits(
      m,
      reports.filter((r) => r.cohort === 'enterprise_workers').map((r) => r.unitCode),
    );
    const kept = await recordReports(m, reports); // an older revision arriving late judges nothing
    if (kept.length === 0) return;
    const inputs = await BatchQualityInputs.load(m, kept);
    const stored = await existingViolations(m, kept, QUALITY_RULES);
    const writes = new ViolationWrites(this.outbox);
    // Judged side by side (what they read is the same whatever the order: the whole batch is stored), so that their
    // questions for siblings go out together; planned in the batch's order.
    const findings = await Promise.all(kept.map((r) => evaluateReport(r, inputs, this.settings)));
    kept.forEach((r, i) => writes.plan(r, findings[i], QUALITY_RULES, stored.get(reportKey(r))!));
    await writes.write(m);
  }

  @OnEvent(RosterImportedV1)
  async rosterImported(e: EventEnvelope<string, RosterImportedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await lockUnit(m, d.enterpriseCode);
    if (!(await recordRoster(m, d.enterpriseCode, d.asOf, d.revision, d))) return;
    const reports = await reportsUnderRoster(m, d.enterpriseCode, d.asOf);
    const stored = await existingViolations(m, reports, ['roster_mismatch']);
    const writes = new ViolationWrites(this.outbox);
    for (const r of reports) {
      const f = rosterMismatch(r, d, this.settings);
      writes.plan(r, f ? [f] : [], ['roster_mismatch'], stored.get(reportKey(r))!);
    }
    await writes.write(m);
  }
}
