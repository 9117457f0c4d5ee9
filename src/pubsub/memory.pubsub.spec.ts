import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Tx } from '../database/transaction';
import { MemoryPubSub } from './memory.pubsub';
import { PubSubChannel } from './pubsub-channel';

const CHANNEL = PubSubChannel.RECOVERY_EVENTS;
/** A second channel name, to check that delivery stays on its channel. */
const OTHER = 'breakers_other_channel' as PubSubChannel;

/** A transaction that only collects its after-commit callbacks; `commit` runs them. */
function fakeTx(): Tx & { commit(): void; readonly callbacks: (() => void)[] } {
  const callbacks: (() => void)[] = [];
  return {
    manager: {} as EntityManager,
    callbacks,
    afterCommit: (callback) => callbacks.push(callback),
    commit: () => callbacks.forEach((callback) => callback()),
  };
}

describe('MemoryPubSub', () => {
  let loggerError: jest.SpyInstance;

  beforeEach(() => {
    loggerError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    loggerError.mockRestore();
  });

  it('delivers at once without a transaction, to the subscribers of that channel only', async () => {
    const pubsub = new MemoryPubSub();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const other: unknown[] = [];
    pubsub.subscribe(CHANNEL, (m) => first.push(m));
    pubsub.subscribe(CHANNEL, (m) => second.push(m));
    pubsub.subscribe(OTHER, (m) => other.push(m));

    const message = { ref: '7' };
    const publishing = pubsub.publish(CHANNEL, [message, 'b', 3]);
    // Delivered before publish's promise is even awaited.
    expect(first).toEqual([message, 'b', 3]);
    await publishing;

    expect(first).toEqual([{ ref: '7' }, 'b', 3]);
    expect(first[0]).toBe(message);
    expect(second).toEqual([{ ref: '7' }, 'b', 3]);
    expect(other).toEqual([]);

    await pubsub.publish(OTHER, ['elsewhere']);
    expect(other).toEqual(['elsewhere']);
    expect(first).toHaveLength(3);
  });

  it('publishes on a channel nobody listens to without error', async () => {
    const pubsub = new MemoryPubSub();
    await expect(pubsub.publish(CHANNEL, ['nobody'])).resolves.toBeUndefined();
    const tx = fakeTx();
    await pubsub.publish(CHANNEL, ['nobody'], tx);
    expect(() => tx.commit()).not.toThrow();
  });

  it('delivers messages published in a transaction only once it commits', async () => {
    const pubsub = new MemoryPubSub();
    const received: unknown[] = [];
    pubsub.subscribe(CHANNEL, (m) => received.push(m));
    const tx = fakeTx();

    await pubsub.publish(CHANNEL, ['a', 'b'], tx);
    await pubsub.publish(CHANNEL, ['c'], tx);
    expect(received).toEqual([]);
    expect(tx.callbacks).toHaveLength(2);

    tx.commit();
    expect(received).toEqual(['a', 'b', 'c']);
  });

  it('never delivers messages of a transaction that rolls back', async () => {
    const pubsub = new MemoryPubSub();
    const received: unknown[] = [];
    pubsub.subscribe(CHANNEL, (m) => received.push(m));
    const rolledBack = fakeTx();

    await pubsub.publish(CHANNEL, ['lost'], rolledBack);
    // Other traffic goes on; the rolled-back callbacks are simply never run.
    await pubsub.publish(CHANNEL, ['kept']);
    await new Promise((resolve) => setImmediate(resolve));

    expect(received).toEqual(['kept']);
  });

  it('stops delivering to a handler once it unsubscribes', async () => {
    const pubsub = new MemoryPubSub();
    const leaving: unknown[] = [];
    const staying: unknown[] = [];
    const unsubscribe = pubsub.subscribe(CHANNEL, (m) => leaving.push(m));
    pubsub.subscribe(CHANNEL, (m) => staying.push(m));

    await pubsub.publish(CHANNEL, [1]);
    unsubscribe();
    await pubsub.publish(CHANNEL, [2]);

    expect(leaving).toEqual([1]);
    expect(staying).toEqual([1, 2]);
  });

  it('keeps delivering to the other handlers, and the next messages, when a handler throws', async () => {
    const pubsub = new MemoryPubSub();
    const before: unknown[] = [];
    const after: unknown[] = [];
    const failure = new Error('handler failed');
    let thrown = 0;
    pubsub.subscribe(CHANNEL, (m) => before.push(m));
    pubsub.subscribe(CHANNEL, () => {
      thrown++;
      throw failure;
    });
    pubsub.subscribe(CHANNEL, (m) => after.push(m));

    await expect(pubsub.publish(CHANNEL, ['x', 'y'])).resolves.toBeUndefined();

    expect(before).toEqual(['x', 'y']);
    expect(after).toEqual(['x', 'y']);
    expect(thrown).toBe(2);
    expect(loggerError).toHaveBeenCalledTimes(2);
    expect(loggerError).toHaveBeenCalledWith(failure);
  });

  it('never reports an interruption', () => {
    const pubsub = new MemoryPubSub();
    const resumed = jest.fn();
    const unsubscribe = pubsub.onResumed(resumed);
    expect(typeof unsubscribe).toBe('function');
    unsubscribe();
    expect(resumed).not.toHaveBeenCalled();
    expect(pubsub.maxMessageBytes).toBe(Number.MAX_SAFE_INTEGER);
  });
});
