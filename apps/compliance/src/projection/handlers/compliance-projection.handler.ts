import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ActivityRecordedV1,
  CohortSetV1,
  FigureUpdatedV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV1,
  ReportAcceptedV1,
  RosterImportedV1,
  SupportPointClosedV1,
  SupportPointOpenedV1,
  SupportSessionLoggedV1,
  TargetSetV1,
  TargetStatusChangedV1,
  TransportCheckedV1,
  type EventEnvelope,
} from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';
import { ComplianceProjector } from '../compliance.projector';
import { activeSchema } from '../generation';
import { noteApplied } from '../projection.metrics';

/**
 * The live consumer of the read model: every event of every service, written into the generation the
 * pointer names at the time (a rebuild switches it; see rebuild.ts). Thin by design: the projector writes.
 */
@Injectable()
@EventConsumerGroup({ purpose: 'projection' })
export class ComplianceProjectionHandlers {
  private readonly projector = new ComplianceProjector();
  private readonly base: string;

  constructor(ds: DataSource) {
    this.base = (ds.options as { schema: string }).schema;
  }

  private async apply(e: EventEnvelope, m: EntityManager): Promise<void> {
    await this.projector.apply(await activeSchema(m, this.base, 'share'), e, m);
    noteApplied(e.occurredAt);
  }

  @OnEvent(OrgUnitUpsertedV1) unitUpserted(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(OrgUnitRetiredV1) unitRetired(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(CohortSetV1) cohortSet(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(TargetSetV1) targetSet(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(FigureUpdatedV1) figureUpdated(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(TargetStatusChangedV1) statusChanged(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(ReportAcceptedV1) reportAccepted(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(ActivityRecordedV1) activityRecorded(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(SupportPointOpenedV1) pointOpened(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(SupportPointClosedV1) pointClosed(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(SupportSessionLoggedV1) sessionLogged(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(TransportCheckedV1) transportChecked(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
  @OnEvent(RosterImportedV1) rosterImported(e: EventEnvelope, m: EntityManager) { return this.apply(e, m); }
}
