import { Inject, Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { queryRows } from '../database/query-rows';

/** A breaker's recoveries concluded within the health window. */
export interface ConcludedRecoveries {
  readonly succeeded: number;
  readonly failed: number;
}

const NONE: ConcludedRecoveries = { succeeded: 0, failed: 0 };

/**
 * Batches the health window's concluded recoveries of every breaker in one response (for
 * `Breaker.health`) into one query, on recovery_events_concluded_idx. Like RecentEventsLoader, a
 * loader lives as long as its GraphQL context and caches nothing.
 */
@Injectable()
export class ConcludedRecoveriesLoader {
  private readonly loaders = new WeakMap<object, DataLoader<string, ConcludedRecoveries>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  load(context: object, breakerName: string): Promise<ConcludedRecoveries> {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader((names) => this.batch(names), { cache: false });
      this.loaders.set(context, loader);
    }
    return loader.load(breakerName);
  }

  private async batch(names: readonly string[]): Promise<ConcludedRecoveries[]> {
    const since = new Date(this.clock.now() - this.config.analytics.healthWindowMs);
    const rows = await queryRows<{ name: string; succeeded: number; failed: number }>(
      this.dataSource.manager,
      `SELECT b.name,
              count(*) FILTER (WHERE e.type = 'RECOVERY_SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE e.type = 'RECOVERY_FAILED')::int AS failed
       FROM breakers b
       JOIN recovery_events e ON e.breaker_id = b.id
        AND e.type IN ('RECOVERY_SUCCEEDED', 'RECOVERY_FAILED') AND e.occurred_at > $2
       WHERE b.name = ANY($1::text[])
       GROUP BY b.name`,
      [[...new Set(names)], since],
    );
    const byName = new Map(rows.map((r) => [r.name, { succeeded: r.succeeded, failed: r.failed }]));
    return names.map((name) => byName.get(name) ?? NONE);
  }
}
