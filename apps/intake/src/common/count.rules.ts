import { registerDecorator, type ValidationArguments } from 'class-validator';
import type { FieldError } from './field-errors';

/** `sum(parts) ≤ limit`, reported against `field` when broken. */
export interface CountRule {
  readonly field: string;
  readonly parts: readonly string[];
  readonly limit: string;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The broken rules among `rules` for these values. A rule whose numbers are missing or not counts is
 * skipped: the field's own validator already names that problem, and one reason per fault reads better.
 */
export function countRuleErrors(values: Readonly<Record<string, unknown>>, rules: readonly CountRule[]): FieldError[] {
  const out: FieldError[] = [];
  for (const r of rules) {
    const parts = r.parts.map((p) => values[p]);
    const limit = values[r.limit];
    if (!isCount(limit) || !parts.every(isCount)) continue;
    const sum = parts.reduce((a, b) => a + b, 0);
    if (sum > limit) {
      const lhs = r.parts.length === 1 ? `${r.parts[0]} (${sum})` : `${r.parts.join(' + ')} (${sum})`;
      out.push({ field: r.field, message: `${r.field}: ${lhs} must not exceed ${r.limit} (${limit})` });
    }
  }
  return out;
}

/** Property decorator running one CountRule in the DTO, so the rule's error sits beside the field's other errors. */
export function SatisfiesCountRule(rule: Omit<CountRule, 'field'>): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const full: CountRule = { ...rule, field: propertyName as string };
    registerDecorator({
      name: 'countRule',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) =>
          countRuleErrors(args.object as Record<string, unknown>, [full]).length === 0,
        defaultMessage: (args: ValidationArguments) =>
          countRuleErrors(args.object as Record<string, unknown>, [full])[0]?.message ?? `${full.field} breaks a count rule`,
      },
    });
  };
}
