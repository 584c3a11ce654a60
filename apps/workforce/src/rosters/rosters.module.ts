import { Module } from '@nestjs/common';
import { RosterImportService } from './roster-import.service';
import { RosterImportStore } from './roster-import.store';
import { RosterScope } from './roster-scope.service';
import { RostersController } from './rosters.controller';
import { RosterTemplateController } from './roster-template.controller';

@Module({
  controllers: [RostersController, RosterTemplateController],
  providers: [RosterImportStore, RosterImportService, RosterScope],
  exports: [RosterScope, RosterImportService, RosterImportStore],
})
export class RostersModule {}
