import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { inTransaction } from '../database/transaction';
import { FOLD_LIMIT, OutcomeStatsStore } from './outcome-stats.store';

/**
 * How often each instance folds the statistics' parts: how far `outcome_latency` and
 * `outcome_errors` may lag the committed outcomes. Each fold merges every busy breaker-minute once
 * (0.1 to 0.4 ms a row, in Postgres beside ingest), so folding less often costs ingest less.
 */
export const FOLD_INTERVAL_MS = 5000;

/**
 * Folds the parts the write path appends into the minute and hour rows, every FOLD_INTERVAL_MS,
 * on every instance (a part is folded once whichever instance takes it).
 */
@Injectable()
export class StatsFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StatsFolder.name);
  private running: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OutcomeStatsStore,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.tick(), FOLD_INTERVAL_MS);
    this.registry.addInterval(StatsFolder.name, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', StatsFolder.name)) this.registry.deleteInterval(StatsFolder.name);
    await this.running;
  }

  /** Folds every part committed so far, FOLD_LIMIT per transaction; answers how many. A fold still running is not doubled. */
  tick(): Promise<number> {
    this.running ??= this.foldAll().finally(() => (this.running = null));
    return this.running;
  }

  private async foldAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const taken = await inTransaction(this.dataSource, (tx) => this.store.fold(tx.manager, FOLD_LIMIT));
        total += taken;
        if (taken < FOLD_LIMIT) return total;
      }
    } catch (error) {
      this.logger.warn(`folding the statistics failed: ${error instanceof Error ? error.message : String(error)}`);
      return total;
    }
  }
}
