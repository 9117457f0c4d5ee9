import { Global, Module } from '@nestjs/common';
import { BreakerMetrics } from './breaker-metrics';
import { MetricsController } from './metrics.controller';

@Global()
@Module({
  providers: [BreakerMetrics],
  controllers: [MetricsController],
  exports: [BreakerMetrics],
})
export class ObservabilityModule {}
