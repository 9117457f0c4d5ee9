import { Inject, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { WsCloseCode } from './ws-close-codes';

/**
 * Closes a subscriber's socket with 1013: it fell too far behind (or, as `reason` says, was not
 * told everything), and may resume from its last event id.
 *
 * The close frame queues behind everything the subscriber has not read, so it gets
 * `SUBSCRIBER_CLOSE_GRACE_MS` to read up to it; a socket still open then is dropped (the
 * subscriber sees 1006), so that a reader stuck for good holds no buffers.
 */
@Injectable()
export class SlowSubscriberCloser {
  private readonly graceMs: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'subscriberCloseGraceMs'>) {
    this.graceMs = config.subscriberCloseGraceMs;
  }

  close(socket: WebSocket | undefined, reason = 'subscriber too slow: resume with breakerEvents(after:)'): void {
    if (!socket) return;
    socket.close(WsCloseCode.TRY_AGAIN_LATER, reason);
    setTimeout(() => socket.terminate(), this.graceMs).unref();
  }
}
