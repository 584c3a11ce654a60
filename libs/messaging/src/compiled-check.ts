import { getMetadataStorage, isUUID, ValidationTypes, type ValidationArguments } from 'class-validator';
import { isRealDay, itemSchemaOf } from '@app/contracts';

/**
 * A schema's class-validator constraints turned once into a plain predicate: "is this payload valid?".
 * The consumers and the rebuild validate every event; class-validator's executor builds a ValidationError
 * tree, an instance and a message context per property per event, which was half of their CPU. The
 * predicate calls the very same constraint functions (so it accepts exactly what class-validator accepts)
 * with none of that; only a payload it refuses goes through class-validator again, for the messages.
 * Schemas it cannot compile (nested objects to validate, but for arrays of a class @ItemsOf names; asynchronous
 * constraints) get `null`: the caller keeps class-validator for them.
 */
export type CompiledCheck = (plain: Readonly<Record<string, unknown>>) => boolean;

type Condition = (object: object, value: unknown) => boolean;
/** One constraint of one property, as a predicate of the value alone (the object is set before each call). */
type Predicate = (value: unknown) => boolean;
interface Constraint {
  readonly each: boolean;
  readonly test: Predicate;
}
interface PropertyCheck {
  readonly property: string;
  readonly conditions: Condition[];
  readonly constraints: Constraint[];
  /** The ValidationArguments every generic constraint of the property is called with (object and value set per call). */
  readonly args: { targetName: string; property: string; object: object; value: unknown; constraints: unknown[] };
}

/**
 * The constraints whose class-validator function is simple enough to be written here as it is there (same
 * comparisons, no wrapper, no ValidationArguments): the hot ones of the event contracts. Each returns null
 * when its arguments are not the plain case, and the generic call is kept. `compiled-check.spec.ts` compares
 * the result with class-validator's verdict on random payloads.
 */
const FAST: Readonly<Record<string, (constraints: readonly unknown[], generic: Predicate) => Predicate | null>> = {
  isString: () => (v) => typeof v === 'string' || v instanceof String,
  isInt: () => (v) => typeof v === 'number' && Number.isInteger(v),
  isBoolean: () => (v) => typeof v === 'boolean' || v instanceof Boolean,
  isObject: () => (v) => v != null && (typeof v === 'object' || typeof v === 'function') && !Array.isArray(v),
  isArray: () => (v) => Array.isArray(v),
  min: ([bound]) => (typeof bound === 'number' ? (v) => typeof v === 'number' && v >= bound : null),
  max: ([bound]) => (typeof bound === 'number' ? (v) => typeof v === 'number' && v <= bound : null),
  isIn: ([values]) => {
    // A Set compares like === for strings (SameValueZero differs only for NaN and ±0).
    if (!Array.isArray(values) || !values.every((x) => typeof x === 'string')) return null;
    const allowed = new Set<unknown>(values);
    return (v) => allowed.has(v);
  },
  // class-validator's isNumber with no option: a number, neither NaN nor ±Infinity.
  isNumber: ([options]) => (isPlainNumberOptions(options) ? (v) => typeof v === 'number' && Number.isFinite(v) : null),
  isUuid:
    ([version]) =>
    (v) =>
      typeof v === 'string' && isUUID(v, version as Parameters<typeof isUUID>[1]),
  isLength: fastLength,
  isIso8601: fastTimestamp,
  matches: ([pattern]) => {
    // validator's matches() is `!!str.match(pattern)`: the same as test() for a pattern without state (g, y).
    if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) return null;
    return (v) => typeof v === 'string' && pattern.test(v);
  },
};

function isPlainNumberOptions(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null) return false;
  const o = options as { allowNaN?: unknown; allowInfinity?: unknown; maxDecimalPlaces?: unknown };
  return !o.allowNaN && !o.allowInfinity && o.maxDecimalPlaces === undefined;
}

/**
 * validator's isLength counts a surrogate pair, and a character followed by a variation selector (U+FE0E, U+FE0F),
 * as one: two global matches a call, each allocating its array. A string with neither (every field of the events)
 * is as long as its `length`; any other is asked of validator, so the verdict is its own.
 */
const COUNTED_TOGETHER = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;
function fastLength([min, max]: readonly unknown[], generic: Predicate): Predicate | null {
  if (typeof min !== 'number' || Number.isNaN(min) || (max !== undefined && typeof max !== 'number')) return null;
  return (v) => {
    if (typeof v !== 'string') return false;
    if (COUNTED_TOGETHER.test(v)) return generic(v);
    return v.length >= min && (max === undefined || v.length <= max);
  };
}

