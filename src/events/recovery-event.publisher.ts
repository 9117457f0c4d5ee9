import { Inject, Injectable } from '@nestjs/common';
import { Tx } from '../database/transaction';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { toEventMessage } from './event-message';
import { StoredEvent } from './stored-event';

/** Publishes recovery events from within the transaction that writes them: delivered on commit only. */
@Injectable()
export class RecoveryEventPublisher {
  constructor(@Inject(PUB_SUB) private readonly pubsub: PubSub) {}

  async publish(tx: Tx, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const messages = events.map((event) => toEventMessage(event, this.pubsub.maxMessageBytes));
    await this.pubsub.publish(PubSubChannel.RECOVERY_EVENTS, messages, tx);
  }
}
