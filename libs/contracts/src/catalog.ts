import type { ClassConstructor } from 'class-transformer';

/**
 * One published event contract: its type, its version and the class-validator schema of its payload.
 * The subject is derived, never written by hand: `<namespace>.<type>.v<version>`.
 * A published contract is never edited; a change is a new version plus an upcaster (see README.md in this lib).
 */
export interface EventContract<TType extends string = string, TData extends object = object> {
  readonly type: TType;
  readonly version: number;
  /** e.g. `ReportAcceptedV1`: the name carries the version (docs/architecture.md, Events). */
  readonly name: string;
  readonly schema: ClassConstructor<TData>;
}

export function defineEvent<TType extends string, TData extends object>(
  type: TType,
  version: number,
  name: string,
  schema: ClassConstructor<TData>,
): EventContract<TType, TData> {
  return Object.freeze({ type, version, name, schema });
}

/** The subject an event of this type and version is published on, inside a namespace (one per deployment or test). */
export function subjectOf(namespace: string, contract: Pick<EventContract, 'type' | 'version'>): string {
  return `${namespace}.${contract.type}.v${contract.version}`;
}

/** Inverse of subjectOf: `bz.intake.report.accepted.v1` → `{type: 'intake.report.accepted', version: 1}`. */
export function parseSubject(namespace: string, subject: string): { type: string; version: number } | null {
  if (!subject.startsWith(`${namespace}.`)) return null;
  const rest = subject.slice(namespace.length + 1);
  const m = /^(.+)\.v(\d+)$/.exec(rest);
  if (!m) return null;
  return { type: m[1], version: Number(m[2]) };
}

export type PayloadOf<C> = C extends EventContract<string, infer D> ? D : never;

/** The item class of each property @ItemsOf names, by schema: what compiled checks validate each item of it against. */
const ITEM_SCHEMAS = new Map<object, Map<string, ClassConstructor<object>>>();

/**
 * Names the class each item of an array property is (beside class-validator's @ValidateNested and class-transformer's
 * @Type, which say the same for class-validator): a compiled check (libs/messaging compiled-check.ts) validates the items
 * with the item class's own check instead of leaving the whole schema to class-validator.
 */
export function ItemsOf(item: ClassConstructor<object>): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    const owner = target.constructor;
    const props = ITEM_SCHEMAS.get(owner) ?? new Map<string, ClassConstructor<object>>();
    props.set(String(property), item);
    ITEM_SCHEMAS.set(owner, props);
  };
}

/** The item class @ItemsOf gave a property of a schema (or of a class it extends), if any. */
export function itemSchemaOf(schema: object, property: string): ClassConstructor<object> | undefined {
  for (let c: unknown = schema; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const item = ITEM_SCHEMAS.get(c as object)?.get(property);
    if (item) return item;
  }
  return undefined;
}
