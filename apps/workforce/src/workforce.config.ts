import { ServiceConfig } from '@app/platform';

/** The workforce service's environment (see README.md, Configuration). */
export class WorkforceConfig extends ServiceConfig {}
