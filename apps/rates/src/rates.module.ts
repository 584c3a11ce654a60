import { Module, type DynamicModule } from '@nestjs/common';
import { durableName, PlatformModule } from '@app/platform';
import { REGISTRY_REPLICA_MIGRATIONS, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import { FiguresModule } from './figures/figures.module';
import { RATES_INPUT_LANES, RETIRED_RATES_DURABLES } from './inputs/handlers/rates-inputs.handler';
import { InputsModule } from './inputs/inputs.module';
import { RatesState1764460800300 } from './migrations/1764460800300-RatesState';
import { RatesPublished1764547200400 } from './migrations/1764547200400-RatesPublished';
import { AppendOnlyDirtyMarks1764547200500 } from './migrations/1764547200500-AppendOnlyDirtyMarks';
import { DropWriteOnlyInputs1765100000600 } from './migrations/1765100000600-DropWriteOnlyInputs';
import { Rollups1765100000700 } from './migrations/1765100000700-Rollups';
import { ForecastUntilDeadline1765200000800 } from './migrations/1765200000800-ForecastUntilDeadline';
import { DirtyMarkUntil1765300000900 } from './migrations/1765300000900-DirtyMarkUntil';
import { StatusSpanTargetWindow1765300001000 } from './migrations/1765300001000-StatusSpanTargetWindow';
import { ReportsLatestVersion1765400001100 } from './migrations/1765400001100-ReportsLatestVersion';
import { PublishedTimelinesOnly1765500001200 } from './migrations/1765500001200-PublishedTimelinesOnly';
import { StatusWithdrawals1765600001300 } from './migrations/1765600001300-StatusWithdrawals';
import { WithdrawStaleStatuses1765600001400 } from './migrations/1765600001400-WithdrawStaleStatuses';
import type { RatesConfig } from './rates.config';

/**
 * Durable consumers of the service, deleted by a rebuild so the next start replays from sequence 1 (with
 * the retired ones of earlier versions, so an upgraded deployment loses them too).
 */
export const RATES_DURABLES: readonly string[] = [
  ...RATES_INPUT_LANES.map((lane) => durableName('rates', 'inputs', lane)),
  ...RETIRED_RATES_DURABLES,
  'rates-registry-replica',
];

/** The service's migrations, in order (the service at start, the rebuild before it empties the tables). */
export const RATES_MIGRATIONS = [
  ...REGISTRY_REPLICA_MIGRATIONS,
  RatesState1764460800300,
  RatesPublished1764547200400,
  AppendOnlyDirtyMarks1764547200500,
  DropWriteOnlyInputs1765100000600,
  Rollups1765100000700,
  ForecastUntilDeadline1765200000800,
  DirtyMarkUntil1765300000900,
  StatusSpanTargetWindow1765300001000,
  ReportsLatestVersion1765400001100,
  PublishedTimelinesOnly1765500001200,
  StatusWithdrawals1765600001300,
  WithdrawStaleStatuses1765600001400,
];

/** Tables a rebuild empties: every input, every computed row, the marks and the inbox. */
export const RATES_STATE_TABLES = [
  'rates_units',
  'rates_reports',
  'rates_denominators',
  'rates_targets',
  'rates_dirty',
  'rates_dirty_targets',
  'rates_published_figures',
  'rates_published_statuses',
  'rates_rollups',
  'rates_rollup_spans',
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
          migrations: RATES_MIGRATIONS,
          auth: replicaAuthProviders,
        }),
        InputsModule,
        FiguresModule,
      ],
      providers: [RegistryReplicaHandlers],
    };
  }
}
