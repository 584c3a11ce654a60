import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CohortSetV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV1,
  ReportAcceptedV1,
  RosterImportedV1,
  SupportSessionLoggedV1,
  TargetSetV2,
  TransportCheckedV1,
  type CohortSetV1Data,
  type EventEnvelope,
  type OrgUnitRetiredV1Data,
  type OrgUnitUpsertedV1Data,
  type ReportAcceptedV1Data,
  type RosterImportedV1Data,
  type SupportSessionLoggedV1Data,
  type TargetSetV2Data,
  type TransportCheckedV1Data,
} from '@app/contracts';
import { EventConsumerGroup, OnEvent } from '@app/messaging';
import { RatesInputsService } from '../rates-inputs.service';

/** The producers rates computes from: one durable consumer each (`rates-inputs-<producer>`). */
export const RATES_INPUT_LANES = ['registry', 'intake', 'support', 'workforce'] as const;

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

  @OnEvent(ReportAcceptedV1)
  async reportAccepted(e: EventEnvelope<string, ReportAcceptedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await this.inputs.recordReport(
      m,
      {
        unitCode: d.orgUnitCode,
        cohort: d.cohort,
        asOf: d.asOf,
        revision: d.revision,
        reportId: d.reportId,
        headcount: d.headcount,
        smartphoneHolders: d.smartphoneHolders,
        installed: d.installed,
        bluetoothOn: d.bluetoothOn,
      },
      'intake',
    );
  }

  /** A roster import is the enterprise's enterprise_workers report as of its date (DOMAIN.md). */
  @OnEvent(RosterImportedV1)
  async rosterImported(e: EventEnvelope<string, RosterImportedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await this.inputs.recordReport(
      m,
      {
        unitCode: d.enterpriseCode,
        cohort: 'enterprise_workers',
        asOf: d.asOf,
        revision: d.revision,
        reportId: d.importId,
        headcount: d.headcount,
        smartphoneHolders: d.smartphoneHolders,
        installed: d.installed,
        bluetoothOn: d.bluetoothOn,
      },
      'workforce',
    );
  }

  /** Kept as their own figures (people assisted, installs on site); they never add to a cohort's counts. */
  @OnEvent(SupportSessionLoggedV1)
  async sessionLogged(e: EventEnvelope<string, SupportSessionLoggedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO rates_support_sessions (point_id, date, revision, operator_code, commune_code, assisted, installed, bluetooth_enabled)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (point_id, date) DO UPDATE SET revision = EXCLUDED.revision, operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
         assisted = EXCLUDED.assisted, installed = EXCLUDED.installed, bluetooth_enabled = EXCLUDED.bluetooth_enabled
       WHERE rates_support_sessions.revision < EXCLUDED.revision`,
      [d.pointId, d.date, d.revision, d.operatorCode, d.communeCode, d.assisted, d.installed, d.bluetoothEnabled],
    );
  }

  @OnEvent(TransportCheckedV1)
  async transportChecked(e: EventEnvelope<string, TransportCheckedV1Data>, m: EntityManager): Promise<void> {
    const d = e.data;
    await m.query(
      `INSERT INTO rates_transport_checks (hub_code, date, revision, passengers_checked, already_installed, installed_on_site, refused)
       VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (hub_code, date) DO UPDATE SET revision = EXCLUDED.revision, passengers_checked = EXCLUDED.passengers_checked,
         already_installed = EXCLUDED.already_installed, installed_on_site = EXCLUDED.installed_on_site, refused = EXCLUDED.refused
       WHERE rates_transport_checks.revision < EXCLUDED.revision`,
      [d.hubCode, d.date, d.revision, d.passengersChecked, d.alreadyInstalled, d.installedOnSite, d.refused],
    );
  }
}
