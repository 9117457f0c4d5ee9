import { RunningApp } from '../../src/bootstrap';
import { ChildInstance, startChildInstance } from '../support/child-instance';
import { gqlOk, sleep, startTestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, withClient } from '../support/test-database';
import { Collector, subscribe } from '../support/ws-client';

const TRANSITIONS = `subscription($n: String) { breakerStateChanged(breakerName: $n) { breakerName from to eventId } }`;

/**
 * Two instances on one Postgres, each in its own process: this one, and a child started from
 * the build. Subscribers on either hear every transition, whichever instance made it.
 */
describe('fan-out across instances through Postgres (e2e)', () => {
  let db: TestDatabase;
  let a: RunningApp;
  let b: ChildInstance;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp(db);
    b = await startChildInstance({ DATABASE_URL: db.url! });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.close();
    await db?.drop();
  });

  const register = (name: string, openTimeoutMs = 300) =>
    gqlOk(
      a,
      `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: 1, openTimeoutMs: ${openTimeoutMs} } }) { name } }`,
    );
  const fail = (url: RunningApp | string, name: string) =>
    gqlOk(url, `mutation { recordOutcome(input: { breakerName: "${name}", success: false }) { state } }`);
  const succeed = (url: RunningApp | string, name: string) =>
    gqlOk(url, `mutation { recordOutcome(input: { breakerName: "${name}", success: true }) { state } }`);

  it('delivers transitions made on A to a subscriber on B within a second, in order, once each', async () => {
    const name = 'fan.ab';
    await register(name, 60_000);
    const onB = await subscribe(b.url, TRANSITIONS, { n: name });
    try {
      await fail(a, name);
      await onB.waitFor(1, 1000);
      await gqlOk(a, `mutation { resetBreaker(name: "${name}") { state } }`);
      await onB.waitFor(2, 1000);
      await gqlOk(a, `mutation { forceOpenBreaker(name: "${name}") { state } }`);
      await gqlOk(a, `mutation { disableBreaker(name: "${name}") { state } }`);
      await gqlOk(a, `mutation { resetBreaker(name: "${name}") { state } }`);
      const got = await onB.waitFor(5, 1000);
      expect(got.map((t) => `${t.from}>${t.to}`)).toEqual([
        'CLOSED>OPEN',
        'OPEN>CLOSED',
        'CLOSED>FORCED_OPEN',
        'FORCED_OPEN>DISABLED',
        'DISABLED>CLOSED',
      ]);
      await sleep(300);
      expect(onB.received).toHaveLength(5);
    } finally {
      await onB.stop();
    }
  });

  it('half-opens a due breaker exactly once in the cluster, and both instances announce it once', async () => {
    const name = 'fan.half';
    await register(name);
    const onA = await subscribe(a.url, TRANSITIONS, { n: name });
    const onB = await subscribe(b.url, TRANSITIONS, { n: name });
    try {
      await fail(b.url, name);
      for (const feed of [onA, onB]) {
        const got = await feed.waitFor(2, 3000);
        expect(got.map((t) => t.to)).toEqual(['OPEN', 'HALF_OPEN']);
      }
      await sleep(800); // several more sweeps on both instances
      expect(onA.received).toHaveLength(2);
      expect(onB.received).toHaveLength(2);
      const { breakerEvents } = await gqlOk(
        a,
        `{ breakerEvents(breakerName: "${name}", types: [CIRCUIT_HALF_OPENED, RECOVERY_ATTEMPTED]) { edges { node { type } } } }`,
      );
      expect(breakerEvents.edges).toHaveLength(2);
    } finally {
      await Promise.all([onA.stop(), onB.stop()]);
    }
  });

  it('resumes delivery after the listener connections are killed, and catches up on what they missed', async () => {
    const name = 'fan.kill';
    await register(name, 60_000);
    const feeds: Collector<any>[] = [
      await subscribe(a.url, TRANSITIONS, { n: name }),
      await subscribe(b.url, TRANSITIONS, { n: name }),
    ];
    try {
      await fail(a, name);
      for (const feed of feeds) await feed.waitFor(1, 1000);

      const killed = await withClient(db.url!, (c) =>
        c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'breakers-listener' AND datname = current_database()`,
        ),
      );
      expect(killed.rowCount).toBe(2);
      // Made while the listeners are down: caught up after they reconnect.
      await gqlOk(a, `mutation { resetBreaker(name: "${name}") { state } }`);
      // Made after: delivered live.
      await sleep(1500);
      await fail(b.url, name);
      await gqlOk(b.url, `mutation { resetBreaker(name: "${name}") { state } }`);

      for (const feed of feeds) {
        const got = await feed.waitFor(4, 10_000);
        expect(got.map((t) => `${t.from}>${t.to}`)).toEqual([
          'CLOSED>OPEN',
          'OPEN>CLOSED',
          'CLOSED>OPEN',
          'OPEN>CLOSED',
        ]);
      }
      await sleep(300);
      for (const feed of feeds) expect(feed.received).toHaveLength(4);
      const listeners = await withClient(db.url!, (c) =>
        c.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'breakers-listener' AND datname = current_database()`,
        ),
      );
      expect(listeners.rows[0].n).toBe(2);
    } finally {
      await Promise.all(feeds.map((f) => f.stop()));
    }
  });

  it('closes subscriptions on every instance when their key is revoked on one', async () => {
    const { createApiKey } = await gqlOk(
      a,
      `mutation { createApiKey(name: "dashboard", role: VIEWER) { key info { id } } }`,
    );
    const params = { connectionParams: { authorization: `Bearer ${createApiKey.key}` } };
    const onB = await subscribe(b.url, TRANSITIONS, {}, params);
    const closed = new Promise<unknown>((resolve) => onB.onClosed(resolve));
    await gqlOk(a, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: createApiKey.info.id });
    expect(await closed).toMatchObject({ code: 4403 });
    await onB.stop();
  });

  it('logs JSON lines with request ids', () => {
    const lines = b
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.every((entry) => typeof entry.level === 'number' && typeof entry.time === 'number')).toBe(true);
    const requests = parsed.filter((entry) => entry.req?.url === '/graphql');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((entry) => typeof entry.req.id === 'string' && entry.req.id.length > 0)).toBe(true);
    expect(JSON.stringify(requests)).not.toContain('test-admin-key');
  });
});
