import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength, registerDecorator, ValidateIf } from 'class-validator';
import { parseTrustProxy } from '../http/trust-proxy';
import { toInt } from './env-transforms';

function IsTrustProxy(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTrustProxy',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => {
          try {
            parseTrustProxy(String(value));
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: (args) => {
          try {
            parseTrustProxy(String(args?.value));
            return '';
          } catch (err) {
            return (err as Error).message;
          }
        },
      },
    });
}

/** A count where 0 turns the limit off. */
const Limit = (max: number) => applyDecorators(IsOptional(), Transform(toInt), IsInt(), Min(0), Max(max));

/**
 * The HTTP edge of every service: which proxies to believe, rate limits, where Prometheus scrapes, and
 * how long the event loop may be blocked before the watchdog ends the process.
 */
export class HttpEdgeConfig {
  /** Off unless set: a list of proxy addresses/CIDRs, or a hop count (see http/trust-proxy.ts). */
  @IsOptional()
  @IsString()
  @IsTrustProxy()
  TRUST_PROXY?: string;

  /** The window every rate limit below counts in. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  RATE_LIMIT_WINDOW_MS = 60_000;

  /** Requests answered 401 per client address and window; past it the address gets 429 (0: off). */
  @Limit(10_000_000)
  RATE_LIMIT_AUTH_FAILURES = 30;

  /** Writes (POST, PUT, PATCH, DELETE) per API key and window (0: off). */
  @Limit(10_000_000)
  RATE_LIMIT_WRITES_PER_KEY = 6000;

  /** Writes per client address and window, whatever the key (0: off). */
  @Limit(10_000_000)
  RATE_LIMIT_WRITES_PER_ADDRESS = 12_000;

  /** When set, /metrics is also served on this port without a key (for Prometheus on an internal network). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  @IsString()
  @MinLength(1)
  METRICS_HOST = '127.0.0.1';

  /** A process whose event loop is blocked this long is ended by its watchdog (0: no watchdog). */
  @ValidateIf((c: HttpEdgeConfig) => c.EVENT_LOOP_BLOCK_LIMIT_MS !== 0)
  @Transform(toInt)
  @IsInt({ message: 'EVENT_LOOP_BLOCK_LIMIT_MS must be 0 (off) or 100–600000 ms' })
  @Min(100, { message: 'EVENT_LOOP_BLOCK_LIMIT_MS must be 0 (off) or 100–600000 ms' })
  @Max(600_000, { message: 'EVENT_LOOP_BLOCK_LIMIT_MS must be 0 (off) or 100–600000 ms' })
  EVENT_LOOP_BLOCK_LIMIT_MS = 10_000;
}
