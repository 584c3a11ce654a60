import { ServiceConfig } from '@app/platform';

/** The rates service's environment (see README.md, Configuration). */
export class RatesConfig extends ServiceConfig {}
