import { Module } from '@nestjs/common';
import { ContactAccessService } from './contacts';
import { ReadModelService } from './read-model.service';

@Module({ providers: [ReadModelService, ContactAccessService], exports: [ReadModelService, ContactAccessService] })
export class ReadModelModule {}
