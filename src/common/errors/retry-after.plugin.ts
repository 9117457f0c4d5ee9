import { ErrorCode } from './error-code';

/** The part of Apollo's GraphQLResponse this reads and sets (its own type differs between its ESM and CJS builds). */
interface SentResponse {
  readonly body:
    | { readonly kind: 'single'; readonly singleResult: { readonly errors?: readonly ErrorShape[] } }
    | { readonly kind: 'incremental' };
  readonly http: { status?: number; readonly headers: Map<string, string> };
}

interface ErrorShape {
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Apollo answers HTTP 200 to any error a resolver throws. A refusal that says when to come back
 * (SERVICE_UNAVAILABLE with retryAfterMs: the write queue is full) should read as busy to any
 * HTTP client, proxy or load balancer too: 503 with Retry-After, in whole seconds.
 */
export const retryAfterPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }: { response: SentResponse }) {
        if (response.body.kind !== 'single') return;
        let retryAfterMs = 0;
        for (const error of response.body.singleResult.errors ?? []) {
          const wait = error.extensions?.retryAfterMs;
          if (error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE && typeof wait === 'number') {
            retryAfterMs = Math.max(retryAfterMs, wait);
          }
        }
        if (retryAfterMs === 0) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      },
    };
  },
};
