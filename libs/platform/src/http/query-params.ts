import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Highest page offset any list takes: far past any list, and inside PostgreSQL's OFFSET (a bigint). */
export const PAGE_OFFSET_MAX = 1_000_000_000;

/** Only plain decimal integers become numbers ("12"); "1e3", "0x10" and " 7" fail IsInt, 99999999999999999999 fails Max, by name. */
const strictInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

/**
 * An optional integer query parameter within [min, max]: every numeric query parameter of every
 * service is one, so none reaches a query unbounded (a 20-digit offset was a 500 from PostgreSQL).
 */
export function QueryInt(options: { min: number; max: number; default?: number; description?: string }): PropertyDecorator {
  const { min, max, ...doc } = options;
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, ...doc }),
    IsOptional(),
    Transform(strictInt),
    IsInt(),
    Min(min),
    Max(max),
  );
}
