import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationTypes, type ValidationError } from 'class-validator';
import {
  EventEnvelopeSchema,
  findContract,
  parseSubject,
  producerOf,
  upcastToLatest,
  type EventContract,
  type EventEnvelope,
} from '@app/contracts';
import { compiledCheck } from './compiled-check';

/** Describes every failed constraint of a validation result, naming the field path. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints)
      out.push(
        ...Object.values(e.constraints).map((m) => (m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`)),
      );
    if (e.children?.length) out.push(...describeValidationErrors(e.children, path));
  }
  return out;
}

type Schema = new () => object;

const flatSchemas = new Map<Schema, boolean>();

/** True when no property of the schema is a nested object to validate (nothing for class-transformer to build). */
function isFlat(schema: Schema): boolean {
  let flat = flatSchemas.get(schema);
  if (flat === undefined) {
    const metas = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
    flat = !metas.some((m) => m.type === ValidationTypes.NESTED_VALIDATION);
    flatSchemas.set(schema, flat);
  }
  return flat;
}

/**
 * An instance of the schema holding the payload's properties, for class-validator. A flat schema takes a
 * shallow copy (class-transformer's walk costs more than the validation itself on the consumers' hot path);
 * one with nested objects goes through class-transformer, which builds the nested instances.
 */
function instanceOf(schema: Schema, plain: object): object {
  return isFlat(schema) ? copyInto(schema, plain) : plainToInstance(schema, plain);
}

/** A shallow copy into a new instance; refuses a `__proto__` key, which would swap the class (and skip validation). */
function copyInto<T extends object>(schema: new () => T, plain: object): T {
  if (Object.prototype.hasOwnProperty.call(plain, '__proto__')) throw new TypeError('a __proto__ key is not allowed');
  return Object.assign(new schema(), plain);
}

/** The reasons a plain object (parsed JSON) breaks a schema, each naming its field; empty when it is valid. */
export function checkPlain(schema: Schema, plain: unknown): string[] {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) return ['not a JSON object'];
  if (Object.prototype.hasOwnProperty.call(plain, '__proto__')) return ['a __proto__ key is not allowed'];
  if (compiledCheck(schema)?.(plain as Record<string, unknown>)) return [];
  try {
    return describeValidationErrors(validateSync(instanceOf(schema, plain), { forbidUnknownValues: false }));
  } catch (err) {
    return [(err as Error).message];
  }
}

/**
 * Checks an envelope and its payload against the contract; returns the typed envelope or the reasons it is
 * refused. Synchronous, validation included: the contracts have no asynchronous constraints, and a promise per
 * constraint (or per event: a consumer decodes every event it is handed) is cost on a consumer's hot path.
 */
export function decodeEvent(
  namespace: string,
  subject: string,
  raw: string,
  /** `parseSubject(namespace, subject)`, when the caller has it already (a consumer parses each subject once). */
  fromSubject: { type: string; version: number } | null = parseSubject(namespace, subject),
): { ok: true; envelope: EventEnvelope; contract: EventContract } | { ok: false; reason: string; kind?: 'producer' } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'payload is not a JSON object' };
  const envErrors = checkPlain(EventEnvelopeSchema, json);
  if (envErrors.length) return { ok: false, reason: `envelope: ${envErrors.join('; ')}` };
  const env = json as EventEnvelopeSchema;
  if (fromSubject && (fromSubject.type !== env.type || fromSubject.version !== env.version)) {
    return { ok: false, reason: `subject ${subject} does not match type ${env.type} v${env.version}` };
  }
  // Defence in depth behind the NATS permissions (which keep each service to its own subjects): an event
  // is believed only from the service that publishes its type.
  const producer = producerOf(env.type);
  if (producer !== env.source) {
    return {
      ok: false,
      kind: 'producer',
      reason: `source ${env.source} does not publish ${env.type} events (${producer ? `only ${producer} does` : 'no service does'})`,
    };
  }
  const up = upcastToLatest(env.type, env.version, env.data);
  const contract = findContract(env.type, up.version);
  if (!contract) return { ok: false, reason: `no contract for ${env.type} v${up.version}` };
  const errors = checkPlain(contract.schema as Schema, up.data);
  if (errors.length) return { ok: false, reason: `data.${errors.join('; data.')}` };
  // The parsed object is this call's own: the upcast version and data go into it rather than into a copy per event.
  const envelope = json as { -readonly [K in keyof EventEnvelope]: EventEnvelope[K] };
  envelope.version = up.version;
  envelope.data = up.data;
  return { ok: true, contract, envelope };
}
