import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_ADMIN_KEY } from './test-app';

/** A graphql-ws subscription that collects what it receives, for assertions. */
export interface Collector<T> {
  readonly received: T[];
  /** Resolves once `count` payloads have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  readonly errors: unknown[];
  /** Calls back with the close event when the server closes the connection. */
  onClosed(callback: (event: unknown) => void): void;
  stop(): Promise<void>;
}

/** Opens a real graphql-ws connection to the app and subscribes; resolves once the server has acknowledged. */
export async function subscribe<T = any>(
  httpUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  options: { connectionParams?: Record<string, unknown>; client?: Client } = {},
): Promise<Collector<T>> {
  const client =
    options.client ??
    createClient({
      url: httpUrl.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: options.connectionParams ?? { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      retryAttempts: 0,
      lazy: false,
    });
  const received: T[] = [];
  const errors: unknown[] = [];
  const waiters: { count: number; resolve: (v: T[]) => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (received.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(received.slice());
      }
    }
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('graphql-ws connection not acknowledged')), 10_000);
    client.on('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.on('closed', (event) => {
      clearTimeout(timer);
      const { code, reason } = event as { code?: number; reason?: string };
      reject(new Error(`graphql-ws closed: ${code} ${reason ?? ''}`));
    });
  });
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        const data = result.data as Record<string, T> | null | undefined;
        if (data) received.push(Object.values(data)[0]);
        notify();
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  // Give the server a moment to register the subscription before the test acts.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    received,
    errors,
    waitFor(count, timeoutMs = 5000) {
      if (received.length >= count) return Promise.resolve(received.slice());
      return new Promise<T[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) {
            waiters.splice(at, 1);
            reject(
              new Error(
                `expected ${count} events within ${timeoutMs} ms, got ${received.length}: ${JSON.stringify(received.slice(-3))}`,
              ),
            );
          }
        }, timeoutMs);
        const waiter = {
          count,
          resolve: (events: T[]) => {
            clearTimeout(timer);
            resolve(events);
          },
        };
        waiters.push(waiter);
      });
    },
    onClosed(callback) {
      client.on('closed', callback);
    },
    async stop() {
      dispose();
      await client.dispose();
    },
  };
}
