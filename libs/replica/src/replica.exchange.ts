import { Injectable } from '@nestjs/common';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import {
  ExchangeElementMappedV1,
  ExchangeUnitMappedV1,
  type EventEnvelope,
  type ExchangeElementMappedV1Data,
  type ExchangeUnitMappedV1Data,
} from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';

/**
 * The registry's DHIS2/ADX mapping table, kept by the services that import (intake) and export (compliance)
 * aggregate reports. Order-insensitive: each row keeps its highest revision; a removal is a row marked
 * removed at its revision, so an older mapping arriving after it does not bring the row back.
 */
@Injectable()
@EventConsumerGroup({ purpose: 'exchange-mapping', filter: 'registry.exchange' })
export class ExchangeMappingReplicaHandlers {
  @OnEvent(ExchangeElementMappedV1)
  async elementMapped(e: EventEnvelope<string, ExchangeElementMappedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO replica_exchange_elements (cohort, field, data_element, category_option_combo, adx_disaggregation, removed, revision)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
       ON CONFLICT (cohort, field) DO UPDATE SET data_element = EXCLUDED.data_element,
         category_option_combo = EXCLUDED.category_option_combo, adx_disaggregation = EXCLUDED.adx_disaggregation,
         removed = EXCLUDED.removed, revision = EXCLUDED.revision
       WHERE replica_exchange_elements.revision < EXCLUDED.revision`,
      [d.cohort, d.field, d.dataElement, d.categoryOptionCombo, JSON.stringify(d.adxDisaggregation), d.removed, d.revision],
    );
  }

  @OnEvent(ExchangeUnitMappedV1)
  async unitMapped(e: EventEnvelope<string, ExchangeUnitMappedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO replica_exchange_units (external_code, org_unit_code, revision) VALUES ($1, $2, $3)
       ON CONFLICT (external_code) DO UPDATE SET org_unit_code = EXCLUDED.org_unit_code, revision = EXCLUDED.revision
       WHERE replica_exchange_units.revision < EXCLUDED.revision`,
      [d.externalCode, d.orgUnitCode ?? null, d.revision],
    );
  }
}

/** The replica of the mapping table (intake and compliance). No uniqueness beyond the keys: the registry holds it. */
export class ExchangeMappingReplica1796526000001 implements MigrationInterface {
  name = 'ExchangeMappingReplica1796526000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE replica_exchange_elements (
        cohort                text NOT NULL,
        field                 text NOT NULL,
        data_element          text NOT NULL,
        category_option_combo text NOT NULL,
        adx_disaggregation    jsonb NOT NULL,
        removed               boolean NOT NULL,
        revision              integer NOT NULL,
        PRIMARY KEY (cohort, field)
      )`);
    await q.query(`
      CREATE TABLE replica_exchange_units (
        external_code text PRIMARY KEY,
        org_unit_code text,
        revision      integer NOT NULL
      )`);
    await q.query(`CREATE INDEX replica_exchange_units_org_unit ON replica_exchange_units (org_unit_code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replica_exchange_units`);
    await q.query(`DROP TABLE replica_exchange_elements`);
  }
}
