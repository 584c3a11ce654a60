import { Module } from '@nestjs/common';
import { FigureFlusher } from './figure-flusher.service';
import { FigureRecomputeService } from './figure-recompute.service';
import { FiguresController } from './figures.controller';

@Module({
  controllers: [FiguresController],
  providers: [FigureRecomputeService, FigureFlusher],
  exports: [FigureRecomputeService, FigureFlusher],
})
export class FiguresModule {}
