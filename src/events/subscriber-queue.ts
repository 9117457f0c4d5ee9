/** Raised to a subscriber whose queue overflowed. */
export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`subscriber too slow: more than ${limit} undelivered events`);
    this.name = 'SlowSubscriberError';
  }
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: Error): void;
}

/**
 * One subscriber's events: an async iterator over a bounded queue. Pushing never waits, so a
 * subscriber that stops reading cannot hold up the others; past `limit` undelivered events it
 * overflows: `onOverflow` runs once and the iterator ends with SlowSubscriberError.
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private done = false;
  private overflowed = false;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
    private readonly onClose: () => void,
  ) {}

  push(item: T): void {
    if (this.done) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve({ value: item, done: false });
    if (this.items.length >= this.limit) return this.overflow();
    this.items.push(item);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.overflowed) return Promise.reject(new SlowSubscriberError(this.limit));
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

  private overflow(): void {
    this.overflowed = true;
    this.close();
    this.onOverflow();
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.items.length = 0;
    this.onClose();
    for (const waiter of this.waiters.splice(0)) {
      if (this.overflowed) waiter.reject(new SlowSubscriberError(this.limit));
      else waiter.resolve({ value: undefined, done: true });
    }
  }
}
