import type { ServiceName } from '@app/contracts';
import type { ServiceConfig } from './config/service-config';

export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');

export interface PlatformOptions {
  readonly service: ServiceName;
  readonly config: ServiceConfig;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: Function[];
  /**
   * An SQL expression over the service's own tables giving the earliest campaign start of the registry's
   * targets (YYYY-MM-DD, or NULL when none is known), for the CampaignCalendar; absent: CAMPAIGN_START only.
   */
  readonly campaignStartSql?: string;
}
