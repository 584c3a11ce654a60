import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { describeValidationErrors } from '@app/messaging';

function fields(errors: ValidationError[], prefix = ''): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const m of describeValidationErrors([{ ...e, children: [] }], prefix)) out.push({ field: path, message: m });
    if (e.children?.length) out.push(...fields(e.children, path));
  }
  return out;
}

/** The global pipe: whitelist, refuse unknown fields, convert query strings, and list every offending field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const list = fields(errors);
      return new BadRequestException({ detail: `invalid request: ${list.map((f) => f.message).join('; ')}`, errors: list });
    },
  });
}
