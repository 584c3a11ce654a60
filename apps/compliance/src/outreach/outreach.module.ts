import { Module } from '@nestjs/common';
import { ReadModelModule } from '../common/read-model.module';
import { OutreachController } from './outreach.controller';
import { OutreachService } from './outreach.service';

@Module({ imports: [ReadModelModule], controllers: [OutreachController], providers: [OutreachService], exports: [OutreachService] })
export class OutreachModule {}
