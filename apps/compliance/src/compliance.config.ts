import { ServiceConfig } from '@app/platform';

/** The compliance service's environment (see README.md, Configuration). */
export class ComplianceConfig extends ServiceConfig {}
