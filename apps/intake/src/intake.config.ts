import { ServiceConfig } from '@app/platform';

/** The intake service's environment (see README.md, Configuration). */
export class IntakeConfig extends ServiceConfig {}
