import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
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

  /**
   * Where officials' browsers reach the workforce service's roster upload page (`/rosters`), which the
   * dashboard links to for keys that may upload; the launcher sets it from the workforce port.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  WORKFORCE_PUBLIC_URL = 'http://127.0.0.1:3004';
}
