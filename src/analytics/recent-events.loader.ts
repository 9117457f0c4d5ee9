import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { EventStore } from '../events/event.store';
import { StoredEvent } from '../events/stored-event';

/**
 * Batches `recentEvents` of every service in one response into one query per page size,
 * instead of one query per service. A loader lives as long as the GraphQL context it is keyed
 * by, and caches nothing, so a subscription sees fresh events at every report.
 */
@Injectable()
export class RecentEventsLoader {
  private readonly loaders = new WeakMap<object, Map<number, DataLoader<string, StoredEvent[]>>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventStore,
  ) {}

  load(context: object, breakerName: string, limit: number): Promise<StoredEvent[]> {
    let byLimit = this.loaders.get(context);
    if (!byLimit) this.loaders.set(context, (byLimit = new Map()));
    let loader = byLimit.get(limit);
    if (!loader) {
      loader = new DataLoader((names) => this.batch(names, limit), { cache: false });
      byLimit.set(limit, loader);
    }
    return loader.load(breakerName);
  }

  private async batch(names: readonly string[], limit: number): Promise<StoredEvent[][]> {
    const events = await this.events.recentForBreakers(this.dataSource.manager, [...new Set(names)], limit);
    const byName = new Map<string, StoredEvent[]>();
    for (const event of events) {
      const list = byName.get(event.breakerName) ?? [];
      list.push(event);
      byName.set(event.breakerName, list);
    }
    return names.map((name) => byName.get(name) ?? []);
  }
}
