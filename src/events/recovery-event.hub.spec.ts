import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BreakerState, RecoveryEventType } from '../breakers/engine';
import type { AppConfig } from '../config/app-config';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { EventMessage, toEventMessage } from './event-message';
import { EventStore } from './event.store';
import { RecoveryEventHub } from './recovery-event.hub';
import { StoredEvent } from './stored-event';
import { SlowSubscriberError, SubscriberQueue } from './subscriber-queue';
import { Deferred, deferred } from '../../test/support/deferred';

const T0 = Date.parse('2024-05-06T07:00:00.000Z');

function stored(id: string, breakerName: string, info: Record<string, unknown> = {}): StoredEvent {
  return {
    id,
    breakerName,
    type: RecoveryEventType.CIRCUIT_OPENED,
    occurredAt: new Date(T0 + Number(id) * 1000),
    durationSinceLastMs: null,
    fromState: BreakerState.CLOSED,
    toState: BreakerState.OPEN,
    info,
  };
}

/** The message the publisher sends for an event, as it arrives after a trip through JSON. */
const whole = (e: StoredEvent): unknown => JSON.parse(JSON.stringify(toEventMessage(e, Number.MAX_SAFE_INTEGER)));
const ref = (id: string): EventMessage => ({ ref: id });

/** A PubSub that keeps the hub's handlers, so the test plays the part of the transport. */
class FakePubSub implements PubSub {
  readonly maxMessageBytes = 1000;
  readonly channels: PubSubChannel[] = [];
  private handler: ((message: unknown) => void) | null = null;
  private resumedHandler: ((lostAt: number) => void) | null = null;
  unsubscribed = 0;

  async publish(): Promise<void> {
    throw new Error('the hub never publishes');
  }

  subscribe(channel: PubSubChannel, handler: (message: unknown) => void): Unsubscribe {
    this.channels.push(channel);
    this.handler = handler;
    return () => {
      this.unsubscribed++;
      this.handler = null;
    };
  }

  onResumed(handler: (lostAt: number) => void): Unsubscribe {
    this.resumedHandler = handler;
    return () => {
      this.unsubscribed++;
      this.resumedHandler = null;
    };
  }

  emit(...messages: unknown[]): void {
    if (!this.handler) throw new Error('nobody subscribed');
    for (const message of messages) this.handler(message);
  }

  resume(lostAt: number): void {
    if (!this.resumedHandler) throw new Error('nobody listens for resumption');
    this.resumedHandler(lostAt);
  }
}

/** Lets every queued promise callback run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Reads everything the queue holds right now. */
async function drained(queue: SubscriberQueue<StoredEvent>): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  while (queue.size > 0) {
    const result = await queue.next();
    expect(result.done).toBe(false);
    events.push(result.value as StoredEvent);
  }
  return events;
}

const idsOf = (events: readonly StoredEvent[]) => events.map((e) => `${e.breakerName}#${e.id}`);

function setup(subscriberQueueLimit = 100) {
  const pubsub = new FakePubSub();
  const manager = {} as EntityManager;
  const dataSource = { manager } as DataSource;
  const store = {
    findByIds: jest.fn<Promise<StoredEvent[]>, [EntityManager, readonly string[]]>(),
    findSince: jest.fn<Promise<StoredEvent[]>, [EntityManager, Date, number]>(),
  };
  const hub = new RecoveryEventHub(
    pubsub,
    { subscriberQueueLimit } as AppConfig,
    dataSource,
    store as unknown as EventStore,
  );
  hub.onModuleInit();
  return { hub, pubsub, store, manager };
}

const all = () => true;

