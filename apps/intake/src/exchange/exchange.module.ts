import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { ExchangeController } from './exchange.controller';
import { ExchangeImportService } from './exchange-import.service';
import { ExchangeMappingStore } from './exchange-mapping.store';

/** DHIS2 exchange (issue 20): ADX and dataValueSets imports, through the reports' batch. */
@Module({
  imports: [ReportsModule],
  controllers: [ExchangeController],
  providers: [ExchangeImportService, ExchangeMappingStore],
})
export class ExchangeModule {}
