import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TargetSetV1, type EventEnvelope, type TargetSetV1Data } from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';

/** Keeps each target's campaign start; order-insensitive (the highest revision of a target wins). */
@Injectable()
@EventConsumerGroup({ purpose: 'campaign-targets', filter: 'registry.target' })
export class TargetSetHandler {
  @OnEvent(TargetSetV1)
  async targetSet(e: EventEnvelope<string, TargetSetV1Data>, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO campaign_targets (target_id, campaign_start, revision) VALUES ($1, $2, $3)
       ON CONFLICT (target_id) DO UPDATE SET campaign_start = EXCLUDED.campaign_start, revision = EXCLUDED.revision
       WHERE campaign_targets.revision < EXCLUDED.revision`,
      [e.data.targetId, e.data.campaignStart ?? null, e.data.revision],
    );
  }
}
