import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { compiledStrictCheck } from '@app/messaging';
import { createValidationPipe, validationPipeOptions } from '@app/platform';

/**
 * What a query string (or a flat JSON body) gives a DTO: each of the DTO's names and one it does not know absent,
 * one value, or the name repeated (an array); a value one of `values` (those that pass and those that fail the
 * DTO's constraints) or, for a name of `base` (a query the DTO accepts), its value there.
 */
export function queryOf(
  names: readonly string[],
  values: readonly unknown[],
  base: Readonly<Record<string, unknown>> = {},
): fc.Arbitrary<Record<string, unknown>> {
  const one = fc.constantFrom(...values);
  // A name of `base` is there as in `base` most of the time; any other mostly absent, as in real requests.
  const valueOf = (name: string) =>
    fc.oneof(
      ...(name in base ? [{ weight: 12, arbitrary: fc.constant(base[name]) }] : [{ weight: 12, arbitrary: fc.constant(undefined) }]),
      { weight: 3, arbitrary: one },
      { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) },
    );
  const all = [...names, 'unknownField'];
  return fc
    .tuple(...all.map(valueOf))
    .map((vs) => Object.fromEntries(vs.flatMap((v, i) => (v === undefined ? [] : [[all[i], v] as const]))));
}

type Outcome = { ok: true; value: unknown } | { ok: false; status: number; body: unknown };

async function outcome(pipe: ValidationPipe, input: unknown, metadata: ArgumentMetadata): Promise<Outcome> {
  try {
    return { ok: true, value: JSON.parse(JSON.stringify(await pipe.transform(structuredClone(input), metadata))) as unknown };
  } catch (err) {
    const e = err as { getStatus?: () => number; getResponse?: () => unknown };
    if (!e.getStatus || !e.getResponse) throw err;
    return { ok: false, status: e.getStatus(), body: e.getResponse() };
  }
}

/**
 * The global pipe (compiled verdicts) against Nest's own ValidationPipe with the same options, on generated
 * queries for `dto` (its names from its decorators, its values from `values` and `base`): the same value out, or
 * the same error with the same messages. Returns how many runs were accepted and refused, and whether the DTO's
 * verdicts were compiled at all, so a caller can tell that both ways were tried.
 */
export async function expectSamePipeVerdicts(
  dto: new () => object,
  values: readonly unknown[],
  base: Readonly<Record<string, unknown>> = {},
  numRuns = 200,
): Promise<{ accepted: number; refused: number; compiled: boolean }> {
  const names = [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((m) => m.propertyName),
    ),
  ];
  const compiled = createValidationPipe();
  const stock = new ValidationPipe(validationPipeOptions());
  const metadata: ArgumentMetadata = { type: 'query', metatype: dto, data: '' };
  const seen = { accepted: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(queryOf(names, values, base), async (q) => {
      const [a, b] = await Promise.all([outcome(compiled, q, metadata), outcome(stock, q, metadata)]);
      expect(a).toEqual(b);
      if (a.ok) seen.accepted += 1;
      else seen.refused += 1;
    }),
    { numRuns },
  );
  return { ...seen, compiled: compiledStrictCheck(dto) !== null };
}

/**
 * One test per DTO (with a query it accepts as `base`, `{}` when none is needed): the DTO's verdicts are compiled,
 * and equal class-validator's on generated queries, accepted and refused both tried.
 */
export function itJudgesAsClassValidator(cases: Array<[new () => object, Record<string, unknown>]>, values: readonly unknown[]): void {
  it.each(cases)(
    '%p: compiled verdicts equal class-validator’s, both ways tried',
    async (dto, base) => {
      const seen = await expectSamePipeVerdicts(dto, values, base);
      expect(seen.compiled).toBe(true);
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    },
    60_000,
  );
}
