import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { describeValidationErrors } from '@app/messaging';

export interface FieldError {
  field: string;
  message: string;
}

/** class-validator errors as `{field, message}` pairs, the same shape the global ValidationPipe answers with. */
export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const message of describeValidationErrors([{ ...e, children: [] }], prefix)) out.push({ field: path, message });
    if (e.children?.length) out.push(...toFieldErrors(e.children, path));
  }
  return out;
}

/**
 * Validates one plain value against a DTO class with the global pipe's rules (whitelist, unknown fields
 * refused). Used where the pipe cannot run: batch items, CSV lines, and bodies whose class depends on a field.
 */
export function validatePlain<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: 'body', message: 'body must be a JSON object' }] };
  }
  const value = plainToInstance(cls, plain);
  // One reason per field is enough for a client fixing a line (a missing count is not also "too small").
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, stopAtFirstError: true });
  return errors.length ? { ok: false, errors: toFieldErrors(errors) } : { ok: true, value };
}