describe('RecoveryEventHub', () => {
  let spies: jest.SpyInstance[];

  beforeEach(() => {
    spies = (['log', 'warn', 'error'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined),
    );
  });

  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });

  it('listens on the recovery events channel, and stops on destroy', async () => {
    const { hub, pubsub } = setup();
    expect(pubsub.channels).toEqual([PubSubChannel.RECOVERY_EVENTS]);
    const queue = hub.stream(all, jest.fn());

    hub.onModuleDestroy();
    expect(pubsub.unsubscribed).toBe(2);
    expect(() => pubsub.emit(whole(stored('1', 'a')))).toThrow('nobody subscribed');
    expect(queue.size).toBe(0);
    await queue.return();
  });

  it('delivers each event to the matching subscribers only, the same object to each', async () => {
    const { hub, pubsub } = setup();
    const everything = hub.stream(all, jest.fn());
    const onlyA = hub.stream((e) => e.breakerName === 'a', jest.fn());
    const onlyClosed = hub.stream((e) => e.type === RecoveryEventType.CIRCUIT_CLOSED, jest.fn());
    expect(hub.subscriberCount).toBe(3);

    const a1 = stored('1', 'a', { note: '€ and more' });
    pubsub.emit(whole(a1), whole(stored('2', 'b')), whole(stored('3', 'a')));

    const fromEverything = await drained(everything);
    const fromA = await drained(onlyA);
    expect(idsOf(fromEverything)).toEqual(['a#1', 'b#2', 'a#3']);
    expect(idsOf(fromA)).toEqual(['a#1', 'a#3']);
    expect(onlyClosed.size).toBe(0);

    expect(fromA[0]).toBe(fromEverything[0]);
    expect(fromA[1]).toBe(fromEverything[2]);
    expect(fromEverything[0]).toEqual(a1);
    expect(fromEverything[0].occurredAt).toBeInstanceOf(Date);
  });

  it('drops per-breaker duplicates and older ids, comparing ids as numbers', async () => {
    const { hub, pubsub } = setup();
    const queue = hub.stream(all, jest.fn());

    pubsub.emit(
      whole(stored('9', 'a')),
      whole(stored('10', 'a')), // "10" < "9" as text: must still count as newer
      whole(stored('10', 'a')), // duplicate
      whole(stored('9', 'a')), // older
      whole(stored('3', 'b')), // older than a's ids, but another breaker
      whole(stored('2', 'b')), // older for b
      whole(stored('11', 'a')),
      whole(stored('4', 'b')),
    );

    expect(idsOf(await drained(queue))).toEqual(['a#9', 'a#10', 'b#3', 'a#11', 'b#4']);
  });

  it('drops malformed messages and goes on', async () => {
    const { hub, pubsub } = setup();
    const queue = hub.stream(all, jest.fn());

    pubsub.emit(null, 'junk', { event: {} }, { ref: 5 }, whole(stored('1', 'a')));

    expect(idsOf(await drained(queue))).toEqual(['a#1']);
    expect(spies[1]).toHaveBeenCalledTimes(4);
  });

  it('loads a reference, and delivers the events that arrive meanwhile after it', async () => {
    const { hub, pubsub, store, manager } = setup();
    const queue = hub.stream(all, jest.fn());
    const loading = deferred<StoredEvent[]>();
    store.findByIds.mockReturnValueOnce(loading.promise);

    pubsub.emit(whole(stored('1', 'b')), ref('2'));
    pubsub.emit(whole(stored('3', 'b')), whole(stored('4', 'c')));
    await flush();

    expect(store.findByIds).toHaveBeenCalledTimes(1);
    expect(store.findByIds.mock.calls[0][0]).toBe(manager);
    expect(store.findByIds.mock.calls[0][1]).toEqual(['2']);
    // Only what came before the reference is out.
    expect(idsOf(await drained(queue))).toEqual(['b#1']);

    const big = stored('2', 'a', { blob: 'x'.repeat(2000) });
    loading.resolve([big]);
    await flush();

    const rest = await drained(queue);
    expect(idsOf(rest)).toEqual(['a#2', 'b#3', 'c#4']);
    expect(rest[0]).toBe(big);

    pubsub.emit(whole(stored('5', 'a')));
    expect(idsOf(await drained(queue))).toEqual(['a#5']);
  });

  it('loads successive references one after the other, in arrival order', async () => {
    const { hub, pubsub, store } = setup();
    const queue = hub.stream(all, jest.fn());
    const first = deferred<StoredEvent[]>();
    const second = deferred<StoredEvent[]>();
    store.findByIds.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);

    pubsub.emit(ref('1'), ref('2'), whole(stored('3', 'a')));
    await flush();
    expect(store.findByIds).toHaveBeenCalledTimes(1);

    first.resolve([stored('1', 'a')]);
    await flush();
    expect(store.findByIds).toHaveBeenCalledTimes(2);
    expect(store.findByIds.mock.calls[1][1]).toEqual(['2']);
    expect(idsOf(await drained(queue))).toEqual(['a#1']);

    second.resolve([stored('2', 'b')]);
    await flush();
    expect(idsOf(await drained(queue))).toEqual(['b#2', 'a#3']);
  });

  it('skips a reference that cannot be loaded and delivers what follows', async () => {
    const { hub, pubsub, store } = setup();
    const queue = hub.stream(all, jest.fn());
    store.findByIds.mockRejectedValueOnce(new Error('connection reset')).mockResolvedValueOnce([]);

    pubsub.emit(ref('1'), ref('2'), whole(stored('3', 'a')));
    await flush();

    expect(store.findByIds).toHaveBeenCalledTimes(2);
    expect(idsOf(await drained(queue))).toEqual(['a#3']);
    expect(spies[2]).toHaveBeenCalledWith('could not load event 1: connection reset');
  });

  it('catches up after a resume, then delivers the live events it held back, once each', async () => {
    const { hub, pubsub, store, manager } = setup();
    const queue = hub.stream(all, jest.fn());
    const catchUp = deferred<StoredEvent[]>();
    store.findSince.mockReturnValueOnce(catchUp.promise);

    pubsub.emit(whole(stored('1', 'a')));
    expect(idsOf(await drained(queue))).toEqual(['a#1']);

    const lostAt = T0 + 60_000;
    pubsub.resume(lostAt);
    expect(store.findSince).toHaveBeenCalledTimes(1);
    const [usedManager, since, limit] = store.findSince.mock.calls[0];
    expect(usedManager).toBe(manager);
    expect(since).toEqual(new Date(lostAt - 5000));
    expect(limit).toBeGreaterThan(0);

    // Live messages during the catch-up wait for it.
    pubsub.emit(whole(stored('4', 'a')), whole(stored('3', 'b')), whole(stored('5', 'a')));
    await flush();
    expect(queue.size).toBe(0);

    // The catch-up answers an event delivered before the loss, missed ones, and one also heard live.
    catchUp.resolve([stored('1', 'a'), stored('2', 'a'), stored('3', 'b'), stored('4', 'a')]);
    await flush();

    expect(idsOf(await drained(queue))).toEqual(['a#2', 'b#3', 'a#4', 'a#5']);

    // Afterwards live messages flow straight through again.
    pubsub.emit(whole(stored('6', 'b')));
    expect(idsOf(await drained(queue))).toEqual(['b#6']);
    expect(store.findSince).toHaveBeenCalledTimes(1);
  });

  it('holds live events back until every overlapping catch-up is done', async () => {
    const { hub, pubsub, store } = setup();
    const queue = hub.stream(all, jest.fn());
    const first = deferred<StoredEvent[]>();
    const second = deferred<StoredEvent[]>();
    store.findSince.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);

    pubsub.resume(T0 + 10_000);
    pubsub.resume(T0 + 20_000);
    pubsub.emit(whole(stored('5', 'a')));
    first.resolve([stored('3', 'a')]);
    await flush();
    expect(idsOf(await drained(queue))).toEqual(['a#3']);

    second.resolve([stored('3', 'a'), stored('4', 'a')]);
    await flush();
    expect(idsOf(await drained(queue))).toEqual(['a#4', 'a#5']);
  });

  it('drops a message whose id is not a number instead of failing', async () => {
    const { hub, pubsub } = setup();
    const queue = hub.stream(all, jest.fn());
    pubsub.emit({ event: { ...stored('1', 'a'), id: 'abc' } }, whole(stored('2', 'a')));
    await flush();
    expect(idsOf(await drained(queue))).toEqual(['a#2']);
  });

  it('keeps delivering to the others when a subscriber filter throws', async () => {
    const { hub, pubsub } = setup();
    hub.stream(() => {
      throw new Error('bad filter');
    }, jest.fn());
    const queue = hub.stream(all, jest.fn());
    pubsub.emit(whole(stored('1', 'a')));
    expect(idsOf(await drained(queue))).toEqual(['a#1']);
  });

  it('holds back live references during a catch-up too', async () => {
    const { hub, pubsub, store } = setup();
    const queue = hub.stream(all, jest.fn());
    const catchUp = deferred<StoredEvent[]>();
    store.findSince.mockReturnValueOnce(catchUp.promise);
    store.findByIds.mockResolvedValueOnce([stored('3', 'a')]);

    pubsub.resume(T0);
    pubsub.emit(ref('3'), whole(stored('4', 'b')));
    await flush();
    expect(store.findByIds).not.toHaveBeenCalled();

    catchUp.resolve([stored('2', 'a')]);
    await flush();

    expect(store.findByIds).toHaveBeenCalledTimes(1);
    expect(idsOf(await drained(queue))).toEqual(['a#2', 'a#3', 'b#4']);
  });

  it('delivers the held-back live events even when the catch-up fails', async () => {
    const { hub, pubsub, store } = setup();
    const queue = hub.stream(all, jest.fn());
    const catchUp = deferred<StoredEvent[]>();
    store.findSince.mockReturnValueOnce(catchUp.promise);

    pubsub.resume(T0);
    pubsub.emit(whole(stored('7', 'a')), whole(stored('8', 'a')));
    await flush();
    expect(queue.size).toBe(0);

    catchUp.reject(new Error('database down'));
    await flush();

    expect(idsOf(await drained(queue))).toEqual(['a#7', 'a#8']);
    expect(spies[2]).toHaveBeenCalledWith('catch-up after reconnect failed: database down');
    pubsub.emit(whole(stored('9', 'a')));
    expect(idsOf(await drained(queue))).toEqual(['a#9']);
  });

  it('stops delivering to a subscriber that closed', async () => {
    const { hub, pubsub } = setup();
    const leaving = hub.stream(all, jest.fn());
    const staying = hub.stream(all, jest.fn());
    expect(hub.subscriberCount).toBe(2);

    pubsub.emit(whole(stored('1', 'a')));
    expect(idsOf(await drained(leaving))).toEqual(['a#1']);
    await expect(leaving.return()).resolves.toEqual({ value: undefined, done: true });
    expect(hub.subscriberCount).toBe(1);

    pubsub.emit(whole(stored('2', 'a')));
    await expect(leaving.next()).resolves.toEqual({ value: undefined, done: true });
    expect(idsOf(await drained(staying))).toEqual(['a#1', 'a#2']);

    await staying.return();
    expect(hub.subscriberCount).toBe(0);
  });

  it('drops a subscriber that overflows its queue, leaving the others', async () => {
    const { hub, pubsub } = setup(2);
    const onSlowOverflow = jest.fn();
    const onFastOverflow = jest.fn();
    const slow = hub.stream(all, onSlowOverflow);
    const fast = hub.stream(all, onFastOverflow);

    const seen: string[] = [];
    for (const id of ['1', '2', '3', '4']) {
      pubsub.emit(whole(stored(id, 'a')));
      seen.push(...idsOf(await drained(fast)));
    }

    expect(seen).toEqual(['a#1', 'a#2', 'a#3', 'a#4']);
    expect(onSlowOverflow).toHaveBeenCalledTimes(1);
    expect(onFastOverflow).not.toHaveBeenCalled();
    expect(hub.subscriberCount).toBe(1);
    await expect(slow.next()).rejects.toBeInstanceOf(SlowSubscriberError);
  });

  it('resolves a subscriber waiting in next() as soon as an event arrives', async () => {
    const { hub, pubsub } = setup();
    const queue = hub.stream((e) => e.breakerName === 'b', jest.fn());
    const waiting = queue.next();

    pubsub.emit(whole(stored('1', 'a')), whole(stored('2', 'b')));

    const result = await waiting;
    expect(result.done).toBe(false);
    expect(idsOf([result.value as StoredEvent])).toEqual(['b#2']);
  });
});
