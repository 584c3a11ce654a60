import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

/**
 * A schema's class-validator constraints turned once into a plain predicate: "is this payload valid?".
 * The consumers and the rebuild validate every event; class-validator's executor builds a ValidationError
 * tree, an instance and a message context per property per event, which was half of their CPU. The
 * predicate calls the very same constraint functions (so it accepts exactly what class-validator accepts)
 * with none of that; only a payload it refuses goes through class-validator again, for the messages.
 * Schemas it cannot compile (nested objects to validate, asynchronous constraints) get `null`: the caller
 * keeps class-validator for them.
 */
export type CompiledCheck = (plain: Readonly<Record<string, unknown>>) => boolean;

type Condition = (object: object, value: unknown) => boolean;
interface Constraint {
  readonly each: boolean;
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
  readonly constraints: unknown[];
}
interface PropertyCheck {
  readonly property: string;
  readonly conditions: Condition[];
  readonly constraints: Constraint[];
}

const compiled = new Map<Function, CompiledCheck | null>(); // eslint-disable-line @typescript-eslint/no-unsafe-function-type

export function compiledCheck(schema: new () => object): CompiledCheck | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

function compile(schema: new () => object): CompiledCheck | null {
  const storage = getMetadataStorage();
  const byProperty = new Map<string, PropertyCheck>();
  for (const m of storage.getTargetValidationMetadatas(schema, '', true, false)) {
    if (m.type === ValidationTypes.WHITELIST) continue;
    const p = byProperty.get(m.propertyName) ?? { property: m.propertyName, conditions: [], constraints: [] };
    byProperty.set(m.propertyName, p);
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      p.conditions.push(m.constraints[0] as Condition);
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
      for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
        if (c.async) return null;
        p.constraints.push({ each: m.each === true, validate: (v, a) => c.instance.validate(v, a), constraints: m.constraints ?? [] });
      }
    } else {
      return null; // nested or promise validation: class-validator builds and walks the nested instances
    }
  }
  const checks = [...byProperty.values()];
  const targetName = schema.name;
  return (plain) => {
    for (const p of checks) {
      const value = plain[p.property];
      let applies = true;
      for (const condition of p.conditions) if (!condition(plain, value)) applies = false;
      if (!applies) continue;
      for (const c of p.constraints) {
        const args: ValidationArguments = { targetName, property: p.property, object: plain, value, constraints: c.constraints };
        if (c.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
          for (const item of Array.from(value instanceof Map ? value.values() : value)) if (c.validate(item, args) !== true) return false;
        } else if (c.validate(value, args) !== true) {
          return false;
        }
      }
    }
    return true;
  };
}
