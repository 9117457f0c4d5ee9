import { Tx } from '../database/transaction';
import { PubSubChannel } from './pubsub-channel';

/** Injection token of the PubSub. */
export const PUB_SUB = Symbol('PUB_SUB');

export type Unsubscribe = () => void;

/**
 * Fan-out of JSON messages to every instance. Messages published within a transaction are
 * delivered only once it commits, in commit order, and never if it rolls back.
 */
export interface PubSub {
  /** The largest message, in bytes of JSON, that `publish` takes. */
  readonly maxMessageBytes: number;
  publish(channel: PubSubChannel, messages: readonly unknown[], tx?: Tx): Promise<void>;
  subscribe(channel: PubSubChannel, handler: (message: unknown) => void): Unsubscribe;
  /**
   * Called after delivery was interrupted and has resumed (the listener reconnected), with the
   * time it was lost: messages published meanwhile were missed, and subscribers may catch up.
   */
  onResumed(handler: (lostAt: number) => void): Unsubscribe;
  /** Called when delivery is interrupted (the listener lost its connection); `onResumed` follows once it is back. */
  onLost(handler: () => void): Unsubscribe;
  /** This instance's listener, as `listeners` names it; null while it is not listening. */
  readonly listenerId: number | null;
  /**
   * The listeners connected now, this instance's included: one per instance that hears what is
   * published. Within a transaction, as of its first look at them.
   */
  listeners(tx?: Tx): Promise<number[]>;
}
