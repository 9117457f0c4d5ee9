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
import { MissedEventsError, SlowSubscriberError, SubscriberQueue } from './subscriber-queue';
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
  onLost(): Unsubscribe {
    return () => undefined;
  }

  readonly maxMessageBytes = 1000;
  readonly channels: PubSubChannel[] = [];
  private handler: ((message: unknown) => void) | null = null;
  private resumedHandler: ((lostAt: number) => void) | null = null;
  readonly listenerId = 0;
  unsubscribed = 0;

  async publish(): Promise<void> {
    throw new Error('the hub never publishes');
  }

  async listeners(): Promise<number[]> {
    return [this.listenerId];
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

/**
 * The rows a catch-up reads, as `recovery_events` would answer them: `positionSince` and
 * `findAfter` keep the store's contract (id order, exclusive position, at most `limit`).
 */
class FakeTable {
  rows: StoredEvent[] = [];

  positionSince(since: Date): string {
    const first = this.rows.find((e) => e.occurredAt >= since);
    if (first) return String(BigInt(first.id) - 1n);
    return this.rows.length ? this.rows[this.rows.length - 1].id : '0';
  }

  findAfter(afterId: string, limit: number): StoredEvent[] {
    return this.rows.filter((e) => BigInt(e.id) > BigInt(afterId)).slice(0, limit);
  }
}

function setup(subscriberQueueLimit = 100, pageSize?: number) {
  const pubsub = new FakePubSub();
  const manager = {} as EntityManager;
  const dataSource = { manager } as DataSource;
  const table = new FakeTable();
  const store = {
    findByIds: jest.fn<Promise<StoredEvent[]>, [EntityManager, readonly string[]]>(),
    positionSince: jest.fn(async (_: EntityManager, since: Date) => table.positionSince(since)),
    // Answers on a later turn of the event loop, as a query over the network does.
    findAfter: jest.fn(async (_: EntityManager, afterId: string, limit: number) => {
      await flush();
      return table.findAfter(afterId, limit);
    }),
  };
  const hub = new RecoveryEventHub(
    pubsub,
    { subscriberQueueLimit } as AppConfig,
    dataSource,
    store as unknown as EventStore,
    pageSize,
  );
  hub.onModuleInit();
  return { hub, pubsub, store, manager, table };
}

/** Lets a catch-up of a few pages run to its end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await flush();
}

/** Reads the queue as graphql-ws does, as soon as events arrive; `seen` fills as it goes. */
function follow(queue: SubscriberQueue<StoredEvent>): { seen: string[]; ended: Promise<unknown> } {
  const seen: string[] = [];
  const ended = (async () => {
    for await (const event of queue) seen.push(...idsOf([event]));
  })().catch((error: Error) => error);
  return { seen, ended };
}

/** Events `from`..`to` of breaker `name`, one second apart from T0 + `from` s. */
const range = (from: number, to: number, name = 'a') =>
  Array.from({ length: to - from + 1 }, (_, i) => stored(String(from + i), name));

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

  it('closes every subscriber when a referenced event cannot be loaded, instead of skipping it', async () => {
    const { hub, pubsub, store } = setup();
    const onFailed = jest.fn();
    const queue = hub.stream(all, onFailed);
    store.findByIds.mockRejectedValueOnce(new Error('connection reset'));

    pubsub.emit(whole(stored('1', 'a')), ref('2'), whole(stored('3', 'a')));
    await flush();

    expect(store.findByIds).toHaveBeenCalledTimes(1);
    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(onFailed.mock.calls[0][0]).toBeInstanceOf(MissedEventsError);
    await expect(queue.next()).rejects.toBeInstanceOf(MissedEventsError);
    expect(spies[2]).toHaveBeenCalledWith('could not load event 2, closing every subscriber: connection reset');

    // Those who subscribe afterwards start from the live feed, as any new subscriber does.
    const later = hub.stream(all, jest.fn());
    pubsub.emit(whole(stored('4', 'a')));
    expect(idsOf(await drained(later))).toEqual(['a#4']);
  });

  it('catches up after a resume, then delivers the live events it held back, once each', async () => {
    const { hub, pubsub, store, manager, table } = setup();
    const queue = hub.stream(all, jest.fn());
    const reading = deferred<StoredEvent[]>();
    store.findAfter.mockReturnValueOnce(reading.promise);

    pubsub.emit(whole(stored('1', 'a')));
    expect(idsOf(await drained(queue))).toEqual(['a#1']);

    const lostAt = T0 + 60_000;
    table.rows = [stored('1', 'a'), stored('2', 'a'), stored('3', 'b'), stored('4', 'a')];
    pubsub.resume(lostAt);
    await flush();
    expect(store.positionSince).toHaveBeenCalledWith(manager, new Date(lostAt - 5000));
    expect(store.findAfter).toHaveBeenCalledTimes(1);

    // Live messages during the catch-up wait for it.
    pubsub.emit(whole(stored('4', 'a')), whole(stored('3', 'b')), whole(stored('5', 'a')));
    await flush();
    expect(queue.size).toBe(0);

    // The catch-up answers an event delivered before the loss, missed ones, and one also heard live.
    reading.resolve(table.rows);
    await flush();

    expect(idsOf(await drained(queue))).toEqual(['a#2', 'b#3', 'a#4', 'a#5']);

    // Afterwards live messages flow straight through again.
    pubsub.emit(whole(stored('6', 'b')));
    expect(idsOf(await drained(queue))).toEqual(['b#6']);
    expect(store.positionSince).toHaveBeenCalledTimes(1);
  });

  it('pages through far more missed events than a page, each once and in id order, a page at a time', async () => {
    // Queues as small as a page: a catch-up that read ahead of its readers would overflow them.
    const { hub, pubsub, store, table } = setup(5, 5);
    const onFailed = jest.fn();
    const queue = hub.stream((e) => e.breakerName !== 'c', onFailed);
    const { seen } = follow(queue);

    pubsub.emit(whole(stored('1', 'a')));
    await flush();
    // 23 missed, over three breakers: more than four pages of five.
    table.rows = [...range(1, 10, 'a'), ...range(11, 18, 'b'), ...range(19, 23, 'c')];
    pubsub.resume(T0 + 2000);
    await settle();

    expect(seen).toEqual([...idsOf(range(1, 10, 'a')), ...idsOf(range(11, 18, 'b'))]);
    // From just before the first event since the loss (less the margin), five at a time, to a short page.
    expect(store.findAfter.mock.calls.map(([, after, limit]) => [after, limit])).toEqual([
      ['0', 5],
      ['5', 5],
      ['10', 5],
      ['15', 5],
      ['20', 5],
    ]);
    expect(onFailed).not.toHaveBeenCalled();

    pubsub.emit(whole(stored('24', 'a')));
    await flush();
    expect(seen[seen.length - 1]).toBe('a#24');
    expect(store.findAfter).toHaveBeenCalledTimes(5);
    await queue.return();
  });

  it('reads pages no larger than a subscriber queue, so that a catch-up alone never overflows one', async () => {
    const { hub, pubsub, store, table } = setup(3, 1000);
    const onFailed = jest.fn();
    const queue = hub.stream(all, onFailed);
    const { seen } = follow(queue);
    table.rows = range(1, 10);
    pubsub.resume(T0);
    await settle();

    expect(store.findAfter.mock.calls.map(([, , limit]) => limit)).toEqual([3, 3, 3, 3]);
    expect(seen).toEqual(idsOf(range(1, 10)));
    expect(onFailed).not.toHaveBeenCalled();
    await queue.return();
  });

  it('holds at most a page of live messages during a catch-up, and reads on for those it let go', async () => {
    const { hub, pubsub, store, table } = setup(100, 5);
    const queue = hub.stream(all, jest.fn());
    const firstPage = deferred<StoredEvent[]>();
    store.findAfter.mockReturnValueOnce(firstPage.promise);
    table.rows = range(1, 3);
    pubsub.resume(T0);
    await flush();

    // Twelve live events while the first page is being read: committed, so in the table, but more than can be held.
    table.rows = range(1, 15);
    pubsub.emit(...range(4, 15).map(whole));
    firstPage.resolve(range(1, 3));
    for (let i = 0; i < 10; i++) await flush();

    expect(idsOf(await drained(queue))).toEqual(idsOf(range(1, 15)));
    // The first page was short, but live messages were let go meanwhile: it read on, to the end.
    expect(store.findAfter.mock.calls.map(([, after]) => after)).toEqual(['0', '3', '8', '13']);
  });

  it('reads on when the listener is lost and resumed again during a catch-up', async () => {
    const { hub, pubsub, store, table } = setup(100, 5);
    const queue = hub.stream(all, jest.fn());
    const firstPage = deferred<StoredEvent[]>();
    store.findAfter.mockReturnValueOnce(firstPage.promise);
    table.rows = range(1, 2);
    pubsub.resume(T0);
    await flush();

    // Lost again while the first page is read: 3 and 4 were never heard live.
    table.rows = range(1, 4);
    pubsub.resume(T0 + 1000);
    firstPage.resolve(range(1, 2));
    for (let i = 0; i < 10; i++) await flush();

    expect(idsOf(await drained(queue))).toEqual(idsOf(range(1, 4)));
    expect(store.positionSince).toHaveBeenCalledTimes(1);
    expect(store.findAfter.mock.calls.map(([, after]) => after)).toEqual(['0', '2']);
  });

  it('holds live events back until the catch-up is done, overlapping losses included', async () => {
    const { hub, pubsub, store, table } = setup();
    const queue = hub.stream(all, jest.fn());
    const first = deferred<StoredEvent[]>();
    store.findAfter.mockReturnValueOnce(first.promise);
    table.rows = range(3, 4);

    pubsub.resume(T0 + 10_000);
    await flush();
    // Lost and resumed again once the first read is under way: it may not see what came since.
    pubsub.resume(T0 + 20_000);
    pubsub.emit(whole(stored('5', 'a')));
    first.resolve([stored('3', 'a')]);
    await flush();
    expect(idsOf(await drained(queue))).toEqual(['a#3']);

    for (let i = 0; i < 5; i++) await flush();
    expect(idsOf(await drained(queue))).toEqual(['a#4', 'a#5']);
  });

  it('holds back live references during a catch-up too', async () => {
    const { hub, pubsub, store, table } = setup();
    const queue = hub.stream(all, jest.fn());
    const reading = deferred<StoredEvent[]>();
    store.findAfter.mockReturnValueOnce(reading.promise);
    store.findByIds.mockResolvedValueOnce([stored('3', 'a')]);

    pubsub.resume(T0);
    pubsub.emit(ref('3'), whole(stored('4', 'b')));
    await flush();
    expect(store.findByIds).not.toHaveBeenCalled();

    table.rows = [stored('2', 'a')];
    reading.resolve(table.rows);
    for (let i = 0; i < 5; i++) await flush();

    expect(store.findByIds).toHaveBeenCalledTimes(1);
    expect(idsOf(await drained(queue))).toEqual(['a#2', 'a#3', 'b#4']);
  });

  it('closes every subscriber with MissedEventsError when the catch-up fails, then goes on live', async () => {
    const { hub, pubsub, store } = setup();
    const onFailedA = jest.fn();
    const onFailedB = jest.fn();
    const a = hub.stream(all, onFailedA);
    const b = hub.stream((e) => e.breakerName === 'b', onFailedB);
    const reading = deferred<StoredEvent[]>();
    store.findAfter.mockReturnValueOnce(reading.promise);

    pubsub.resume(T0);
    pubsub.emit(whole(stored('7', 'a')), whole(stored('8', 'a')));
    await flush();
    expect(a.size).toBe(0);

    reading.reject(new Error('database down'));
    await flush();

    // Not a word of what was missed would reach them otherwise: they are told to resume instead.
    for (const [queue, onFailed] of [
      [a, onFailedA],
      [b, onFailedB],
    ] as const) {
      expect(onFailed).toHaveBeenCalledTimes(1);
      expect(onFailed.mock.calls[0][0]).toBeInstanceOf(MissedEventsError);
      await expect(queue.next()).rejects.toBeInstanceOf(MissedEventsError);
    }
    expect(hub.subscriberCount).toBe(0);
    expect(spies[2]).toHaveBeenCalledWith('catch-up after reconnect failed, closing every subscriber: database down');

    const later = hub.stream(all, jest.fn());
    pubsub.emit(whole(stored('9', 'a')));
    expect(idsOf(await drained(later))).toEqual(['a#9']);
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
