import { Client, createClient } from 'graphql-ws';

/** A GraphQL error as the platform answers it: the message, and the code from the one vocabulary. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The API key was refused (wrong, or revoked since): the page goes back to the sign-in. */
export function isAuthError(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'UNAUTHENTICATED';
}

type Variables = Record<string, unknown>;

/**
 * The platform's public API, as any frontend uses it: GraphQL over HTTP for queries and mutations,
 * graphql-ws for the live feeds, both with the API key. Nothing private.
 */
export class Api {
  private ws: Client | null = null;
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly connectionHandlers = new Set<(connected: boolean) => void>();

  constructor(
    readonly key: string,
    private readonly onAuthLost: (message: string) => void,
  ) {}

  /** One operation over HTTP; a GraphQL error rejects with its message and code. */
  async request<T>(query: string, variables: Variables = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiError('The platform cannot be reached.', 'UNAVAILABLE');
    }
    const body = (await response.json().catch(() => ({}))) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    const error = body.errors?.[0];
    if (error) {
      const failure = new ApiError(error.message, error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      if (isAuthError(failure)) this.onAuthLost('The API key was not accepted: sign in again.');
      throw failure;
    }
    if (!response.ok || body.data === undefined) {
      throw new ApiError(`The platform answered HTTP ${response.status}.`, 'UNAVAILABLE');
    }
    return body.data;
  }

  /**
   * Follows a subscription until the returned function is called. The socket is shared, and
   * reconnects by itself (the platform restarting, say); `onReconnect` handlers then re-read what
   * may have been missed.
   */
  subscribe<T>(query: string, variables: Variables, next: (data: T) => void): () => void {
    return this.socket().subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.data) next(result.data as T);
        },
        error: () => undefined, // the client retries; a fatal close is handled in `socket`
        complete: () => undefined,
      },
    );
  }

  /** Called after every reconnection of the live feeds (not the first connection). */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  /** Called when the live feeds connect or lose their connection. */
  onConnection(handler: (connected: boolean) => void): () => void {
    this.connectionHandlers.add(handler);
    return () => this.connectionHandlers.delete(handler);
  }

  close(): void {
    void this.ws?.dispose();
    this.ws = null;
  }

  private socket(): Client {
    if (this.ws) return this.ws;
    let connectedBefore = false;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    this.ws = createClient({
      url,
      connectionParams: { authorization: `Bearer ${this.key}` },
      lazy: true,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      // 4403: the key was revoked, 4401/4400: refused; anything else (a restart, 1013) is retried.
      shouldRetry: (event) => !isFatalClose(event),
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** retries))),
      on: {
        connected: () => {
          this.connectionHandlers.forEach((handler) => handler(true));
          if (connectedBefore) this.reconnectHandlers.forEach((handler) => handler());
          connectedBefore = true;
        },
        closed: (event) => {
          this.connectionHandlers.forEach((handler) => handler(false));
          if (isFatalClose(event)) this.onAuthLost('The API key is no longer accepted: sign in again.');
        },
      },
    });
    return this.ws;
  }
}

function isFatalClose(event: unknown): boolean {
  const code = (event as { code?: number } | null)?.code;
  return code === 4403 || code === 4401 || code === 4400;
}
