import { Module } from '@nestjs/common';
import { QualityController } from './quality.controller';
import { QualityHandlers } from './quality.handlers';
import { QualityService } from './quality.service';
import { QUALITY_SETTINGS, qualitySettingsFrom } from './quality.settings';

/** Data quality (issue 20): rules evaluated as reports arrive, the follow-up list, the roster reconciliation. */
@Module({
  controllers: [QualityController],
  providers: [QualityHandlers, QualityService, { provide: QUALITY_SETTINGS, useFactory: () => qualitySettingsFrom(process.env) }],
  exports: [QualityService],
})
export class QualityModule {}
