import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { parseEventMessage } from './event-message';
import { EventStore } from './event.store';
import { StoredEvent } from './stored-event';
import { SubscriberQueue } from './subscriber-queue';
import { SubscriberSet } from './subscriber-set';

/** After the listener reconnects, events from this long before the loss are re-read, to be safe against clock skew. */
const CATCH_UP_MARGIN_MS = 5000;
const CATCH_UP_LIMIT = 10_000;

type Pending = { readonly event: StoredEvent } | { readonly ref: string };

/**
 * This instance's end of the recovery event feed. It hears every committed event once, from
 * the PubSub, and hands the same object to each local subscriber whose filter matches: no
 * query and no copy per subscriber. Per breaker it delivers in commit (id) order and at most
 * once, and after the listener reconnects it re-reads what it may have missed.
 */
@Injectable()
export class RecoveryEventHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RecoveryEventHub.name);
  private readonly subscribers: SubscriberSet<StoredEvent>;
  private readonly lastDelivered = new Map<string, bigint>();
  private readonly pending: Pending[] = [];
  /** Live messages held back while catch-ups run; null when none is running. */
  private buffered: unknown[] | null = null;
  private catchUps = 0;
  private draining = false;
  private unsubscribes: Unsubscribe[] = [];

  constructor(
    @Inject(PUB_SUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {
    this.subscribers = new SubscriberSet(config.subscriberQueueLimit);
  }

  onModuleInit(): void {
    this.unsubscribes = [
      this.pubsub.subscribe(PubSubChannel.RECOVERY_EVENTS, (message) => this.receive(message)),
      this.pubsub.onResumed((lostAt) => void this.catchUp(lostAt)),
    ];
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  /** A new subscriber's stream of the events that pass `filter`. `onOverflow` runs if it falls too far behind. */
  stream(filter: (event: StoredEvent) => boolean, onOverflow: () => void): SubscriberQueue<StoredEvent> {
    return this.subscribers.add(filter, onOverflow);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private receive(message: unknown): void {
    if (this.buffered) {
      this.buffered.push(message);
      return;
    }
    const parsed = parseEventMessage(message);
    if (!parsed) return this.logger.warn('dropped a malformed recovery event message');
    this.pending.push(parsed);
    this.startDrain();
  }

  private startDrain(): void {
    this.drain().catch((error: Error) => this.logger.error(`event delivery failed: ${error.message}`));
  }

  /** Delivers pending events in arrival order; only a reference to load makes it wait. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const next = this.pending.shift()!;
        if ('event' in next) {
          this.deliver(next.event);
          continue;
        }
        const [event] = await this.store.findByIds(this.dataSource.manager, [next.ref]).catch((error: Error) => {
          this.logger.error(`could not load event ${next.ref}: ${error.message}`);
          return [];
        });
        if (event) this.deliver(event);
      }
    } finally {
      this.draining = false;
    }
  }

  private deliver(event: StoredEvent): void {
    const id = BigInt(event.id);
    const last = this.lastDelivered.get(event.breakerName);
    if (last !== undefined && id <= last) return;
    this.lastDelivered.set(event.breakerName, id);
    this.subscribers.deliver(event, (error) =>
      this.logger.error(`a subscriber failed on event ${event.id}: ${(error as Error).message}`),
    );
  }

  /**
   * Re-reads the events since the connection was lost. Live messages wait until every running
   * catch-up is done, so none of them can overtake (and so hide) an older event being re-read.
   */
  private async catchUp(lostAt: number): Promise<void> {
    this.buffered ??= [];
    this.catchUps++;
    try {
      const since = new Date(lostAt - CATCH_UP_MARGIN_MS);
      const missed = await this.store.findSince(this.dataSource.manager, since, CATCH_UP_LIMIT);
      for (const event of missed) this.pending.push({ event });
      this.logger.log(`caught up on ${missed.length} events since ${since.toISOString()}`);
    } catch (error) {
      this.logger.error(`catch-up after reconnect failed: ${(error as Error).message}`);
    } finally {
      this.catchUps--;
      if (this.catchUps === 0) {
        const live = this.buffered ?? [];
        this.buffered = null;
        for (const message of live) {
          const parsed = parseEventMessage(message);
          if (parsed) this.pending.push(parsed);
        }
      }
      this.startDrain();
    }
  }
}
