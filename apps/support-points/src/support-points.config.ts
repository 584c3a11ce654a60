import { ServiceConfig } from '@app/platform';

/** The support-points service's environment (see README.md, Configuration). */
export class SupportPointsConfig extends ServiceConfig {}
