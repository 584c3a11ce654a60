import { Transform } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { ServiceConfig } from '@app/platform';

/** A number from the environment (integers and decimals alike: Number()). */
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Used only when NODE_ENV is not `production` and no secret is set, so a developer machine and the tests
 * start without ceremony. It is public (it is in this file): hashes made with it protect nothing.
 */
export const DEV_ROSTER_HMAC_SECRET = 'dev-only-roster-hmac-secret-not-for-production';

/** The workforce service's environment (see README.md, Configuration). */
export class WorkforceConfig extends ServiceConfig {
  @IsOptional()
  @IsString()
  NODE_ENV?: string = undefined;

  /**
   * Key of the HMAC-SHA256 that employee ids are stored under. Required (≥ 32 characters) in production;
   * changing it makes every worker look new at the next upload (the diff counts all as joined/left).
   */
  @ValidateIf((o: WorkforceConfig) => o.NODE_ENV === 'production' || o.ROSTER_HMAC_SECRET !== undefined)
  @IsString({ message: 'ROSTER_HMAC_SECRET is required in production (at least 32 characters)' })
  @MinLength(32, { message: 'ROSTER_HMAC_SECRET must be at least 32 characters' })
  ROSTER_HMAC_SECRET?: string = undefined;

  /** Most rows one roster file may hold, blank rows included (they cost as much to read). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  ROSTER_MAX_ROWS = 1_000_000;

  /** Largest roster upload, in bytes (only the roster route streams bodies this large; JSON stays at the platform limit). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(4 * 1024 * 1024 * 1024)
  ROSTER_MAX_BYTES = 512 * 1024 * 1024;

  /**
   * Most bytes inflated from one XLSX upload (its sheet, shared strings and workbook parts together), counted
   * while inflating: a zip bomb is stopped at this point, whatever its headers say. A roster written by Excel
   * or exceljs unpacks to about 330 bytes a row (the benchmark's 200,000 rows: 66 MB), so 1,000,000 rows to
   * about 330 MB.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024 * 1024)
  @Max(16 * 1024 * 1024 * 1024)
  ROSTER_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

  /**
   * Days a roster's rows (hashed ids and flags: personal data) are kept after their upload finished; then
   * they are erased and only the counts stay (docs/data-protection.md).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36_500)
  ROSTER_RETENTION_DAYS = 365;

  /**
   * Largest share of the previous roster (0–1) a replacement may remove and still be put in force at once;
   * one removing more (a 5-row file replacing 120 workers) is held as pending until the EZ board (or an
   * admin) confirms it with its preview token. 1 turns the hold off.
   */
  @IsOptional()
  @Transform(toInt)
  @IsNumber()
  @Min(0)
  @Max(1)
  ROSTER_MAX_REMOVAL_SHARE = 0.2;

  /** Hours a dry run's preview or a pending upload waits for confirmation; then it expires and its rows are erased. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 90)
  ROSTER_HOLD_HOURS = 72;

  /** A running import whose heartbeat is older than this is taken for dead (its process crashed) and marked failed. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(3_600_000)
  ROSTER_STALE_AFTER_MS = 60_000;

  /** The secret actually used: the configured one, or the development default outside production. */
  get rosterHmacSecret(): string {
    if (this.ROSTER_HMAC_SECRET) return this.ROSTER_HMAC_SECRET;
    if (this.NODE_ENV === 'production') throw new Error('ROSTER_HMAC_SECRET is required in production');
    return DEV_ROSTER_HMAC_SECRET;
  }
}
