import type { BreakerScope } from '../auth/breaker-scope';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { SubscriberQueue } from '../events/subscriber-queue';
import { SubscriberSet } from '../events/subscriber-set';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { HealthStatus } from './health-status';
import { HealthChangeData, ReportData } from './report';
import { ReportStore } from './report.store';

/**
 * This instance's end of the health feeds. A new report is announced by its time only (it can
 * exceed a NOTIFY payload); it is read from the database once per instance and handed to every
 * subscriber.
 */
@Injectable()
export class AnalyticsFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AnalyticsFeed.name);
  private readonly changes: SubscriberSet<HealthChangeData>;
  private readonly reports: SubscriberSet<ReportData>;
  private unsubscribes: Unsubscribe[] = [];

  constructor(
    @Inject(PUB_SUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly store: ReportStore,
  ) {
    this.changes = new SubscriberSet(config.subscriberQueueLimit);
    this.reports = new SubscriberSet(config.subscriberQueueLimit);
  }

  onModuleInit(): void {
    this.unsubscribes = [
      this.pubsub.subscribe(PubSubChannel.HEALTH_CHANGED, (m) => this.onChange(m)),
      this.pubsub.subscribe(PubSubChannel.REPORT_UPDATED, () => void this.onReport()),
    ];
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  healthChanges(
    breakerName: string | null | undefined,
    scope: BreakerScope,
    onOverflow: () => void,
  ): SubscriberQueue<HealthChangeData> {
    return this.changes.add(
      (c) => (!breakerName || c.breakerName === breakerName) && scope.includes(c.breakerName),
      onOverflow,
    );
  }

  reportUpdates(onOverflow: () => void): SubscriberQueue<ReportData> {
    return this.reports.add(() => true, onOverflow);
  }

  private onChange(message: unknown): void {
    const m = message as { breakerName?: unknown; from?: unknown; to?: unknown; at?: unknown };
    if (typeof m.breakerName !== 'string' || typeof m.to !== 'string' || typeof m.at !== 'string') return;
    const change: HealthChangeData = {
      breakerName: m.breakerName,
      from: (m.from as HealthStatus | null) ?? null,
      to: m.to as HealthStatus,
      at: new Date(m.at),
    };
    this.changes.deliver(change, (error) =>
      this.logger.error(`a health subscriber failed: ${(error as Error).message}`),
    );
  }

  private async onReport(): Promise<void> {
    if (this.reports.size === 0) return;
    try {
      const report = await this.store.latest(this.dataSource.manager);
      if (report)
        this.reports.deliver(report, (error) =>
          this.logger.error(`a report subscriber failed: ${(error as Error).message}`),
        );
    } catch (error) {
      this.logger.error(`could not read the new report: ${(error as Error).message}`);
    }
  }
}
