import { Module } from '@nestjs/common';
import { RosterImportService } from './roster-import.service';
import { RosterImportStore } from './roster-import.store';
import { RostersController } from './rosters.controller';

@Module({
  controllers: [RostersController],
  providers: [RosterImportStore, RosterImportService],
})
export class RostersModule {}
