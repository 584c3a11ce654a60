import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CohortSetV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV1,
  ReportAcceptedV1,
  RosterImportedV1,
  TargetSetV2,
  type CohortSetV1Data,
  type EventEnvelope,
  type OrgUnitRetiredV1Data,
  type OrgUnitUpsertedV1Data,
  type ReportAcceptedV1Data,
  type RosterImportedV1Data,
  type TargetSetV2Data,
} from '@app/contracts';
import { EventConsumerGroup, OnEvent, OnEventBatch } from '@app/messaging';
import { reportOfAccepted, reportOfRoster, type ReportInput } from '@app/domain';
import { RatesInputsService, type ReportSource } from '../rates-inputs.service';

/** The report an intake report or a workforce roster import stands for. */
function reportOf(e: EventEnvelope): { report: ReportInput; source: ReportSource } {
  return e.type === RosterImportedV1.type
    ? { source: 'workforce', report: reportOfRoster(e.data as RosterImportedV1Data) }
    : { source: 'intake', report: reportOfAccepted(e.data as ReportAcceptedV1Data) };
}

/**
 * The producers rates computes from: one durable consumer each (`rates-inputs-<producer>`). Not support
 * points: their sessions add to no cohort, and compliance serves coverage from its own read model (README,
 * Design notes). Workforce's passenger checks arrive on the workforce lane and are acked unread.
 */
export const RATES_INPUT_LANES = ['registry', 'intake', 'workforce'] as const;

/** Durables of earlier versions, deleted by a rebuild: the single inputs consumer, and the support-points lane. */
export const RETIRED_RATES_DURABLES = ['rates-inputs', 'rates-inputs-support'] as const;

/**
 * Everything rates computes from, on one durable consumer per producer, so that rates is not handed its
 * own figure and status events (most of the stream) only to skip them. Handlers only record the input and
 * mark what it changed, in the event's transaction; figures are computed by the flusher, from whatever
 * has arrived (a report before its unit is kept, and counted once the unit is known).
 */
@Injectable()
@EventConsumerGroup({ purpose: 'inputs', filters: RATES_INPUT_LANES })
export class RatesInputsHandler {
  constructor(private readonly inputs: RatesInputsService) {}

  @OnEvent(OrgUnitUpsertedV1)
  async unitUpserted(e: EventEnvelope<string, OrgUnitUpsertedV1Data>, m: EntityManager): Promise<void> {
    await this.inputs.recordUnit(m, this.inputs.upserted(e.data));
  }

  @OnEvent(OrgUnitRetiredV1)
  async unitRetired(e: EventEnvelope<string, OrgUnitRetiredV1Data>, m: EntityManager): Promise<void> {
    await this.inputs.recordUnit(m, this.inputs.retired(e.data));
  }

  @OnEvent(CohortSetV1)
  async cohortSet(e: EventEnvelope<string, CohortSetV1Data>, m: EntityManager): Promise<void> {
    await this.inputs.recordDenominator(m, e.data, e.id);
  }

  @OnEvent(TargetSetV2)
  async targetSet(e: EventEnvelope<string, TargetSetV2Data>, m: EntityManager): Promise<void> {
    await this.inputs.recordTarget(m, e.data);
  }

  /**
   * Reports and rosters (a roster import is the enterprise's enterprise_workers report as of its date,
   * docs/domain.md): a whole batch recorded and marked in one statement.
   */
  @OnEventBatch([ReportAcceptedV1, RosterImportedV1])
  async reports(events: EventEnvelope[], m: EntityManager): Promise<void> {
    await this.inputs.recordReports(m, events.map(reportOf));
  }
}
