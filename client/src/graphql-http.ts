/** How long one request may take before it is given up on (and, for a batch, retried). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Why a request failed, as the platform's error vocabulary (`extensions.code`) puts it, or
 * `NETWORK` when no answer came (refused, reset, timed out) or the answer was not GraphQL.
 */
export type FailureCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK';

/** A request the platform refused or that got no answer. */
export class PlatformRequestError extends Error {
  override readonly name = 'PlatformRequestError';

  constructor(
    message: string,
    readonly code: FailureCode,
    /** When the platform said how long to wait before trying again (SERVICE_UNAVAILABLE, HTTP 429). */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /**
   * Whether the same request may succeed later: the platform was unreachable, busy or failed
   * inside. A mistake in the request, an unknown name or a refused key never will.
   */
  get retryable(): boolean {
    return this.code === 'NETWORK' || this.code === 'SERVICE_UNAVAILABLE' || this.code === 'INTERNAL_SERVER_ERROR';
  }
}

export interface GraphqlHttpOptions {
  /** The platform's GraphQL endpoint, e.g. http://localhost:3000/graphql. */
  readonly url: string;
  readonly apiKey: string;
  readonly requestTimeoutMs?: number;
}

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string; retryAfterMs?: number } }[];
}

const KNOWN_CODES = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
]);

/** GraphQL over HTTP POST with an API key, on Node's own fetch: one request, one answer or one PlatformRequestError. */
export class GraphqlHttp {
  private readonly timeoutMs: number;

  constructor(private readonly options: GraphqlHttpOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    let body: GraphqlAnswer<T>;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = (await response.json()) as GraphqlAnswer<T>;
    } catch (error) {
      throw new PlatformRequestError(`the platform did not answer: ${(error as Error).message}`, 'NETWORK');
    }
    const first = body.errors?.[0];
    if (first) {
      const given = first.extensions?.code ?? '';
      const code: FailureCode = KNOWN_CODES.has(given)
        ? (given as FailureCode)
        : response.status === 429 || response.status >= 500
          ? 'SERVICE_UNAVAILABLE'
          : 'BAD_USER_INPUT';
      const retryAfterMs = first.extensions?.retryAfterMs ?? retryAfterHeaderMs(response.headers.get('retry-after'));
      throw new PlatformRequestError(first.message ?? `the platform answered ${code}`, code, retryAfterMs);
    }
    if (!response.ok || body.data === undefined || body.data === null) {
      // A request too large (413) fails the same way every time: it is no network trouble to retry.
      const code: FailureCode = response.status === 413 ? 'BAD_USER_INPUT' : 'NETWORK';
      throw new PlatformRequestError(`the platform answered HTTP ${response.status} without data`, code);
    }
    return body.data;
  }
}

/** Retry-After in seconds (the only form the platform sends), as milliseconds; null when absent or not a number. */
function retryAfterHeaderMs(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
