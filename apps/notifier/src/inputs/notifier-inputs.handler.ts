import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  OrgUnitUpsertedV1,
  TargetSetV2,
  TargetStatusChangedV1,
  TargetStatusesChangedV1,
  TargetStatusWithdrawnV1,
  type EventEnvelope,
  type OrgUnitUpsertedV1Data,
  type TargetSetV2Data,
  type TargetStatusChangedV1Data,
  type TargetStatusesChangedV1Data,
  type TargetStatusWithdrawnV1Data,
} from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';

/**
 * A head as the registry's events may carry it. Version 1 has name and title only; the contact fields
 * (phone, e-mail) arrive with a later version of the unit event, so they are read when present and never
 * required.
 */
interface HeadWithContacts {
  name: string;
  title: string;
  phone?: string | null;
  email?: string | null;
}

/** Who heads each unit and how to reach them, and each target's deadline: kept from the registry's events, highest revision wins. */
@Injectable()
@EventConsumerGroup({ purpose: 'contacts', filter: 'registry' })
export class RegistryContactsHandler {
  @OnEvent(OrgUnitUpsertedV1)
  async unitUpserted(e: EventEnvelope<string, OrgUnitUpsertedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    const head = (d.head ?? null) as HeadWithContacts | null;
    await m.query(
      `INSERT INTO unit_contacts (code, name, type, accountable_to_code, admin_parent_code, head_name, head_title, head_phone, head_email, active, revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, accountable_to_code = EXCLUDED.accountable_to_code,
         admin_parent_code = EXCLUDED.admin_parent_code, head_name = EXCLUDED.head_name, head_title = EXCLUDED.head_title,
         head_phone = EXCLUDED.head_phone, head_email = EXCLUDED.head_email, active = EXCLUDED.active, revision = EXCLUDED.revision
       WHERE unit_contacts.revision < EXCLUDED.revision`,
      [
        d.code,
        d.name,
        d.type,
        d.accountableToCode ?? null,
        d.adminParentCode ?? null,
        head?.name ?? null,
        head?.title ?? null,
        typeof head?.phone === 'string' && head.phone ? head.phone : null,
        typeof head?.email === 'string' && head.email ? head.email : null,
        d.active,
        d.revision,
      ],
    );
  }

  /** v1 events arrive upcast to v2 (decodeEvent): the names are nameVi and nameEn. */
  @OnEvent(TargetSetV2)
  async targetSet(e: EventEnvelope<string, TargetSetV2Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO targets (target_id, name, name_vi, threshold, deadline, revision) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (target_id) DO UPDATE SET name = EXCLUDED.name, name_vi = EXCLUDED.name_vi, threshold = EXCLUDED.threshold,
         deadline = EXCLUDED.deadline, revision = EXCLUDED.revision
       WHERE targets.revision < EXCLUDED.revision`,
      [d.targetId, d.nameEn, d.nameVi, d.threshold, d.deadline, d.revision],
    );
  }
}

/**
 * Each unit's status against each target from the day rates says it began, or none from the day rates withdrew it; a
 * later-published change of the same day wins.
 */
@Injectable()
@EventConsumerGroup({ purpose: 'statuses', filter: 'rates.target' })
export class TargetStatusesHandler {
  @OnEvent(TargetStatusChangedV1)
  statusChanged(e: EventEnvelope<string, TargetStatusChangedV1Data>, m: EntityManager): Promise<void> {
    return upsertStatuses(m, [e.data], e.occurredAt);
  }

  /** A flush's status changes in one event: each as an event of its own (no two share a key), in one statement. */
  @OnEvent(TargetStatusesChangedV1)
  statusesChanged(e: EventEnvelope<string, TargetStatusesChangedV1Data>, m: EntityManager): Promise<void> {
    return upsertStatuses(m, e.data.statuses, e.occurredAt);
  }

  /** The unit left the target (retired, moved or emptied out of its scope): from that day it has no status to be reminded of. */
  @OnEvent(TargetStatusWithdrawnV1)
  async statusWithdrawn(e: EventEnvelope<string, TargetStatusWithdrawnV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO unit_statuses (target_id, unit_code, date, status, value, threshold, gap, reporting, occurred_at)
       VALUES ($1,$2,$3,NULL,NULL,NULL,NULL,NULL,$4)
       ON CONFLICT (target_id, unit_code, date) DO UPDATE SET status = NULL, value = NULL, threshold = NULL, gap = NULL,
         reporting = NULL, occurred_at = EXCLUDED.occurred_at
       WHERE unit_statuses.occurred_at <= EXCLUDED.occurred_at`,
      [d.targetId, d.orgUnitCode, d.date, e.occurredAt],
    );
  }
}

/** Statuses of units against targets from their days on, as of `occurredAt`: a later-published one of a day wins. */
async function upsertStatuses(m: EntityManager, items: readonly TargetStatusChangedV1Data[], occurredAt: string): Promise<void> {
  await m.query(
    `INSERT INTO unit_statuses (target_id, unit_code, date, status, value, threshold, gap, reporting, occurred_at)
     SELECT target_id, unit_code, date, status, value, threshold, gap, reporting, $9::timestamptz
     FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::float8[], $6::float8[], $7::int[], $8::bool[])
       AS s(target_id, unit_code, date, status, value, threshold, gap, reporting)
     ON CONFLICT (target_id, unit_code, date) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value,
       threshold = EXCLUDED.threshold, gap = EXCLUDED.gap, reporting = EXCLUDED.reporting, occurred_at = EXCLUDED.occurred_at
     WHERE unit_statuses.occurred_at <= EXCLUDED.occurred_at`,
    [
      items.map((d) => d.targetId),
      items.map((d) => d.orgUnitCode),
      items.map((d) => d.date),
      items.map((d) => d.status),
      items.map((d) => d.value ?? null),
      items.map((d) => d.threshold),
      items.map((d) => d.gap),
      items.map((d) => d.reporting ?? null),
      occurredAt,
    ],
  );
}
