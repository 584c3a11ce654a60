import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ServiceConfig, toInt } from '@app/platform';

export const SEEDS = ['off', 'tra-vinh'] as const;
export type SeedName = (typeof SEEDS)[number];

/** The registry service's environment (see README.md, Configuration). */
export class RegistryConfig extends ServiceConfig {
  /** `tra-vinh` loads the Trà Vinh deployment at boot (idempotent: a second load changes nothing). */
  @IsIn(SEEDS, { message: `SEED must be one of ${SEEDS.join(', ')}` })
  SEED: SeedName = 'off';

  /** Where the reference CSV files are; by default the `data/` folder of the repository. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  SEED_DATA_DIR?: string;

  /** How often the registry announces itself and its keys' last change to the other services (README, Security). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REGISTRY_HEARTBEAT_MS = 5000;
}
