import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';
import { EventConsumerGroup, OnEventBatch } from '@app/messaging';
import { ComplianceProjector, PROJECTED_CONTRACTS } from '../compliance.projector';
import { activeSchema } from '../generation';
import { noteApplied } from '../projection.metrics';
import { announceReadModelChange } from '../read-model-changes';

/**
 * The live consumer of the read model: every event of every service, written into the generation the
 * pointer names at the time (a rebuild switches it; see rebuild.ts). A batch is one transaction: the
 * pointer is read once, and the projector writes each event type of the batch in one statement.
 */
@Injectable()
@EventConsumerGroup({ purpose: 'projection', batchSize: 1000 })
export class ComplianceProjectionHandlers {
  private readonly projector = new ComplianceProjector();
  private readonly base: string;

  constructor(ds: DataSource) {
    this.base = (ds.options as { schema: string }).schema;
  }

  @OnEventBatch(PROJECTED_CONTRACTS)
  async applyBatch(events: EventEnvelope[], m: EntityManager): Promise<void> {
    const applied = await this.projector.applyBatch(await activeSchema(m, this.base, 'share'), events, m);
    if (applied > 0) await announceReadModelChange(m, this.base);
    for (const e of events) noteApplied(e.occurredAt);
  }
}
