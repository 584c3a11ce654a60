import { Module } from '@nestjs/common';
import { ReadModelModule } from '../common/read-model.module';
import { ExchangeExportController } from './exchange-export.controller';
import { ExchangeExportService } from './exchange-export.service';

/** DHIS2 exchange (issue 20): the read model's reports exported as ADX and as a DHIS2 data value set. */
@Module({ imports: [ReadModelModule], controllers: [ExchangeExportController], providers: [ExchangeExportService] })
export class ExchangeExportModule {}
