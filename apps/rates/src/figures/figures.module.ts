import { Module } from '@nestjs/common';
import { FigureFlusher } from './figure-flusher.service';
import { FigureModelLoader } from './figure-model.loader';
import { FigureRecomputeService } from './figure-recompute.service';
import { FiguresController } from './figures.controller';

@Module({
  controllers: [FiguresController],
  providers: [FigureModelLoader, FigureRecomputeService, FigureFlusher],
  exports: [FigureRecomputeService, FigureFlusher],
})
export class FiguresModule {}
