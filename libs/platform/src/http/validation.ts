import { BadRequestException, ValidationPipe, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { compiledStrictCheck, describeValidationErrors } from '@app/messaging';

function fields(errors: ValidationError[], prefix = ''): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const m of describeValidationErrors([{ ...e, children: [] }], prefix)) out.push({ field: path, message: m });
    if (e.children?.length) out.push(...fields(e.children, path));
  }
  return out;
}

function strictOptions(o: ValidatorOptions | undefined): boolean {
  return (
    o?.whitelist === true &&
    o.forbidNonWhitelisted === true &&
    o.forbidUnknownValues !== false &&
    !o.groups?.length &&
    !o.skipMissingProperties &&
    !o.skipNullProperties &&
    !o.skipUndefinedProperties
  );
}

/**
 * ValidationPipe whose verdict on a DTO it can compile (flat, synchronous constraints: every query DTO) is the
 * compiled predicate of libs/messaging compiled-check, which calls the very same constraint functions: a valid
 * request builds no ValidationError tree, no metadata lookup and no argument object per property (class-validator
 * was a seventh of a kept read's CPU). Anything it refuses, or cannot compile, is validated by class-validator,
 * so the errors and their messages are class-validator's. `validation.spec.ts` compares the two pipes.
 */
class CompiledValidationPipe extends ValidationPipe {
  /** The compiled verdict is the one under these options (whitelist, forbid unknown fields and values), as the pipe's own are. */
  private readonly compiles = strictOptions(this.validatorOptions);

  protected override validate(object: object, options?: ValidatorOptions): ValidationError[] | Promise<ValidationError[]> {
    // Nest calls it with the pipe's own options and `validationError` set (which only shapes the errors).
    if (this.compiles && typeof object === 'object' && object !== null) {
      const check = compiledStrictCheck(object.constructor);
      if (check?.(object as Record<string, unknown>)) return [];
    }
    return super.validate(object, options);
  }
}

/** The global pipe's options: whitelist, refuse unknown fields, convert query strings, and list every offending field. */
export function validationPipeOptions(): ValidationPipeOptions {
  return {
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const list = fields(errors);
      return new BadRequestException({ detail: `invalid request: ${list.map((f) => f.message).join('; ')}`, errors: list });
    },
  };
}

/** The global pipe (validationPipeOptions), its verdicts compiled where it can. */
export function createValidationPipe(): ValidationPipe {
  return new CompiledValidationPipe(validationPipeOptions());
}
