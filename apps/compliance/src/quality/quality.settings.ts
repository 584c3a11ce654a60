import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, IsNumber, Max, Min, validateSync } from 'class-validator';

const toNumber = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * The thresholds of the data-quality rules, from the environment (README.md, Configuration; docs/api.md, Data
 * quality). Defaults are tuned on the campaign simulator's data (quality.simulator.spec.ts): a normal campaign
 * raises a handful of follow-ups, not hundreds.
 */
export class QualitySettings {
  /** rate_drop: the install rate may fall this much (a share: 0.01 = one percentage point) between two reports before it is a violation. */
  @Transform(toNumber) @IsNumber() @Min(0) @Max(1) QUALITY_RATE_DROP = 0.01;
  /** outlier_jump: the modified z-score (0.6745·(x − median)/MAD) an increase must pass, against both references it has. */
  @Transform(toNumber) @IsNumber() @Min(1) @Max(100) QUALITY_JUMP_Z = 3.5;
  /** outlier_jump: the unit's own earlier increases needed to judge a jump at all; its siblings' count when they have as many. */
  @Transform(toNumber) @IsInt() @Min(2) @Max(100) QUALITY_JUMP_MIN_POINTS = 3;
  /** outlier_jump: siblings' increases count when they end within this many days before the report. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(366) QUALITY_JUMP_WINDOW_DAYS = 14;
  /** outlier_jump: an increase of fewer people than this is never a jump (small units move in big steps). */
  @Transform(toNumber) @IsInt() @Min(0) QUALITY_JUMP_MIN_INCREASE = 10;
  /** holders_over_headcount: smartphone holders may exceed the known headcount by this share. */
  @Transform(toNumber) @IsNumber() @Min(0) @Max(10) QUALITY_HOLDERS_MARGIN = 0.05;
  /** stale_copy: the same four counts reported for this many days (from the first copy to the report) is a violation. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(366) QUALITY_STALE_DAYS = 3;
  /** over_denominator: the reported headcount may exceed the registry's denominator by this share. */
  @Transform(toNumber) @IsNumber() @Min(0) @Max(10) QUALITY_DENOMINATOR_TOLERANCE = 0;
  /** roster_mismatch: installed or Bluetooth-on may differ from the roster's by this share of the roster's count… */
  @Transform(toNumber) @IsNumber() @Min(0) @Max(10) QUALITY_ROSTER_TOLERANCE = 0.1;
  /** …or by this many people, whichever is larger. */
  @Transform(toNumber) @IsInt() @Min(0) QUALITY_ROSTER_MIN_DIFFERENCE = 5;
}

/** The settings from an environment; a value out of range stops the service with the variable named. */
export function qualitySettingsFrom(env: NodeJS.ProcessEnv = process.env, overrides: Partial<QualitySettings> = {}): QualitySettings {
  const defaults = new QualitySettings() as unknown as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) raw[key] = env[key] === undefined || env[key] === '' ? defaults[key] : env[key];
  const s = plainToInstance(QualitySettings, { ...raw, ...overrides }, { exposeDefaultValues: true });
  const errors = validateSync(s);
  if (errors.length)
    throw new Error(
      `invalid configuration: ${errors.map((e) => `${e.property} ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ')}`,
    );
  return s;
}

/** The injection token of the rules' settings. */
export const QUALITY_SETTINGS = Symbol('QUALITY_SETTINGS');
