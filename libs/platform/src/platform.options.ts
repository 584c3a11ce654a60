import type { ServiceName } from '@app/contracts';
import type { ServiceConfig } from './config/service-config';

export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');

export interface PlatformOptions {
  readonly service: ServiceName;
  readonly config: ServiceConfig;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: Function[];
}
