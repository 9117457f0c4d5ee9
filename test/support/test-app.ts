import { RunningApp, startApp } from '../../src/bootstrap';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/app-config';
import { createTestDatabase, TestDatabase } from './test-database';

/** The admin key every test app is started with (ADMIN_API_KEY), and that gql() sends unless told otherwise. */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestAppOptions {
  readonly clock?: Clock;
  /** Extra environment, e.g. HALF_OPEN_SWEEP_INTERVAL_MS. */
  readonly env?: Record<string, string>;
}

/** Starts the real app on a free loopback port against the test's database. */
export function startTestApp(db: TestDatabase, options: TestAppOptions = {}): Promise<RunningApp> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'silent',
    ...db.env,
    ...options.env,
  });
  return startApp(config, { clock: options.clock, logger: false });
}

/** The app and database of one describe block: a fresh database and app before its tests, closed and dropped after them. */
export interface TestAppFixture {
  readonly db: TestDatabase;
  readonly app: RunningApp;
}

/**
 * Registers, in the calling describe block, a beforeAll that creates a database and starts the app on it,
 * and an afterAll that closes the app and drops the database. Read `db` and `app` from hooks and tests
 * (they exist once that beforeAll has run); setup of the block's own goes in a beforeAll registered after
 * this call, since Jest runs beforeAll hooks in the order they are registered.
 */
export function useTestApp(options: TestAppOptions = {}): TestAppFixture {
  let db: TestDatabase | undefined;
  let app: RunningApp | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, options);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  const notYet = (what: string): never => {
    throw new Error(
      `useTestApp: the ${what} is not there yet; read it in a hook or test, after the fixture's beforeAll`,
    );
  };
  return {
    get db() {
      return db ?? notYet('database');
    },
    get app() {
      return app ?? notYet('app');
    },
  };
}

export interface GraphqlResponse<T> {
  readonly status: number;
  readonly data: T | null;
  readonly errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** Posts one GraphQL operation over HTTP, as any client would, with the test admin key unless `key` says otherwise (null: none). */
export async function gql<T = any>(
  app: RunningApp | string,
  query: string,
  variables?: Record<string, unknown>,
  key: string | null = TEST_ADMIN_KEY,
): Promise<GraphqlResponse<T>> {
  const base = typeof app === 'string' ? app : app.url;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphqlResponse<T>['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors };
}

/** Like gql, but fails the test on any GraphQL error. */
export async function gqlOk<T = any>(
  app: RunningApp | string,
  query: string,
  variables?: Record<string, unknown>,
  key: string | null = TEST_ADMIN_KEY,
): Promise<T> {
  const result = await gql<T>(app, query, variables, key);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

/** The `extensions.code` of the first error, for asserting on the error vocabulary. */
export function errorCode(result: GraphqlResponse<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

export const BREAKER_FIELDS = `
  name state consecutiveFailures stateChangedAt openUntil currentOpenTimeoutMs
  config { failureThreshold openTimeoutMs maxOpenTimeoutMs halfOpenMaxCalls successThreshold }
  metrics {
    breakerName totalCalls totalFailures recoveryAttempts successfulRecoveries failedRecoveries
    averageRecoveryTimeMs circuitOpenDurationMs lastFailureAt lastRecoveryAt
  }`;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it answers a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
