import { ServiceConfig } from '@app/platform';

/** The registry service's environment (see README.md, Configuration). */
export class RegistryConfig extends ServiceConfig {}
