import { Module } from '@nestjs/common';
import { ExchangeMappingController } from './exchange-mapping.controller';
import { ExchangeMappingService } from './exchange-mapping.service';

@Module({ controllers: [ExchangeMappingController], providers: [ExchangeMappingService], exports: [ExchangeMappingService] })
export class ExchangeMappingModule {}
