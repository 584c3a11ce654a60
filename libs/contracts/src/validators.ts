import { applyDecorators } from '@nestjs/common';
import { IsInt, Max, Min, Matches, registerDecorator, type ValidationOptions } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Counts of people, households, sessions: whole numbers from 0 to 2^31 − 1 (PostgreSQL `integer`). */
export const MAX_COUNT = 2_147_483_647;
export function IsCount(): PropertyDecorator {
  return applyDecorators(IsInt(), Min(0), Max(MAX_COUNT));
}

/** A real calendar date written `YYYY-MM-DD` (2020-02-30 is refused, not rolled over). */
export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && value.length === 10 && CALENDAR_DATE.test(value) && isRealDay(value);
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether `YYYY-MM-DD…` (digits already checked) names a day of the proleptic Gregorian calendar, as
 * `Date` reads it: by arithmetic, since every consumer checks every event's dates (a `Date` built and
 * printed per date was a tenth of their CPU).
 */
export function isRealDay(s: string): boolean {
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2) return day <= ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
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
export const UNIT_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function IsUnitCode(): PropertyDecorator {
  return applyDecorators(
    Matches(UNIT_CODE_PATTERN, {
      message: '$property must be a unit code (letters, digits, "_", "-", "."; at most 64)',
    }),
  );
}

/**
 * A Vietnamese telephone number as people write it: a mobile (0912 345 678, +84 912 345 678) or a landline
 * with its area code (0294 3862 123), with or without spaces, dots or dashes. Judged by libphonenumber's
 * metadata for VN (what numbering plan the Ministry publishes), not by a pattern of our own; returns the
 * E.164 form (+84912345678) that is stored and sent, or null when it is not a valid Vietnamese number.
 */
export function normaliseVietnamesePhone(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const parsed = parsePhoneNumberFromString(value, 'VN');
  if (!parsed || parsed.country !== 'VN' || !parsed.isValid()) return null;
  return parsed.number;
}

/** The national way of writing a stored (E.164) number: +84294 3862 123 → 0294 3862 123. */
export function formatVietnamesePhone(e164: string): string {
  return parsePhoneNumberFromString(e164, 'VN')?.formatNational() ?? e164;
}

export function IsVietnamesePhone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isVietnamesePhone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          '$property must be a Vietnamese telephone number: a mobile such as 0912345678 or +84912345678, or a landline with its area code such as 0294 3862 123',
        ...options,
      },
      validator: { validate: (value: unknown) => normaliseVietnamesePhone(value) !== null },
    });
  };
}
