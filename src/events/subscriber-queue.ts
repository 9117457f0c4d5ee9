/** Raised to a subscriber whose queue overflowed. */
export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`subscriber too slow: more than ${limit} undelivered events`);
    this.name = 'SlowSubscriberError';
  }
}

/** Raised to every subscriber of an instance that could not re-read the events its listener missed. */
export class MissedEventsError extends Error {
  constructor() {
    super('events may have been missed');
    this.name = 'MissedEventsError';
  }
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: Error): void;
}

/**
 * One subscriber's events: an async iterator over a bounded queue. Pushing never waits, so a
 * subscriber that stops reading cannot hold up the others; past `limit` undelivered events it
 * overflows: `onFailed` runs once and the iterator ends with SlowSubscriberError. `fail` ends it
 * the same way with another error, for a subscriber that cannot be told everything.
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private done = false;
  private failure: Error | null = null;

  constructor(
    private readonly limit: number,
    private readonly onFailed: (error: Error) => void,
    private readonly onClose: () => void,
  ) {}

  push(item: T): void {
    if (this.done) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve({ value: item, done: false });
    if (this.items.length >= this.limit) return this.fail(new SlowSubscriberError(this.limit));
    this.items.push(item);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  get size(): number {
    return this.items.length;
  }

  /** Ends the stream with `error`, dropping what it holds; `onFailed` runs once. A closed stream stays as it is. */
  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.close();
    this.onFailed(error);
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.items.length = 0;
    this.onClose();
    for (const waiter of this.waiters.splice(0)) {
      if (this.failure) waiter.reject(this.failure);
      else waiter.resolve({ value: undefined, done: true });
    }
  }
}
