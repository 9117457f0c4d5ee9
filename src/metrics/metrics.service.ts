import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BreakerStore } from '../breakers/breaker.store';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { RecoveryMetrics } from '../breakers/recovery-metrics.model';
import { toMetricsView } from '../breakers/recovery-metrics.view';

/** Reads the per-breaker recovery metrics. */
@Injectable()
export class MetricsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly breakers: BreakerStore,
    private readonly clock: Clock,
  ) {}

  /** The metrics of one breaker (NOT_FOUND if unknown), or of all breakers by name. */
  async list(breakerName?: string | null): Promise<RecoveryMetrics[]> {
    const now = this.clock.now();
    if (breakerName) {
      const breaker = await this.breakers.findByName(this.dataSource.manager, breakerName);
      if (!breaker) throw AppError.notFound(`unknown breaker: "${breakerName}"`);
      return [toMetricsView(breaker.name, breaker.record.metrics, now)];
    }
    return (await this.breakers.findAll(this.dataSource.manager)).map((b) =>
      toMetricsView(b.name, b.record.metrics, now),
    );
  }
}
