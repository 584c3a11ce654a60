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
