import type { EventContract } from './catalog';
import {
  ApiKeyIssuedV1,
  ApiKeyRevokedV1,
  CohortSetV1,
  ExchangeElementMappedV1,
  ExchangeUnitMappedV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV1,
  OrgUnitUpsertedV2,
  TargetSetV1,
  TargetSetV2,
} from './events/registry.events';
import { ActivityRecordedV1, ReportAcceptedV1 } from './events/intake.events';
import { SupportPointClosedV1, SupportPointOpenedV1, SupportSessionLoggedV1 } from './events/support.events';
import { RosterImportedV1, TransportCheckedV1 } from './events/workforce.events';
import { FigureUpdatedV1, TargetStatusChangedV1, TargetStatusWithdrawnV1 } from './events/rates.events';
import { QualityFollowUpChangedV1, QualityViolationRaisedV1 } from './events/compliance.events';

/** Every published contract, the single list the consumers validate against. */
export const EVENT_CONTRACTS: readonly EventContract[] = [
  OrgUnitUpsertedV1,
  OrgUnitUpsertedV2,
  OrgUnitRetiredV1,
  CohortSetV1,
  TargetSetV1,
  TargetSetV2,
  ApiKeyIssuedV1,
  ApiKeyRevokedV1,
  ExchangeElementMappedV1,
  ExchangeUnitMappedV1,
  ReportAcceptedV1,
  ActivityRecordedV1,
  SupportPointOpenedV1,
  SupportPointClosedV1,
  SupportSessionLoggedV1,
  RosterImportedV1,
  TransportCheckedV1,
  FigureUpdatedV1,
  TargetStatusChangedV1,
  TargetStatusWithdrawnV1,
  QualityViolationRaisedV1,
  QualityFollowUpChangedV1,
];

export function findContract(type: string, version: number): EventContract | undefined {
  return EVENT_CONTRACTS.find((c) => c.type === type && c.version === version);
}

/**
 * Upcasters turn an old version's payload into the next version's, so consumers declare handlers for the
 * newest version only and accept every older one (handlers are chosen by type; the payload is upcast
 * before it is validated against the newest contract).
 */
export interface Upcaster {
  readonly type: string;
  readonly from: number;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}
export const UPCASTERS: readonly Upcaster[] = [
  // v1 heads had no contacts.
  {
    type: 'registry.orgunit.upserted',
    from: 1,
    upcast: (d) => {
      const head = d.head as Record<string, unknown> | null | undefined;
      return { ...d, head: head ? { ...head, phone: null, email: null } : (head ?? null) };
    },
  },
  // v1 had one name (in whatever language it was written): it stands for both until the registry sets them.
  {
    type: 'registry.target.set',
    from: 1,
    upcast: ({ name, ...rest }) => ({ ...rest, nameVi: name, nameEn: name }),
  },
];

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
