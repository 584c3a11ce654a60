import { Injectable } from '@nestjs/common';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { TargetSetV2, type EventEnvelope, type TargetSetV2Data } from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';

/**
 * The earliest campaign start of the targets the registry has published (YYYY-MM-DD), or null: an SQL
 * expression for the platform's CampaignCalendar (`campaignStartSql`), or to fold into another statement.
 */
export const CAMPAIGN_START_SQL = `(SELECT to_char(min(campaign_start), 'YYYY-MM-DD') FROM campaign_targets WHERE campaign_start IS NOT NULL)`;

/** Keeps each target's campaign start; order-insensitive (the highest revision of a target wins). */
@Injectable()
@EventConsumerGroup({ purpose: 'campaign-targets', filter: 'registry.target' })
export class CampaignTargetsHandler {
  @OnEvent(TargetSetV2)
  async targetSet(e: EventEnvelope<string, TargetSetV2Data>, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO campaign_targets (target_id, campaign_start, revision) VALUES ($1, $2, $3)
       ON CONFLICT (target_id) DO UPDATE SET campaign_start = EXCLUDED.campaign_start, revision = EXCLUDED.revision
       WHERE campaign_targets.revision < EXCLUDED.revision`,
      [e.data.targetId, e.data.campaignStart ?? null, e.data.revision],
    );
  }
}

/**
 * The campaign starts of the registry's targets, for services that judge dates by the campaign calendar.
 * Intake has had the same table since its first migration (IntakeTables), so it does not run this one.
 */
export class CampaignTargetsReplica1796428800001 implements MigrationInterface {
  name = 'CampaignTargetsReplica1796428800001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_targets (
        target_id      text PRIMARY KEY,
        campaign_start date,
        revision       integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_targets`);
  }
}
