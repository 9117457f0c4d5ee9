import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RunningApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';
import { startApp } from '../src/bootstrap';
import { errorCode, gql, gqlOk, useTestApp } from './support/test-app';
import { createTestDatabase, withClient } from './support/test-database';
import { subscribe } from './support/ws-client';

const TRANSITIONS = `subscription { breakerStateChanged { breakerName to } }`;

describe('access control (e2e)', () => {
  let app: RunningApp;
  const fixture = useTestApp();
  const keys: Record<'viewer' | 'reporter' | 'admin', { id: string; key: string }> = {} as never;

  beforeAll(async () => {
    app = fixture.app;
    for (const role of ['VIEWER', 'REPORTER', 'ADMIN'] as const) {
      const { createApiKey } = await gqlOk(
        app,
        `mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key info { id name role createdAt lastUsedAt revokedAt } } }`,
        { n: `${role.toLowerCase()}-service`, r: role },
      );
      expect(createApiKey.info).toMatchObject({
        name: `${role.toLowerCase()}-service`,
        role,
        lastUsedAt: null,
        revokedAt: null,
      });
      keys[role.toLowerCase() as 'viewer'] = { id: createApiKey.info.id, key: createApiKey.key };
    }
    await gqlOk(
      app,
      `mutation { registerBreaker(input: { name: "guarded", config: { failureThreshold: 1, openTimeoutMs: 60000 } }) { name } }`,
    );
  });

  const READ = `{ breakers { name } }`;
  const REPORT = `mutation { recordOutcome(input: { breakerName: "guarded", success: true }) { name } }`;
  const ADMIN = `mutation { resetBreaker(name: "guarded", reason: "drill") { state } }`;

  it('gives a stranger nothing: no key, a wrong key, a malformed header, even introspection', async () => {
    for (const key of [null, 'not-a-key', 'brk_' + 'x'.repeat(43)]) {
      for (const query of [READ, REPORT, ADMIN, '{ __typename }', '{ __schema { types { name } } }']) {
        const result = await gql(app, query, undefined, key);
        expect(errorCode(result)).toBe('UNAUTHENTICATED');
        expect(result.data).toBeNull();
      }
    }
    const raw = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: READ }),
    });
    expect(raw.status).toBe(401);
  });

  it('gives each role exactly its rights', async () => {
    const expectations: [keyof typeof keys, string, string | undefined][] = [
      ['viewer', READ, undefined],
      ['viewer', REPORT, 'FORBIDDEN'],
      ['viewer', ADMIN, 'FORBIDDEN'],
      ['viewer', `{ apiKeys { id } }`, 'FORBIDDEN'],
      ['reporter', READ, undefined],
      ['reporter', REPORT, undefined],
      ['reporter', `mutation { acquirePermission(breakerName: "guarded") { permitted } }`, undefined],
      ['reporter', `mutation { registerBreaker(input: { name: "by-reporter" }) { name } }`, undefined],
      ['reporter', ADMIN, 'FORBIDDEN'],
      ['reporter', `mutation { recomputeHealth { overallSystemHealth } }`, 'FORBIDDEN'],
      ['reporter', `mutation { createApiKey(name: "x", role: ADMIN) { key } }`, 'FORBIDDEN'],
      ['admin', READ, undefined],
      ['admin', REPORT, undefined],
      ['admin', ADMIN, undefined],
      [
        'admin',
        `mutation { updateBreakerConfig(name: "guarded", config: { failureThreshold: 2 }) { name } }`,
        undefined,
      ],
      ['admin', `{ apiKeys { id } }`, undefined],
    ];
    for (const [who, query, code] of expectations) {
      const result = await gql(app, query, undefined, keys[who].key);
      expect({ who, query, code: errorCode(result) }).toEqual({ who, query, code });
      if (code === 'FORBIDDEN') expect(result.errors![0].message).toMatch(/needs the (REPORTER|ADMIN) role/);
    }
  });

  it('records who did an admin action, and why', async () => {
    await gqlOk(
      app,
      `mutation { forceOpenBreaker(name: "guarded", reason: "maintenance window") { state } }`,
      undefined,
      keys.admin.key,
    );
    const { breakerEvents } = await gqlOk(
      app,
      `{ breakerEvents(breakerName: "guarded", types: [CIRCUIT_FORCED_OPEN], first: 1) { edges { node { info } } } }`,
    );
    expect(breakerEvents.edges[0].node.info).toEqual({ reason: 'maintenance window', actor: 'admin-service' });
  });

  it('stores only hashes, never returns a secret, and keeps lastUsedAt', async () => {
    const { apiKeys } = await gqlOk(app, `{ apiKeys { id name role createdAt lastUsedAt revokedAt } }`);
    const json = JSON.stringify(apiKeys);
    for (const { key } of Object.values(keys)) expect(json).not.toContain(key);
    const viewer = apiKeys.find((k: any) => k.id === keys.viewer.id);
    expect(viewer.lastUsedAt).not.toBeNull();
    expect(Object.keys(viewer).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role']);
    if (fixture.db.url) {
      const rows = await withClient(fixture.db.url, (c) =>
        c.query('SELECT key_hash FROM api_keys WHERE id = $1', [Number(keys.viewer.id)]),
      );
      expect(rows.rows[0].key_hash).toBe(createHash('sha256').update(keys.viewer.key).digest('hex'));
    }
  });

  it('refuses a graphql-ws connection without a valid key at connection_init', async () => {
    await expect(subscribe(app.url, TRANSITIONS, {}, { connectionParams: {} })).rejects.toThrow(/4403/);
    await expect(
      subscribe(app.url, TRANSITIONS, {}, { connectionParams: { authorization: 'Bearer nope' } }),
    ).rejects.toThrow(/4403/);
    const ok = await subscribe(
      app.url,
      TRANSITIONS,
      {},
      { connectionParams: { authorization: `Bearer ${keys.viewer.key}` } },
    );
    await ok.stop();
  });

  it('stops a revoked key at once, over HTTP and on its open subscriptions', async () => {
    const { createApiKey } = await gqlOk(
      app,
      `mutation { createApiKey(name: "soon-revoked", role: VIEWER) { key info { id } } }`,
    );
    const key = createApiKey.key;
    expect(errorCode(await gql(app, READ, undefined, key))).toBeUndefined();
    const feed = await subscribe(app.url, TRANSITIONS, {}, { connectionParams: { authorization: `Bearer ${key}` } });
    const closed = new Promise<unknown>((resolve) => feed.onClosed(resolve));

    const { revokeApiKey } = await gqlOk(app, `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, {
      id: createApiKey.info.id,
    });
    expect(revokeApiKey.revokedAt).not.toBeNull();

    expect(errorCode(await gql(app, READ, undefined, key))).toBe('UNAUTHENTICATED');
    expect(await closed).toMatchObject({ code: 4403 });
    expect(errorCode(await gql(app, `mutation { revokeApiKey(id: "99999") { id } }`))).toBe('NOT_FOUND');
  });
});

describe('the bootstrap admin key (e2e)', () => {
  it('is generated when there is none and no ADMIN_API_KEY, shown once and written to DATA_DIR/admin-key (0600)', async () => {
    const db = await createTestDatabase();
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...db.env });
    const app = await startApp(config, { logger: false });
    try {
      if (db.kind === 'embedded') {
        const file = join(config.dataDir, 'admin-key');
        const key = (await readFile(file, 'utf8')).trim();
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        const { apiKeys } = await gqlOk(app, `{ apiKeys { name role } }`, undefined, key);
        expect(apiKeys).toEqual([{ name: 'bootstrap-admin', role: 'ADMIN' }]);
      } else {
        // On Postgres the key is only printed; the stored one is an admin key.

        const rows = await withClient(db.url!, (c) => c.query('SELECT name, role FROM api_keys'));
        expect(rows.rows).toEqual([{ name: 'bootstrap-admin', role: 'ADMIN' }]);
      }
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
