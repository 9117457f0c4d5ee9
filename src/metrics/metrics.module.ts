import { Module } from '@nestjs/common';
import { BreakersModule } from '../breakers/breakers.module';
import { MetricsResolver } from './metrics.resolver';
import { MetricsService } from './metrics.service';

@Module({
  imports: [BreakersModule],
  providers: [MetricsService, MetricsResolver],
})
export class MetricsModule {}
