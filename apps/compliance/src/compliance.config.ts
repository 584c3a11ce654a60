import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ServiceConfig } from '@app/platform';

/** The compliance service's environment (see README.md, Configuration). */
export class ComplianceConfig extends ServiceConfig {
  /** The read API is the busiest reader of the system (dashboards, exports at 100 concurrent clients): a larger pool by default. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(200)
  override DB_POOL_SIZE = 20;
}
