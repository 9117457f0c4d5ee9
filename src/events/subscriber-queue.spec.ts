import { MissedEventsError, SlowSubscriberError, SubscriberQueue } from './subscriber-queue';

function queue(limit = 10) {
  const onOverflow = jest.fn();
  const onClose = jest.fn();
  return { queue: new SubscriberQueue<number>(limit, onOverflow, onClose), onOverflow, onClose };
}

/** Settles pending promise callbacks. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SubscriberQueue', () => {
  it('yields items pushed before next(), in order', async () => {
    const { queue: q } = queue();
    q.push(1);
    q.push(2);
    q.push(3);
    expect(q.size).toBe(3);

    await expect(q.next()).resolves.toEqual({ value: 1, done: false });
    await expect(q.next()).resolves.toEqual({ value: 2, done: false });
    await expect(q.next()).resolves.toEqual({ value: 3, done: false });
    expect(q.size).toBe(0);
  });

  it('resolves a waiting next() with the next push', async () => {
    const { queue: q } = queue();
    let settled: IteratorResult<number> | null = null;
    const waiting = q.next().then((result) => (settled = result));
    await flush();
    expect(settled).toBeNull();

    q.push(42);
    await waiting;
    expect(settled).toEqual({ value: 42, done: false });
    // The pushed item went straight to the reader, not into the queue.
    expect(q.size).toBe(0);

    q.push(43);
    await expect(q.next()).resolves.toEqual({ value: 43, done: false });
  });

  it('holds up to `limit` items, then overflows once and ends', async () => {
    const { queue: q, onOverflow, onClose } = queue(3);
    q.push(1);
    q.push(2);
    q.push(3);
    expect(q.size).toBe(3);
    expect(onOverflow).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();

    q.push(4);
    expect(onOverflow).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(q.size).toBe(0);

    q.push(5);
    q.push(6);
    expect(q.size).toBe(0);
    expect(onOverflow).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledTimes(1);

    await expect(q.next()).rejects.toBeInstanceOf(SlowSubscriberError);
    await expect(q.next()).rejects.toThrow('subscriber too slow: more than 3 undelivered events');

    await expect(q.return()).resolves.toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onOverflow).toHaveBeenCalledTimes(1);
  });

  it('names its error', () => {
    const error = new SlowSubscriberError(5);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SlowSubscriberError');
    expect(error.message).toBe('subscriber too slow: more than 5 undelivered events');
  });

  it('does not overflow while a reader keeps up', async () => {
    const { queue: q, onOverflow } = queue(2);
    for (let i = 0; i < 20; i++) {
      q.push(i);
      q.push(i + 100);
      await expect(q.next()).resolves.toEqual({ value: i, done: false });
      await expect(q.next()).resolves.toEqual({ value: i + 100, done: false });
    }
    expect(onOverflow).not.toHaveBeenCalled();
  });

  it('ends on return(): done, onClose once, pushes ignored', async () => {
    const { queue: q, onClose, onOverflow } = queue();
    await expect(q.return()).resolves.toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);

    q.push(1);
    expect(q.size).toBe(0);
    await expect(q.next()).resolves.toEqual({ value: undefined, done: true });

    await expect(q.return()).resolves.toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onOverflow).not.toHaveBeenCalled();
  });

  it('resolves a waiting next() as done on return()', async () => {
    const { queue: q, onClose } = queue();
    const waiting = q.next();
    await flush();

    await q.return();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('yields nothing more after return(), even what was queued', async () => {
    const queue = new SubscriberQueue<string>(10, jest.fn(), jest.fn());
    queue.push('e1');
    await queue.return();
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('serves several waiting next() calls in order', async () => {
    const queue = new SubscriberQueue<string>(10, jest.fn(), jest.fn());
    const first = queue.next();
    const second = queue.next();
    queue.push('a');
    queue.push('b');
    expect(await first).toEqual({ value: 'a', done: false });
    expect(await second).toEqual({ value: 'b', done: false });
  });

  it('ends on throw(), rejecting with the error', async () => {
    const { queue: q, onClose } = queue();
    const waiting = q.next();
    const error = new Error('stop');

    await expect(q.throw(error)).rejects.toBe(error);
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
    q.push(1);
    await expect(q.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('works with for await, and closes when the loop breaks', async () => {
    const { queue: q, onClose } = queue();
    expect(q[Symbol.asyncIterator]()).toBe(q);
    q.push(1);
    q.push(2);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const item of q) {
        seen.push(item);
        if (item === 4) break;
      }
    })();
    await flush();
    expect(seen).toEqual([1, 2]);

    q.push(3);
    q.push(4);
    await reading;

    expect(seen).toEqual([1, 2, 3, 4]);
    expect(onClose).toHaveBeenCalledTimes(1);
    q.push(5);
    expect(q.size).toBe(0);
  });

  it('ends a for await loop when returned from outside', async () => {
    const { queue: q } = queue();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const item of q) seen.push(item);
      return 'ended';
    })();
    q.push(1);
    await flush();
    await q.return();

    await expect(reading).resolves.toBe('ended');
    expect(seen).toEqual([1]);
  });

  it('makes a for await loop throw SlowSubscriberError after an overflow', async () => {
    const { queue: q, onOverflow } = queue(1);
    q.push(1);
    q.push(2); // overflows: the queued item is dropped too
    const seen: number[] = [];
    const reading = (async () => {
      for await (const item of q) seen.push(item);
    })();

    await expect(reading).rejects.toBeInstanceOf(SlowSubscriberError);
    expect(seen).toEqual([]);
    expect(onOverflow).toHaveBeenCalledTimes(1);
  });

  it('ends with the given error on fail(): waiting readers and later ones get it, once', async () => {
    const { queue: q, onOverflow: onFailed, onClose } = queue();
    q.push(1);
    const reader = new SubscriberQueue<number>(10, jest.fn(), jest.fn());
    const waiting = reader.next();
    const error = new MissedEventsError();

    q.fail(error);
    reader.fail(error);
    q.fail(new Error('again'));

    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(onFailed).toHaveBeenCalledWith(error);
    expect(onClose).toHaveBeenCalledTimes(1);
    await expect(waiting).rejects.toBe(error);
    await expect(q.next()).rejects.toBe(error);
    expect(error.message).toBe('events may have been missed');
    q.push(2);
    expect(q.size).toBe(0);

    // A stream that already ended stays ended as it was.
    const done = new SubscriberQueue<number>(10, onFailed, jest.fn());
    await done.return();
    done.fail(error);
    await expect(done.next()).resolves.toEqual({ value: undefined, done: true });
    expect(onFailed).toHaveBeenCalledTimes(1);
  });
});
