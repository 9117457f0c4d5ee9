import { Logger } from '@nestjs/common';
import { Tx } from '../database/transaction';
import { Handlers } from './handlers';
import { PubSub, Unsubscribe } from './pubsub';
import { PubSubChannel } from './pubsub-channel';

/** In-process fan-out, for the embedded database, which serves a single instance. */
export class MemoryPubSub implements PubSub {
  readonly maxMessageBytes = Number.MAX_SAFE_INTEGER;
  private readonly logger = new Logger(MemoryPubSub.name);
  private readonly channels = new Map<PubSubChannel, Handlers<unknown>>();

  async publish(channel: PubSubChannel, messages: readonly unknown[], tx?: Tx): Promise<void> {
    const deliver = () => {
      const handlers = this.channels.get(channel);
      if (!handlers) return;
      for (const message of messages) handlers.call(message, (error) => this.logger.error(error));
    };
    if (tx) tx.afterCommit(deliver);
    else deliver();
  }

  subscribe(channel: PubSubChannel, handler: (message: unknown) => void): Unsubscribe {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Handlers()));
    return handlers.add(handler);
  }

  /** The one listener there is: this process. */
  readonly listenerId = 0;

  async listeners(): Promise<number[]> {
    return [this.listenerId];
  }

  onLost(_handler: () => void): Unsubscribe {
    // Delivery in one process is never interrupted.
    return () => undefined;
  }

  onResumed(_handler: (lostAt: number) => void): Unsubscribe {
    // Delivery in one process is never interrupted.
    return () => undefined;
  }
}
