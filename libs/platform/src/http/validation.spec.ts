import { Type } from 'class-transformer';
import { Allow, IsDefined, IsInt, IsOptional, IsString, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { compiledStrictCheck } from '@app/messaging';
import { expectSamePipeVerdicts } from '@test/support/pipe-equivalence';
import { QueryInt } from './query-params';

class Edges {
  // class-validator checks the conditions first: @IsOptional skips even @IsDefined.
  @IsOptional()
  @IsDefined()
  @IsString()
  defined?: string;

  // Only @Allow: whitelisted, never validated.
  @Allow()
  free?: unknown;

  @ValidateIf((o: Edges) => o.free !== undefined)
  @IsInt()
  @Min(0)
  @Max(9)
  digit?: number;

  @QueryInt({ min: 1, max: 3 })
  level?: number;
}

class Inner {
  @IsString()
  name!: string;
}

class Nested {
  @IsOptional()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;
}

const VALUES = ['a', '', '1', '3', '4', 0, 5, 10, -1, 1.5, null, true, { name: 'x' }, { name: 1 }];

describe('the global validation pipe', () => {
  it('compiles a flat DTO and judges it as class-validator does (IsOptional over IsDefined, Allow, ValidateIf)', async () => {
    const seen = await expectSamePipeVerdicts(Edges, VALUES, {}, 400);
    expect(seen).toEqual({ accepted: expect.any(Number), refused: expect.any(Number), compiled: true });
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('leaves a DTO with nested objects to class-validator, with the same verdicts', async () => {
    expect(compiledStrictCheck(Nested)).toBeNull();
    const seen = await expectSamePipeVerdicts(Nested, VALUES, {}, 200);
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('compiles the whitelist and the conditions, which come before every constraint', () => {
    const check = compiledStrictCheck(Edges)!;
    expect(check({ defined: 5 } as never)).toBe(false);
    expect(check({ defined: null } as never)).toBe(true);
    expect(check({} as never)).toBe(true);
    expect(check({ defined: 'a', unknownField: 'x' } as never)).toBe(false);
    expect(check({ defined: 'a', free: [1, 2], digit: 3 } as never)).toBe(true);
    expect(check({ defined: 'a', free: 'x', digit: 10 } as never)).toBe(false);
    expect(check({ defined: 'a', digit: 10 } as never)).toBe(true);
  });
});
