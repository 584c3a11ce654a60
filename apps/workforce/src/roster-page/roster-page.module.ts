import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { RostersModule } from '../rosters/rosters.module';
import { RosterPageController } from './roster-page.controller';
import { RosterPageEnterprises } from './roster-page.enterprises';
import { RosterPageSessionMiddleware } from './roster-page.session';

@Module({
  imports: [RostersModule],
  controllers: [RosterPageController],
  providers: [RosterPageEnterprises],
})
export class RosterPageModule implements NestModule {
  /** The page's routes only: the roster API (/v1/…) never reads the cookie. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RosterPageSessionMiddleware).forRoutes('rosters', 'rosters/*path');
  }
}
