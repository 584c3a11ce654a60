import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PLATFORM_OPTIONS, type PlatformOptions } from '@app/platform';
import { todayIn, type DateWindow } from '../common/calendar';
import type { IntakeConfig } from '../intake.config';

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
    const rows: Array<{ start: string | null }> = await (manager ?? this.ds).query(
      `SELECT to_char(min(campaign_start), 'YYYY-MM-DD') AS start FROM campaign_targets WHERE campaign_start IS NOT NULL`,
    );
    return { today: todayIn(this.config.CAMPAIGN_TIME_ZONE, now), campaignStart: rows[0]?.start ?? this.config.CAMPAIGN_START };
  }
}
