import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { EventPublisher, NatsLink, serviceInboxPrefix } from '@app/messaging';
import { createServiceDataSource, initializeAndMigrate, EVENT_TABLE_MIGRATIONS } from '@app/persistence';
import { ApiKeyGuard } from './auth/api-key.guard';
import { natsCredentialsOf } from './config/service-config';
import { KEY_DIRECTORY, UNIT_SCOPE } from './auth/principal';
import { ScopeService } from './auth/scope.service';
import { WhoAmIController } from './auth/whoami.controller';
import { CampaignCalendar } from './calendar/campaign-calendar.service';
import { EventOutbox } from './event-outbox.service';
import { EventRuntime } from './event-runtime.service';
import { HealthController } from './health/health.controller';
import { IdempotentRequests1765065601000 } from './idempotency/1765065601000-IdempotentRequests';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { MetricsController, MetricsListener } from './health/metrics.controller';
import { rootLogger } from './logger';
import { PLATFORM_OPTIONS, type PlatformOptions } from './platform.options';

export function schemaOf(options: PlatformOptions): string {
  return options.config.DB_SCHEMA ?? options.service.replace(/-/g, '_');
}

/**
 * What every service stands on: its data source (migrated at start), NATS, the outbox and its relay,
 * event consumers, the API-key guard, `Idempotency-Key` answers, health and metrics. `auth` supplies KEY_DIRECTORY and UNIT_SCOPE.
 */
@Global()
@Module({})
export class PlatformModule {
  static forService(options: PlatformOptions & { auth: Provider[] }): DynamicModule {
    const providers: Provider[] = [
      { provide: PLATFORM_OPTIONS, useValue: options },
      // The service's own validated configuration, injected by its class (`constructor(config: RatesConfig)`).
      { provide: options.config.constructor, useValue: options.config },
      {
        provide: DataSource,
        useFactory: async () => {
          const ds = createServiceDataSource({
            url: options.config.DATABASE_URL,
            schema: schemaOf(options),
            migrations: [...EVENT_TABLE_MIGRATIONS, IdempotentRequests1765065601000, ...options.migrations],
            poolSize: options.config.DB_POOL_SIZE,
            applicationName: options.service,
          });
          await initializeAndMigrate(ds);
          return ds;
        },
      },
      {
        provide: NatsLink,
        useFactory: () =>
          new NatsLink({
            url: options.config.NATS_URL,
            name: options.service,
            credentials: natsCredentialsOf(options.config),
            inboxPrefix: serviceInboxPrefix(options.service),
            onStatus: (m) => rootLogger().child({ context: 'nats' }).info(m),
          }),
      },
      { provide: EventPublisher, useFactory: (link: NatsLink) => new EventPublisher(link), inject: [NatsLink] },
      EventOutbox,
      EventRuntime,
      ScopeService,
      CampaignCalendar,
      IdempotencyStore,
      MetricsListener,
      { provide: APP_GUARD, useClass: ApiKeyGuard },
      ...options.auth,
    ];
    return {
      module: PlatformModule,
      imports: [DiscoveryModule, TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController, WhoAmIController],
      providers,
      exports: [
        PLATFORM_OPTIONS,
        options.config.constructor,
        DataSource,
        NatsLink,
        EventPublisher,
        EventOutbox,
        EventRuntime,
        ScopeService,
        CampaignCalendar,
        IdempotencyStore,
        KEY_DIRECTORY,
        UNIT_SCOPE,
      ],
    };
  }
}
