import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WebSocket } from 'ws';
import { WsCloseCode } from '../common/ws-close-codes';
import { ApiKeyStore } from './api-key.store';
import { Revocations } from './revocations';

/** The graphql-ws connections of this instance by API key, so that revoking a key closes them at once. */
@Injectable()
export class AuthenticatedSockets {
  private readonly logger = new Logger(AuthenticatedSockets.name);
  private readonly byKey = new Map<number, Set<WebSocket>>();

  constructor(
    revocations: Revocations,
    private readonly dataSource: DataSource,
    private readonly store: ApiKeyStore,
  ) {
    revocations.onRevoked((keyId) => this.closeAll(keyId));
    // Revocations sent while the listener was away were never heard: ask the database instead.
    revocations.onForgotten(() => {
      this.closeRevoked().catch((error) =>
        this.logger.error(`could not re-check the open connections' keys: ${error}`),
      );
    });
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

  /** Closes the connections of every tracked key that is no longer active. */
  private async closeRevoked(): Promise<void> {
    const ids = [...this.byKey.keys()];
    if (ids.length === 0) return;
    const active = await this.store.activeIds(this.dataSource.manager, ids);
    for (const id of ids) if (!active.has(id)) this.closeAll(id);
  }

  private closeAll(keyId: number): void {
    for (const socket of this.byKey.get(keyId) ?? []) socket.close(WsCloseCode.FORBIDDEN, 'API key revoked');
    this.byKey.delete(keyId);
  }
}
