import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { RunningApp } from '../src/bootstrap';
import { ApiKeyStore } from '../src/auth/api-key.store';
import { gql, gqlOk, startTestApp, TEST_ADMIN_KEY } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

type WsResult = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

function wsClient(app: RunningApp, key: string): Client {
  return createClient({
    url: app.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
}

/** One query over graphql-ws: its result, or the errors the server answered for it. */
function wsQuery(client: Client, query: string): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    let result: WsResult = {};
    client.subscribe(
      { query },
      {
        next: (value) => (result = value as WsResult),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}

/** Sends a POST /graphql whose headers promise `contentLength` bytes but only a few follow; the raw response head, or null. */
function postWithoutBody(app: RunningApp, headers: Record<string, string>, contentLength: number): Promise<string> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = [
        'POST /graphql HTTP/1.1',
        `Host: ${hostname}:${port}`,
        'Content-Type: application/json',
        `Content-Length: ${contentLength}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(lines.join('\r\n') + '\r\n\r\n{"query": "');
    });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(received.split('\r\n\r\n')[0]);
      }
    });
    socket.on('error', reject);
    // The server would wait for the rest of the body: no answer within this means it did.
    setTimeout(() => {
      socket.destroy();
      resolve('no answer before the body was complete');
    }, 3000).unref();
  });
}

async function createKey(app: RunningApp, role: 'VIEWER' | 'REPORTER' | 'ADMIN' = 'VIEWER'): Promise<string> {
  const name = `k-${randomBytes(4).toString('hex')}`;
  const { createApiKey } = await gqlOk(app, `mutation { createApiKey(name: "${name}", role: ${role}) { key } }`);
  return createApiKey.key;
}

describe('rate limits (e2e)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('holds graphql-ws operations to the key rate limit, with SERVICE_UNAVAILABLE and retryAfterMs', async () => {
    const app = await startTestApp(db, { env: { RATE_LIMIT_PER_MINUTE: '5' } });
    const client = wsClient(app, await createKey(app));
    try {
      const results: WsResult[] = [];
      for (let i = 0; i < 20; i++) results.push(await wsQuery(client, '{ breakers { name } }'));
      const refused = results.filter((r) => r.errors?.length);
      expect({ ran: results.length - refused.length, refused: refused.length }).toEqual({ ran: 5, refused: 15 });
      expect(refused[0].errors![0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(refused[0].errors![0].extensions!.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await client.dispose();
      await app.close();
    }
  });

  it('sends Retry-After (seconds) with the 429 of a key over its limit', async () => {
    const app = await startTestApp(db, { env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const key = await createKey(app);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 7; i++) {
        const response = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: '{ breakers { name } }' }),
        });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
      expect(Number(retryAfter)).toBeLessThanOrEqual(12);
    } finally {
      await app.close();
    }
  });

  it('limits failed authentications per client address: past the limit, 429 with Retry-After before any key lookup', async () => {
    const app = await startTestApp(db, { env: { AUTH_FAILURES_PER_MINUTE: '5' } });
    const lookups = jest.spyOn(app.app.get(ApiKeyStore), 'findActiveByHash');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await gql(app, '{ breakers { name } }', undefined, `brk_${randomBytes(32).toString('hex')}`)).status,
        );
      }
      const lookupsBefore = lookups.mock.calls.length;
      const limited: Response[] = [];
      for (let i = 0; i < 20; i++) {
        limited.push(
          await fetch(`${app.url}/graphql`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer brk_${randomBytes(32).toString('hex')}`,
            },
            body: JSON.stringify({ query: '{ breakers { name } }' }),
          }),
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect(limited.map((r) => r.status)).toEqual(Array(20).fill(429));
      expect(limited[0].headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      expect(((await limited[0].json()) as any).errors[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(lookups.mock.calls.length).toBe(lookupsBefore);
    } finally {
      lookups.mockRestore();
      await app.close();
    }
  });

  it('refuses a request without a key, or with a malformed one, before reading its body', async () => {
    const app = await startTestApp(db);
    try {
      expect(await postWithoutBody(app, {}, 4_000_000)).toMatch(/^HTTP\/1\.1 401/);
      expect(await postWithoutBody(app, { Authorization: 'Bearer ' }, 4_000_000)).toMatch(/^HTTP\/1\.1 401/);
      expect(await postWithoutBody(app, { Authorization: 'Bearer two words' }, 4_000_000)).toMatch(/^HTTP\/1\.1 401/);
      const refused = await gql(app, '{ breakers { name } }', undefined, null);
      expect(refused.status).toBe(401);
      expect(refused.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await app.close();
    }
  });

  it('keeps valid keys in memory: repeated requests cost one lookup, and a revoked key stops at once', async () => {
    const app = await startTestApp(db);
    const lookups = jest.spyOn(app.app.get(ApiKeyStore), 'findActiveByHash');
    try {
      const { createApiKey } = await gqlOk(
        app,
        `mutation { createApiKey(name: "cached", role: VIEWER) { key info { id } } }`,
      );
      lookups.mockClear();
      for (let i = 0; i < 10; i++) await gqlOk(app, '{ breakers { name } }', undefined, createApiKey.key);
      expect(lookups).toHaveBeenCalledTimes(1);
      await gqlOk(
        app,
        `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`,
        { id: createApiKey.info.id },
        TEST_ADMIN_KEY,
      );
      expect((await gql(app, '{ breakers { name } }', undefined, createApiKey.key)).status).toBe(401);
    } finally {
      lookups.mockRestore();
      await app.close();
    }
  });
});
