import type { EventContract } from './catalog';
import { ApiKeyIssuedV1, ApiKeyRevokedV1, CohortSetV1, OrgUnitRetiredV1, OrgUnitUpsertedV1, TargetSetV1 } from './events/registry.events';
import { ActivityRecordedV1, ReportAcceptedV1 } from './events/intake.events';
import { SupportPointClosedV1, SupportPointOpenedV1, SupportSessionLoggedV1 } from './events/support.events';
import { RosterImportedV1, TransportCheckedV1 } from './events/workforce.events';
import { FigureUpdatedV1, TargetStatusChangedV1 } from './events/rates.events';

/** Every published contract, the single list the consumers validate against. */
export const EVENT_CONTRACTS: readonly EventContract[] = [
  OrgUnitUpsertedV1,
  OrgUnitRetiredV1,
  CohortSetV1,
  TargetSetV1,
  ApiKeyIssuedV1,
  ApiKeyRevokedV1,
  ReportAcceptedV1,
  ActivityRecordedV1,
  SupportPointOpenedV1,
  SupportPointClosedV1,
  SupportSessionLoggedV1,
  RosterImportedV1,
  TransportCheckedV1,
  FigureUpdatedV1,
  TargetStatusChangedV1,
];

export function findContract(type: string, version: number): EventContract | undefined {
  return EVENT_CONTRACTS.find((c) => c.type === type && c.version === version);
}

/**
 * Upcasters turn an old version's payload into the next version's. None yet: every contract is at v1.
 * When `intake.report.accepted` gets a v2, add `{ type: 'intake.report.accepted', from: 1, upcast: (d) => ({...d, newField: default}) }`
 * and consumers keep declaring handlers for the newest version only.
 */
export interface Upcaster {
  readonly type: string;
  readonly from: number;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}
export const UPCASTERS: readonly Upcaster[] = [];

export function upcastToLatest(
  type: string,
  version: number,
  data: Record<string, unknown>,
): { version: number; data: Record<string, unknown> } {
  let v = version;
  let d = data;
  for (;;) {
    const step = UPCASTERS.find((u) => u.type === type && u.from === v);
    if (!step) return { version: v, data: d };
    d = step.upcast(d);
    v += 1;
  }
}
