import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { campaignDateTime, campaignToday, computableSpan, dateWindowErrors, type DateSpan, type DateWindow } from '@app/domain';
import { ProblemException } from '../http/problem.filter';
import { PLATFORM_OPTIONS, type PlatformOptions } from '../platform.options';

/**
 * The campaign calendar of this service: the rules of libs/domain/src/campaign-calendar.ts with the
 * configured CAMPAIGN_START and CAMPAIGN_TIME_ZONE and the clock. Where the service keeps the registry's
 * targets (`PlatformOptions.campaignStartSql`), the earliest published campaign start wins over the
 * configured one, as every dated input is judged by the campaign that is actually running.
 */
@Injectable()
export class CampaignCalendar {
  constructor(
    private readonly ds: DataSource,
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
  ) {}

  /** The configured start: the earliest day of the calendar, whatever targets say. */
  get configuredStart(): string {
    return this.options.config.CAMPAIGN_START;
  }

  today(now: Date = new Date()): string {
    return campaignToday(this.options.config.CAMPAIGN_TIME_ZONE, now);
  }

  /** An instant on the campaign's wall clock, to the second, with its offset (2020-08-30T17:05:12+07:00). */
  dateTime(instant: string | Date): string {
    return campaignDateTime(instant, this.options.config.CAMPAIGN_TIME_ZONE);
  }

  /** The window from a published campaign start read by the caller (e.g. folded into a statement of its own). */
  windowFrom(publishedStart: string | null, now: Date = new Date()): DateWindow {
    return { today: this.today(now), campaignStart: publishedStart ?? this.configuredStart };
  }

  /** The window now, reading the published campaign start when the service keeps one. */
  async window(manager?: EntityManager, now: Date = new Date()): Promise<DateWindow> {
    const sql = this.options.campaignStartSql;
    if (!sql) return this.windowFrom(null, now);
    const rows: Array<{ start: string | null }> = await (manager ?? this.ds).query(`SELECT ${sql} AS start`);
    return this.windowFrom(rows[0]?.start ?? null, now);
  }

  /** 422 problem+json naming every one of `dates` (field → YYYY-MM-DD) outside the window now; nothing when all are within. */
  async assertWithin(dates: Readonly<Record<string, string>>, manager?: EntityManager): Promise<void> {
    const window = await this.window(manager);
    const errors = Object.entries(dates).flatMap(([field, date]) => dateWindowErrors(field, date, window));
    if (errors.length) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, errors.map((e) => e.message).join('; '), errors);
  }

  /** The days computations over timelines may cover (rates): deterministic in the inputs, so from the configured start. */
  computableSpan(now: Date = new Date()): DateSpan {
    return computableSpan(this.configuredStart, this.today(now));
  }
}
