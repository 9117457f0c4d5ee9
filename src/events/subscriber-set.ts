import { SubscriberQueue } from './subscriber-queue';

interface Subscriber<T> {
  readonly filter: (value: T) => boolean;
  readonly queue: SubscriberQueue<T>;
}

/** The local subscribers of one feed, each with its filter and its own bounded queue. */
export class SubscriberSet<T> {
  private readonly subscribers = new Set<Subscriber<T>>();

  constructor(private readonly queueLimit: number) {}

  /** A new subscriber's stream of the values that pass `filter`; it leaves the set when the stream ends. */
  add(filter: (value: T) => boolean, onFailed: (error: Error) => void): SubscriberQueue<T> {
    const subscriber: Subscriber<T> = {
      filter,
      queue: new SubscriberQueue<T>(this.queueLimit, onFailed, () => this.subscribers.delete(subscriber)),
    };
    this.subscribers.add(subscriber);
    return subscriber.queue;
  }

  /** Hands the same value to every subscriber whose filter passes; a filter that throws costs only its own subscriber. */
  deliver(value: T, onError: (error: unknown) => void): void {
    for (const subscriber of this.subscribers) {
      try {
        if (subscriber.filter(value)) subscriber.queue.push(value);
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Ends every subscriber's stream with `error`. */
  failAll(error: Error): void {
    for (const subscriber of [...this.subscribers]) subscriber.queue.fail(error);
  }

  get size(): number {
    return this.subscribers.size;
  }
}
