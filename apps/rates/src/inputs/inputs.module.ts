import { Module } from '@nestjs/common';
import { RatesInputsHandler } from './handlers/rates-inputs.handler';
import { RatesInputsService } from './rates-inputs.service';

@Module({ providers: [RatesInputsService, RatesInputsHandler] })
export class InputsModule {}
