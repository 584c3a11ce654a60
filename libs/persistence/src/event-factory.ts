import { uuidv7 } from './uuid';
import type { EventContract, EventEnvelope, ServiceName } from '@app/contracts';
import { currentContext } from './request-context';

/**
 * Builds an envelope for a contract. Correlation and causation come from the current request or
 * event context unless given, so a report's event carries the id of the HTTP request that made it.
 */
export function makeEvent<TType extends string, TData extends object>(
  contract: EventContract<TType, TData>,
  source: ServiceName,
  key: string,
  data: TData,
  meta: { correlationId?: string; causationId?: string | null; occurredAt?: Date } = {},
): EventEnvelope<TType, TData> {
  const id = uuidv7();
  const ctx = currentContext();
  return {
    id,
    type: contract.type,
    version: contract.version,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    source,
    key,
    correlationId: meta.correlationId ?? ctx?.correlationId ?? id,
    causationId: meta.causationId ?? ctx?.causationId ?? null,
    data,
  };
}
