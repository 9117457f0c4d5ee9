import WebSocket from 'ws';

/** A WebSocket handshake not answered by then fails (and is retried): a partition answers nothing. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * Close codes after which graphql-ws would never connect again: it treats them as fatal before
 * it asks `shouldRetry`. From the platform they mean a fault on its side (4500, 1011) or in one
 * frame, which a new connection does not repeat; the SDK must keep trying, as for any other
 * loss. Codes about the key or the protocol (4401, 4403, 4406) keep their meaning.
 */
const RETRYABLE_INSTEAD = new Set([4500, 4400, 4004, 4005, 1002, 1003, 1007, 1008, 1009, 1010, 1011]);
/** "Try Again Later": retried by graphql-ws. */
const TRY_AGAIN = 1013;

type CloseListener = ((event: WebSocket.CloseEvent) => void) | null;

/**
 * The `ws` WebSocket as graphql-ws gets it: with a handshake timeout, and with the close codes
 * above passed on as 1013 (the reason says what came), so that the connection is retried.
 */
export class PlatformSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    // graphql-ws drops its `onerror` before it closes a socket it gives up on; closed while still
    // connecting, ws then emits an 'error' nobody listens to, which would throw. Its close is told anyway.
    this.on('error', () => undefined);
  }
}

// graphql-ws listens through the `onclose` property: an accessor on the subclass wraps what it sets.
const base = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onclose')!;
Object.defineProperty(PlatformSocket.prototype, 'onclose', {
  configurable: true,
  enumerable: true,
  get(this: WebSocket): CloseListener {
    return (base.get!.call(this) as CloseListener) ?? null;
  },
  set(this: WebSocket, listener: CloseListener) {
    base.set!.call(
      this,
      listener === null
        ? null
        : (event: WebSocket.CloseEvent) => listener(RETRYABLE_INSTEAD.has(event.code) ? retryable(event) : event),
    );
  },
});

function retryable(event: WebSocket.CloseEvent): WebSocket.CloseEvent {
  return {
    code: TRY_AGAIN,
    reason: `closed with ${event.code}${event.reason ? `: ${event.reason}` : ''}`,
    wasClean: event.wasClean,
    type: event.type,
    target: event.target,
  };
}
