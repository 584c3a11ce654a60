import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { rootLogger } from '@app/platform';
import { CohortsModule } from '../cohorts/cohorts.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { TargetsModule } from '../targets/targets.module';
import { RegistryConfig } from '../registry.config';
import { resolveDataDir } from './data-dir';
import { SeedService } from './seed.service';

/** SEED=tra-vinh loads the deployment before the service starts listening (the launcher sets it). */
@Injectable()
export class SeedOnBoot implements OnApplicationBootstrap {
  constructor(
    private readonly seed: SeedService,
    private readonly config: RegistryConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = this.config;
    if (config.SEED !== 'tra-vinh') return;
    const summary = await this.seed.seedTraVinh(resolveDataDir(config.SEED_DATA_DIR));
    rootLogger().child({ context: 'seed' }).info(summary, 'Trà Vinh deployment loaded');
  }
}

@Module({
  imports: [OrgUnitsModule, CohortsModule, TargetsModule],
  providers: [SeedService, SeedOnBoot],
  exports: [SeedService],
})
export class SeedModule {}
