import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PLATFORM_OPTIONS, type PlatformOptions } from '@app/platform';
import { todayIn, type DateWindow } from '../common/calendar';
import type { IntakeConfig } from '../intake.config';

/** The earliest published campaign start (YYYY-MM-DD), or null: an expression to fold into another statement. */
export const CAMPAIGN_START_SQL = `(SELECT to_char(min(campaign_start), 'YYYY-MM-DD') FROM campaign_targets WHERE campaign_start IS NOT NULL)`;

/**
 * The dates a submission may carry. The campaign start is the earliest `campaignStart` of the targets the
 * registry has published (replicated into campaign_targets); until one exists, CAMPAIGN_START.
 */
@Injectable()
export class CampaignCalendar {
  private readonly config: IntakeConfig;

  constructor(
    private readonly ds: DataSource,
    @Inject(PLATFORM_OPTIONS) options: PlatformOptions,
  ) {
    this.config = options.config as IntakeConfig;
  }

  async window(manager?: EntityManager, now: Date = new Date()): Promise<DateWindow> {
    const rows: Array<{ start: string | null }> = await (manager ?? this.ds).query(`SELECT ${CAMPAIGN_START_SQL} AS start`);
    return this.windowFrom(rows[0]?.start ?? null, now);
  }

  /** The window from the published campaign start (`CAMPAIGN_START_SQL`, read by the caller in a statement of its own). */
  windowFrom(publishedStart: string | null, now: Date = new Date()): DateWindow {
    return { today: todayIn(this.config.CAMPAIGN_TIME_ZONE, now), campaignStart: publishedStart ?? this.config.CAMPAIGN_START };
  }
}
