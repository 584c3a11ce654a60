import { Module } from '@nestjs/common';
import { RostersModule } from '../rosters/rosters.module';
import { RosterPrivacyController } from './roster-privacy.controller';
import { RosterPrivacyService } from './roster-privacy.service';

@Module({ imports: [RostersModule], controllers: [RosterPrivacyController], providers: [RosterPrivacyService] })
export class RosterPrivacyModule {}
