import { Module } from '@nestjs/common';
import { ReadModelModule } from '../common/read-model.module';
import { FieldController } from './field.controller';
import { FieldService } from './field.service';

@Module({ imports: [ReadModelModule], controllers: [FieldController], providers: [FieldService], exports: [FieldService] })
export class FieldModule {}
