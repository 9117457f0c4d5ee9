import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AnalyticsService } from './analytics.service';

/** Regrades the cluster every HEALTH_RECOMPUTE_INTERVAL_MS; the advisory lock lets one instance at a time do it. */
@Injectable()
export class HealthRecomputeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HealthRecomputeJob.name);
  private running: Promise<void> | null = null;

  constructor(
    private readonly analytics: AnalyticsService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.tick(), this.config.analytics.recomputeIntervalMs);
    this.registry.addInterval(HealthRecomputeJob.name, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', HealthRecomputeJob.name)) {
      this.registry.deleteInterval(HealthRecomputeJob.name);
    }
    await this.running;
  }

  /** One scheduled run; a run still going when the next is due is not doubled. */
  tick(): Promise<void> {
    if (!this.running) {
      this.running = this.analytics
        .recompute('schedule')
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`health recompute failed: ${error.message}`))
        .finally(() => (this.running = null));
    }
    return this.running;
  }
}
