import { ServiceConfig } from '@app/platform';

/**
 * The intake service's environment (see README.md, Configuration): the platform's. Its campaign calendar
 * (CAMPAIGN_START, CAMPAIGN_TIME_ZONE) is every service's now; intake's published campaign start comes
 * from the registry's targets it replicates (libs/replica, campaign_targets).
 */
export class IntakeConfig extends ServiceConfig {}
