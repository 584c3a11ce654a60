import type { EventContract } from './catalog';
import type { EventEnvelope } from './envelope';
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
import {
  FiguresUpdatedV1,
  FigureUpdatedV1,
  TargetStatusChangedV1,
  TargetStatusesChangedV1,
  TargetStatusWithdrawnV1,
} from './events/rates.events';
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
  FiguresUpdatedV1,
  TargetStatusesChangedV1,
  QualityViolationRaisedV1,
  QualityFollowUpChangedV1,
];

export function findContract(type: string, version: number): EventContract | undefined {
  return EVENT_CONTRACTS.find((c) => c.type === type && c.version === version);
}

/** A contract that carries several events of another in one (FiguresUpdatedV1): its item contract and array property. */
export interface BundleContract {
  readonly contract: EventContract;
  readonly item: EventContract;
  readonly property: string;
}

export const BUNDLES: readonly BundleContract[] = [
  { contract: FiguresUpdatedV1, item: FigureUpdatedV1, property: 'figures' },
  { contract: TargetStatusesChangedV1, item: TargetStatusChangedV1, property: 'statuses' },
];

const BUNDLE_BY_TYPE = new Map(BUNDLES.map((b) => [b.contract.type, b]));

/** The bundles whose items are events of these types: what a consumer of the items must also read. */
export function bundlesOf(itemTypes: Iterable<string>): EventContract[] {
  const wanted = new Set(itemTypes);
  return BUNDLES.filter((b) => wanted.has(b.item.type)).map((b) => b.contract);
}

/**
 * The events a bundle stands for, each an event of its item contract with the bundle's id, time, source, key and
 * correlation (what orders and identifies it for a consumer); any other event as itself. The items are the decoded
 * bundle's own objects (checked with it), not copies.
 */
export function unbundle(e: EventEnvelope): EventEnvelope[] {
  const b = BUNDLE_BY_TYPE.get(e.type);
  if (!b || e.version !== b.contract.version) return [e];
  const items = (e.data as Record<string, unknown>)[b.property] as unknown[];
  return items.map((data) => ({ ...e, type: b.item.type, version: b.item.version, data }));
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
