import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidateBy,
  ValidateIf,
  validateSync,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isCalendarDate } from '@app/contracts';
import { DEFAULT_CAMPAIGN_START, DEFAULT_CAMPAIGN_TIME_ZONE, isTimeZone } from '@app/domain';
import { describeValidationErrors, type NatsCredentials } from '@app/messaging';

import { toBool, toInt } from './env-transforms';
import { HttpEdgeConfig } from './http-edge-config';

export { toBool, toInt };

@ValidatorConstraint({ name: 'timeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isTimeZone(value);
  }
  defaultMessage(): string {
    return 'CAMPAIGN_TIME_ZONE must be an IANA time zone such as Asia/Ho_Chi_Minh';
  }
}

@ValidatorConstraint({ name: 'calendarDate' })
class IsConfigDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isCalendarDate(value);
  }
  defaultMessage(): string {
    return 'CAMPAIGN_START must be a real date written YYYY-MM-DD';
  }
}

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

  /** The service's NATS user (with NATS_PASSWORD); the server lets it publish its own subjects only (README, Security). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'NATS_USER must be a user name of letters, digits, _ . -' })
  NATS_USER?: string;

  @ValidateIf((c: ServiceConfig) => c.NATS_USER !== undefined || c.NATS_PASSWORD !== undefined)
  @ValidateBy({
    name: 'passwordWithUser',
    validator: {
      validate: (v: unknown, a) => typeof v === 'string' && v.length > 0 && (a?.object as ServiceConfig).NATS_USER !== undefined,
      defaultMessage: () => 'NATS_USER and NATS_PASSWORD go together: give both or neither',
    },
  })
  NATS_PASSWORD?: string;

  /** Instead of a user and password: the service's NKEY seed (`SU…`); the server holds only the public key. */
  @IsOptional()
  @Matches(/^SU[A-Z2-7]{56}$/, { message: 'NATS_NKEY_SEED must be a user NKEY seed (SU followed by 56 base32 characters)' })
  @ValidateBy({
    name: 'nkeyWithoutUser',
    validator: {
      validate: (_v: unknown, a) => (a?.object as ServiceConfig).NATS_USER === undefined,
      defaultMessage: () => 'NATS_NKEY_SEED and NATS_USER exclude each other: give one way to sign in',
    },
  })
  NATS_NKEY_SEED?: string;

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

  /**
   * How long published outbox rows are kept, so that an event the broker loses after acknowledging it can be
   * published again when a consumer finds it missing (docs/architecture.md, Delivery). Pruned in batches.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8760)
  OUTBOX_RETAIN_HOURS = 72;

  /** How often each consumer checks its producers' numbers for events the stream lost (0: never). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  EVENT_GAP_CHECK_MS = 30_000;

  /**
   * The campaign calendar (libs/platform/src/calendar): no dated input before the campaign start. When the
   * registry has published targets with a `campaignStart`, the earliest of those wins where the service
   * keeps them (registry, intake, support-points, workforce); this is the fallback until then, and the
   * earliest day rates computes.
   */
  @IsString()
  @Validate(IsConfigDate)
  CAMPAIGN_START = DEFAULT_CAMPAIGN_START;

  /** "Not in the future" is judged by the calendar of the province (UTC+7), not of the server. */
  @IsString()
  @Validate(IsTimeZone)
  CAMPAIGN_TIME_ZONE = DEFAULT_CAMPAIGN_TIME_ZONE;

  /**
   * The registry's HTTP address, where a service whose key replica may be stale checks keys (README, Design
   * notes, Revocation while the bus is down). Unset: such a key is only held to the conservative policy.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'REGISTRY_URL must be an http(s) URL such as http://127.0.0.1:3001' })
  REGISTRY_URL?: string;

  /** Not heard from the registry for this long, a service no longer trusts its key replica alone. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  KEY_STALENESS_MS = 15_000;
}

/** The NATS credentials the configuration gives (none, a user and password, or an NKEY seed). */
export function natsCredentialsOf(config: ServiceConfig): NatsCredentials {
  return { user: config.NATS_USER, password: config.NATS_PASSWORD, nkeySeed: config.NATS_NKEY_SEED };
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
