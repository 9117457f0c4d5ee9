import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { WsCloseCode } from '../common/ws-close-codes';
import { Revocations } from './revocations';

/** The graphql-ws connections of this instance by API key, so that revoking a key closes them at once. */
@Injectable()
export class AuthenticatedSockets {
  private readonly byKey = new Map<number, Set<WebSocket>>();

  constructor(revocations: Revocations) {
    revocations.onRevoked((keyId) => this.closeAll(keyId));
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
