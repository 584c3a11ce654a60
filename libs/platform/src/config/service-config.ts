import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { describeValidationErrors } from '@app/messaging';
import { toBool, toInt } from './env-transforms';
import { HttpEdgeConfig } from './http-edge-config';

/**
 * The environment every service reads, validated at boot: a bad or missing variable stops the
 * service with one line naming it. Services extend this class with their own variables; the HTTP edge
 * (proxies, rate limits, metrics listener, watchdog) is in HttpEdgeConfig.
 */
export class ServiceConfig extends HttpEdgeConfig {
  @Matches(/^postgres(ql)?:\/\/[^\s/]+(:\d+)?\/[^\s?]+(\?\S*)?$/, {
    message: 'DATABASE_URL must be a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/bluezone',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bluezone';

  /** The service's own schema (default: the service name with _ for -). */
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DB_SCHEMA must be a lower-case identifier' })
  DB_SCHEMA?: string;

  /** At least 2: at start-up the migrations hold one connection for their lock while they run on another. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Matches(/^(nats|tls):\/\/\S+$/, { message: 'NATS_URL must look like nats://127.0.0.1:4222 (comma-separated for a cluster)' })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prefix of every subject and of the stream names: one per deployment (and per test). */
  @Matches(/^[a-z][a-z0-9_]{0,31}$/, { message: 'EVENTS_NAMESPACE must be a lower-case identifier' })
  EVENTS_NAMESPACE = 'bz';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5)
  NATS_STREAM_REPLICAS = 1;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  /** Bootstraps an admin key in every service; at least 24 characters. */
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  CONSUMERS_ENABLED = true;
}

export class ConfigError extends Error {}

export function loadConfig<T extends ServiceConfig>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls() as unknown as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) raw[key] = env[key] === undefined || env[key] === '' ? defaults[key] : env[key];
  for (const key of Object.keys(env)) if (!(key in raw) && /^[A-Z][A-Z0-9_]*$/.test(key)) raw[key] = env[key];
  const cfg = plainToInstance(cls, raw, { exposeDefaultValues: true });
  const errors = describeValidationErrors(validateSync(cfg as object, { forbidUnknownValues: false }));
  if (errors.length) throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  return cfg;
}
