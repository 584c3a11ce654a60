import { Module, type DynamicModule } from '@nestjs/common';
import { durableName, PlatformModule } from '@app/platform';
import { REGISTRY_REPLICA_MIGRATIONS, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import { FiguresModule } from './figures/figures.module';
import { RATES_INPUT_LANES } from './inputs/handlers/rates-inputs.handler';
import { InputsModule } from './inputs/inputs.module';
import { RatesState1764460800300 } from './migrations/1764460800300-RatesState';
import { RatesPublished1764547200400 } from './migrations/1764547200400-RatesPublished';
import { AppendOnlyDirtyMarks1764547200500 } from './migrations/1764547200500-AppendOnlyDirtyMarks';
import type { RatesConfig } from './rates.config';

/**
 * Durable consumers of the service, deleted by a rebuild so the next start replays from sequence 1 (with
 * `rates-inputs`, the single inputs consumer of earlier versions, so an upgraded deployment loses it too).
 */
export const RATES_DURABLES: readonly string[] = [
  ...RATES_INPUT_LANES.map((lane) => durableName('rates', 'inputs', lane)),
  'rates-inputs',
  'rates-registry-replica',
];

/** Tables a rebuild empties: every input, every computed row, the marks and the inbox. */
export const RATES_STATE_TABLES = [
  'rates_units',
  'rates_reports',
  'rates_denominators',
  'rates_targets',
  'rates_support_sessions',
  'rates_transport_checks',
  'rates_dirty',
  'rates_dirty_targets',
  'rates_figures',
  'rates_target_statuses',
  'rates_published_figures',
  'rates_published_statuses',
  'replica_org_units',
  'replica_org_unit_retirements',
  'replica_api_keys',
  'inbox',
] as const;

@Module({})
export class RatesModule {
  static register(config: RatesConfig): DynamicModule {
    return {
      module: RatesModule,
      imports: [
        PlatformModule.forService({
          service: 'rates',
          config,
          migrations: [
            ...REGISTRY_REPLICA_MIGRATIONS,
            RatesState1764460800300,
            RatesPublished1764547200400,
            AppendOnlyDirtyMarks1764547200500,
          ],
          auth: replicaAuthProviders,
        }),
        InputsModule,
        FiguresModule,
      ],
      providers: [RegistryReplicaHandlers],
    };
  }
}
