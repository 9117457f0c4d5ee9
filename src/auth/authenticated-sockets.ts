import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { WsCloseCode } from '../common/ws-close-codes';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';

/** The graphql-ws connections of this instance by API key, so that revoking a key closes them at once. */
@Injectable()
export class AuthenticatedSockets implements OnModuleInit, OnModuleDestroy {
  private readonly byKey = new Map<number, Set<WebSocket>>();
  private unsubscribe: Unsubscribe = () => undefined;

  constructor(@Inject(PUB_SUB) private readonly pubsub: PubSub) {}

  onModuleInit(): void {
    this.unsubscribe = this.pubsub.subscribe(PubSubChannel.KEY_REVOKED, (message) => {
      const keyId = (message as { keyId?: unknown }).keyId;
      if (typeof keyId === 'number') this.closeAll(keyId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  track(keyId: number, socket: WebSocket): void {
    let sockets = this.byKey.get(keyId);
    if (!sockets) this.byKey.set(keyId, (sockets = new Set()));
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.byKey.get(keyId) === sockets) this.byKey.delete(keyId);
    });
  }

  private closeAll(keyId: number): void {
    for (const socket of this.byKey.get(keyId) ?? []) socket.close(WsCloseCode.FORBIDDEN, 'API key revoked');
    this.byKey.delete(keyId);
  }
}
