import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import {
  ExchangeMappingReplica1796526000001,
  ExchangeMappingReplicaHandlers,
  REGISTRY_REPLICA_MIGRATIONS,
  RegistryReplicaHandlers,
  replicaAuthProviders,
} from '@app/replica';
import { AnalyticsModule } from './analytics/analytics.module';
import type { ComplianceConfig } from './compliance.config';
import { DailyReportModule } from './daily-report/daily-report.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ExchangeExportModule } from './exchange/exchange-export.module';
import { OutreachModule } from './outreach/outreach.module';
import { ComplianceProjection1764547200000 } from './migrations/1764547200000-ComplianceProjection';
import { ProjectionEventOrder1764633600000 } from './migrations/1764633600000-ProjectionEventOrder';
import { ReadPaths1764720000000 } from './migrations/1764720000000-ReadPaths';
import { StatusCountsByDate1796537736000 } from './migrations/1796537736000-StatusCountsByDate';
import { NamesContactsAccess1764806400000 } from './migrations/1764806400000-NamesContactsAccess';
import { ProjectionModule } from './projection/projection.module';
import { QualityFollowUps1765238400000 } from './migrations/1765238400000-QualityFollowUps';
import { QualityModule } from './quality/quality.module';
import { ReadModelVersionSlots1796600000000 } from './migrations/1796600000000-ReadModelVersionSlots';
import { DropQualityReportsDayIndex1796700000000 } from './migrations/1796700000000-DropQualityReportsDayIndex';
import { QualityViolationsByReport1796800000000 } from './migrations/1796800000000-QualityViolationsByReport';
import { StatusWithdrawals1796900000000 } from './migrations/1796900000000-StatusWithdrawals';

export const COMPLIANCE_MIGRATIONS = [
  ...REGISTRY_REPLICA_MIGRATIONS,
  ComplianceProjection1764547200000,
  ProjectionEventOrder1764633600000,
  ReadPaths1764720000000,
  NamesContactsAccess1764806400000,
  ExchangeMappingReplica1796526000001,
  QualityFollowUps1765238400000,
  StatusCountsByDate1796537736000,
  ReadModelVersionSlots1796600000000,
  DropQualityReportsDayIndex1796700000000,
  QualityViolationsByReport1796800000000,
  StatusWithdrawals1796900000000,
];

@Module({})
export class ComplianceModule {
  static register(config: ComplianceConfig): DynamicModule {
    return {
      module: ComplianceModule,
      imports: [
        PlatformModule.forService({
          service: 'compliance',
          config,
          migrations: COMPLIANCE_MIGRATIONS,
          auth: replicaAuthProviders,
        }),
        ProjectionModule,
        AnalyticsModule,
        OutreachModule,
        DailyReportModule,
        DashboardModule,
        ExchangeExportModule,
        QualityModule,
      ],
      providers: [RegistryReplicaHandlers, ExchangeMappingReplicaHandlers],
    };
  }
}
