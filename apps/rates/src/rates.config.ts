import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ServiceConfig } from '@app/platform';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** The rates service's environment (see README.md, Configuration). */
export class RatesConfig extends ServiceConfig {
  /** How long dirty figures wait to be recomputed together: a burst of reports costs one recompute per window, not one per report. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  RATES_FLUSH_DEBOUNCE_MS = 250;

  /**
   * Most dirty marks (unit, cohort) one flush transaction takes, whole partitions at a time: with a backlog,
   * every replica takes a share of it instead of the first one taking everything.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATES_FLUSH_BATCH_MARKS = 2_000;

  /** Reporting window of figures (targets use their own): a unit is counted as reporting on a day when its latest report is within this many days. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(366)
  RATES_FIGURE_WINDOW_DAYS = 7;
}
