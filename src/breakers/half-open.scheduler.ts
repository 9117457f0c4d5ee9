import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { BreakerWriter } from './breaker-writer';

const BATCH = 500;

/**
 * Moves due OPEN breakers to HALF_OPEN with no traffic needed. One interval per instance,
 * not one timer per breaker; `advanceDue` locks in id order with SKIP LOCKED, and its conditional
 * UPDATE keeps each move exactly-once across instances.
 */
@Injectable()
export class HalfOpenScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HalfOpenScheduler.name);
  private running: Promise<void> | null = null;

  constructor(
    private readonly writer: BreakerWriter,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.tick(), this.config.halfOpenSweepIntervalMs);
    this.registry.addInterval(HalfOpenScheduler.name, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', HalfOpenScheduler.name))
      this.registry.deleteInterval(HalfOpenScheduler.name);
    await this.running;
  }

  /** One sweep; a sweep still running when the next is due is not doubled. */
  tick(): Promise<void> {
    if (!this.running) this.running = this.sweep().finally(() => (this.running = null));
    return this.running;
  }

  private async sweep(): Promise<void> {
    try {
      let moved: number;
      do {
        moved = (await this.writer.advanceDue(BATCH)).moved;
      } while (moved >= BATCH);
    } catch (error) {
      this.logger.warn(`half-open sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
