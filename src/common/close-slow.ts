import type { WebSocket } from 'ws';
import { WsCloseCode } from './ws-close-codes';

/** How long a slow subscriber gets to read up to the close frame before its connection is dropped. */
const SLOW_CLOSE_GRACE_MS = 10_000;

/**
 * Closes a subscriber's socket with 1013: it fell too far behind (or, as `reason` says, was not
 * told everything), and may resume from its last event id.
 */
export function closeSlowSubscriber(
  socket: WebSocket | undefined,
  reason = 'subscriber too slow: resume with breakerEvents(after:)',
): void {
  if (!socket) return;
  socket.close(WsCloseCode.TRY_AGAIN_LATER, reason);
  // The close frame queues behind everything the subscriber has not read; don't wait on it for long.
  setTimeout(() => socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
}