/**
 * The one shape every producer writes (`Date#toISOString`, or with an offset): a string of it that names a real
 * day is accepted at once; any other string is asked of validator's isISO8601, so the verdict is its own (this
 * form is a part of what its pattern accepts, and `strict` is its calendar check, done by isRealDay; years before
 * 1000 are left to it: its check rebuilds the date from the year as a number, '0999' as '999', and refuses it).
 */
const TIMESTAMP =
  /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
function fastTimestamp(constraints: readonly unknown[], generic: Predicate): Predicate | null {
  const [options] = constraints as [{ strict?: boolean; strictSeparator?: boolean } | undefined];
  if (!options || options.strict !== true) return null;
  return (v) => (typeof v === 'string' && TIMESTAMP.test(v) && isRealDay(v)) || generic(v);
}

interface Compiled {
  readonly check: CompiledCheck;
  readonly strict: CompiledCheck | null;
}

/** A class as its instances' `constructor` gives it. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

const compiled = new Map<AnyClass, Compiled | null>();

function compiledOf(schema: AnyClass): Compiled | null {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

export function compiledCheck(schema: new () => object): CompiledCheck | null {
  return compiledOf(schema)?.check ?? null;
}

/**
 * compiledCheck as class-validator judges with `whitelist`, `forbidNonWhitelisted` and `forbidUnknownValues` (the
 * HTTP pipe's options): also false for a payload with a property no decorator names; null for a class without any
 * decorator (class-validator refuses its instances as unknown values) as for one it cannot compile.
 */
export function compiledStrictCheck(schema: AnyClass): CompiledCheck | null {
  return compiledOf(schema)?.strict ?? null;
}

function compile(schema: AnyClass): Compiled | null {
  const storage = getMetadataStorage();
  const targetName = schema.name;
  const byProperty = new Map<string, PropertyCheck>();
  /** Every property a decorator names, @Allow's too: what the whitelist lets through. */
  const known = new Set<string>();
  for (const m of storage.getTargetValidationMetadatas(schema, '', true, false)) {
    known.add(m.propertyName);
    if (m.type === ValidationTypes.WHITELIST) continue;
    let p = byProperty.get(m.propertyName);
    if (!p) {
      p = {
        property: m.propertyName,
        conditions: [],
        constraints: [],
        args: { targetName, property: m.propertyName, object: {}, value: undefined, constraints: [] },
      };
      byProperty.set(m.propertyName, p);
    }
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      p.conditions.push(m.constraints[0] as Condition);
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
      for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
        if (c.async) return null;
        const constraints = m.constraints ?? [];
        const args = p.args;
        const generic: Predicate = (v) => {
          args.value = v;
          args.constraints = constraints;
          return c.instance.validate(v, args as ValidationArguments) === true;
        };
        const test = FAST[c.name]?.(constraints, generic);
        p.constraints.push({ each: m.each === true, test: test ?? generic });
      }
    } else if (m.type === ValidationTypes.NESTED_VALIDATION && m.each === true) {
      // An array of items of a class @ItemsOf names (a bundle's events): each item a plain object its class's own check
      // accepts. Stricter than class-validator only where it would walk into an item that is itself an array (then
      // class-validator has the last word, as for any refusal). Any other nested validation is left to class-validator.
      const itemSchema = itemSchemaOf(schema, m.propertyName);
      const item = itemSchema && compiledOf(itemSchema)?.check;
      if (!item) return null;
      const isItem = (x: unknown) =>
        x !== null &&
        typeof x === 'object' &&
        !Array.isArray(x) &&
        !Object.prototype.hasOwnProperty.call(x, '__proto__') &&
        item(x as Record<string, unknown>);
      p.constraints.push({ each: false, test: (v) => Array.isArray(v) && v.every(isItem) });
    } else {
      return null; // nested or promise validation: class-validator builds and walks the nested instances
    }
  }
  const checks = [...byProperty.values()];
  const check: CompiledCheck = (plain) => {
    for (const p of checks) {
      const value = plain[p.property];
      // The conditions first, as class-validator: an @IsOptional skips even an @IsDefined.
      let applies = true;
      for (const condition of p.conditions) if (!condition(plain, value)) applies = false;
      if (!applies) continue;
      p.args.object = plain;
      for (const c of p.constraints) {
        if (c.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
          for (const item of Array.from(value instanceof Map ? value.values() : value)) if (!c.test(item)) return false;
        } else if (!c.test(value)) {
          return false;
        }
      }
    }
    return true;
  };
  const strict: CompiledCheck | null =
    known.size === 0
      ? null
      : (plain) => {
          for (const property of Object.keys(plain)) if (!known.has(property)) return false;
          return check(plain);
        };
  return { check, strict };
}
