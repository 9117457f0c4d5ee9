import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { parseEventMessage } from './event-message';
import { EventStore } from './event.store';
import { StoredEvent } from './stored-event';
import { MissedEventsError, SubscriberQueue } from './subscriber-queue';
import { SubscriberSet } from './subscriber-set';

/** After the listener reconnects, events from this long before the loss are re-read, to be safe against clock skew. */
const CATCH_UP_MARGIN_MS = 5000;

/** Injection token of the number of events a catch-up reads per query (default 1000); tests make it small. */
export const CATCH_UP_PAGE_SIZE = Symbol('CATCH_UP_PAGE_SIZE');
const DEFAULT_CATCH_UP_PAGE_SIZE = 1000;

type Pending = { readonly event: StoredEvent } | { readonly ref: string };

/**
 * This instance's end of the recovery event feed. It hears every committed event once, from
 * the PubSub, and hands the same object to each local subscriber whose filter matches: no
 * query and no copy per subscriber. Per breaker it delivers in commit (id) order and at most
 * once, and after the listener reconnects it re-reads what it may have missed, page by page.
 * If that re-read, or loading an event sent by reference, fails, it closes every subscriber
 * (MissedEventsError) rather than leave a gap unsaid.
 */
@Injectable()
export class RecoveryEventHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RecoveryEventHub.name);
  private readonly subscribers: SubscriberSet<StoredEvent>;
  private readonly lastDelivered = new Map<string, bigint>();
  private readonly pending: Pending[] = [];
  private readonly pageSize: number;
  /** Live messages held back while a catch-up runs; null when none is running. */
  private held: unknown[] | null = null;
  /** Set when the running catch-up must read once more before it ends: see `catchUp`. */
  private readAgain = false;
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private unsubscribes: Unsubscribe[] = [];

  constructor(
    @Inject(PUB_SUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    @Optional() @Inject(CATCH_UP_PAGE_SIZE) pageSize?: number,
  ) {
    this.subscribers = new SubscriberSet(config.subscriberQueueLimit);
    // A page is pushed to the queues at once: no larger than a queue, or a catch-up alone would overflow one.
    this.pageSize = Math.min(pageSize ?? DEFAULT_CATCH_UP_PAGE_SIZE, config.subscriberQueueLimit);
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

  /**
   * A new subscriber's stream of the events that pass `filter`. `onFailed` runs if it falls too far
   * behind (SlowSubscriberError), or if events it may have wanted were lost (MissedEventsError).
   */
  stream(filter: (event: StoredEvent) => boolean, onFailed: (error: Error) => void): SubscriberQueue<StoredEvent> {
    return this.subscribers.add(filter, onFailed);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private receive(message: unknown): void {
    if (this.held) return this.hold(message);
    const parsed = parseEventMessage(message);
    if (!parsed) return this.logger.warn('dropped a malformed recovery event message');
    this.pending.push(parsed);
    this.startDrain();
  }

  /**
   * Keeps a live message until the catch-up is done, at most a page of them. Past that they are let
   * go and the catch-up reads once more: the listener hears of an event only once it is committed,
   * and ids commit in order, so a read that starts after this moment finds it after its position.
   */
  private hold(message: unknown): void {
    const held = this.held!;
    if (held.length < this.pageSize) {
      held.push(message);
      return;
    }
    held.length = 0;
    this.readAgain = true;
  }

  /** Starts delivering pending events unless that is under way; resolves once none is pending. */
  private startDrain(): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      this.drained = this.drain();
    }
    return this.drained;
  }

  /** Delivers pending events in arrival order; only a reference to load makes it wait. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const next = this.pending.shift()!;
        if ('event' in next) {
          this.deliver(next.event);
          continue;
        }
        const [event] = await this.store.findByIds(this.dataSource.manager, [next.ref]).catch((error: Error) => {
          // Skipping it would leave a gap no subscriber hears of: they are told to resume instead.
          this.logger.error(`could not load event ${next.ref}, closing every subscriber: ${error.message}`);
          this.subscribers.failAll(new MissedEventsError());
          return [];
        });
        if (event) this.deliver(event);
      }
    } catch (error) {
      this.logger.error(`event delivery failed: ${(error as Error).message}`);
    } finally {
      // In the same step as the loop's last check, so that nothing pushed after it is left waiting.
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
   * Re-reads the events since the connection was lost, however many: page by page in id order,
   * each page delivered before the next is read, so memory holds one page and the subscribers'
   * bounded queues. Live messages wait until it is done, so none of them can overtake (and so hide)
   * an older event being re-read. A loss during a catch-up makes it read on past what it had.
   */
  private async catchUp(lostAt: number): Promise<void> {
    if (this.held) {
      this.readAgain = true;
      return;
    }
    this.held = [];
    try {
      const since = new Date(lostAt - CATCH_UP_MARGIN_MS);
      const read = await this.readSince(since);
      this.logger.log(`caught up on ${read} events since ${since.toISOString()}`);
    } catch (error) {
      this.logger.error(`catch-up after reconnect failed, closing every subscriber: ${(error as Error).message}`);
      this.subscribers.failAll(new MissedEventsError());
    } finally {
      const live = this.held;
      this.held = null;
      for (const message of live) this.receive(message);
    }
  }

  /** Delivers every event after the position `since` marks, until a read finds no more; answers how many it read. */
  private async readSince(since: Date): Promise<number> {
    const manager = this.dataSource.manager;
    let position = await this.store.positionSince(manager, since);
    let read = 0;
    for (;;) {
      this.readAgain = false;
      const page = await this.store.findAfter(manager, position, this.pageSize);
      for (const event of page) this.pending.push({ event });
      await this.startDrain();
      read += page.length;
      if (page.length > 0) position = page[page.length - 1].id;
      if (page.length < this.pageSize && !this.readAgain) return read;
    }
  }
}
