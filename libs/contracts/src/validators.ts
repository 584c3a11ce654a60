import { applyDecorators } from '@nestjs/common';
import { IsInt, Max, Min, Matches, registerDecorator, type ValidationOptions } from 'class-validator';

/** Counts of people, households, sessions: whole numbers from 0 to 2^31 − 1 (PostgreSQL `integer`). */
export const MAX_COUNT = 2_147_483_647;
export function IsCount(): PropertyDecorator {
  return applyDecorators(IsInt(), Min(0), Max(MAX_COUNT));
}

/** A real calendar date written `YYYY-MM-DD` (2020-02-30 is refused, not rolled over). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a real date written YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
  };
}

/** Org-unit codes: GSO codes are digits, our own units use upper-case letters, digits, `_` and `-`. */
export function IsUnitCode(): PropertyDecorator {
  return applyDecorators(
    Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
      message: '$property must be a unit code (letters, digits, "_", "-", "."; at most 64)',
    }),
  );
}
