import { createServer } from 'node:net';
import { ChildInstance, startChildInstance } from '../support/child-instance';
import { ClientProcess } from '../support/client-process';
import { eventually, gqlOk, sleep, TEST_ADMIN_KEY } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** A loopback port free now: the server is restarted on it, so the clients find it again. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The client package as services use it: two client processes and a server process, each its
 * own Node process. State reaches every client within a second; outcomes arrive exactly once
 * across a `kill -9` of the server; without the server, each client protects itself.
 */
describe('client processes against a server process (e2e)', () => {
  let db: TestDatabase;
  let port: number;
  let server: ChildInstance | null = null;
  const clients: ClientProcess[] = [];

  const startServer = async () => {
    server = await startChildInstance({ ...db.env, PORT: String(port), HALF_OPEN_SWEEP_INTERVAL_MS: '20' });
    return server;
  };
  const url = () => `http://127.0.0.1:${port}`;
  const admin = (mutation: string, name: string) =>
    gqlOk(url(), `mutation($n: String!) { ${mutation}(name: $n, reason: "test") { state } }`, { n: name });
  const platformState = async (name: string) =>
    (await gqlOk(url(), `query($n: String!) { breaker(name: $n) { state metrics { totalCalls } } }`, { n: name }))
      .breaker as { state: string; metrics: { totalCalls: number } };
  const pair = async (breaker: string, config: Record<string, unknown>, staleAfterMs = 5000) => {
    const a = await ClientProcess.start({ url: url(), apiKey: TEST_ADMIN_KEY, breaker, config, staleAfterMs });
    const b = await ClientProcess.start({ url: url(), apiKey: TEST_ADMIN_KEY, breaker, staleAfterMs });
    clients.push(a, b);
    return [a, b] as const;
  };
  /** Resolves with when (epoch ms) the client's state became `to`, at or after `since`. */
  const reached = (client: ClientProcess, to: string, since: number, timeoutMs = 3000) =>
    eventually(async () => client.changeTo(to, since)?.at as number | undefined, timeoutMs, 10);

  beforeAll(async () => {
    db = await createTestDatabase();
    port = await freePort();
    await startServer();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.kill()));
    await server?.stop('SIGKILL');
    await db?.drop();
  });

  it('a trip from one client, an admin force-open and a reset each reach both clients within 1 s', async () => {
    const [a, b] = await pair('proc-fleet', { failureThreshold: 3, openTimeoutMs: 60_000 });
    const { settledAt } = await a.run(3, true);
    const opened = await Promise.all([reached(a, 'OPEN', 0), reached(b, 'OPEN', 0)]);
    expect(Math.max(...opened) - settledAt).toBeLessThan(1000);
    expect((await b.run(1, false)).refused).toBe(1);

    for (const [mutation, to] of [
      ['forceOpenBreaker', 'FORCED_OPEN'],
      ['resetBreaker', 'CLOSED'],
    ] as const) {
      const asked = Date.now();
      await admin(mutation, 'proc-fleet');
      const at = await Promise.all([reached(a, to, asked), reached(b, to, asked)]);
      expect(Math.max(...at) - asked).toBeLessThan(1000);
    }
    expect(await b.run(2, false)).toMatchObject({ refused: 1, executed: 2 });
  }, 60_000);

  it('kill -9 of the server mid-flight, then a restart: every outcome the clients made is counted exactly once', async () => {
    const [a, b] = await pair('proc-exactly-once', { failureThreshold: 10_000 });
    await Promise.all([a, b].map((c) => c.send('load', { perSecond: 2000, failEvery: 10 })));
    await sleep(1000);
    await server!.stop('SIGKILL');
    // The clients go on calling (and buffering) while the server is away.
    await sleep(700);
    await startServer();
    await sleep(1500);
    const [ca, cb] = await Promise.all([a.send('stop'), b.send('stop')]);
    const closed = await Promise.all([a.send('close', { timeoutMs: 30_000 }), b.send('close', { timeoutMs: 30_000 })]);
    expect(closed.map((c) => c.unsent)).toEqual([0, 0]);
    expect(closed.map((c) => c.stats.dropped)).toEqual([0, 0]);
    const made = ca.executed + cb.executed;
    expect(made).toBeGreaterThan(3000);
    expect((await platformState('proc-exactly-once')).metrics.totalCalls).toBe(made);
  }, 90_000);

  it('fail-static: with the server stopped a failing dependency trips each client locally; they recover when it returns', async () => {
    const [a, b] = await pair('proc-static', { failureThreshold: 3, openTimeoutMs: 500 }, 300);
    await server!.stop('SIGKILL');
    await Promise.all([a, b].map((c) => eventually(async () => ((await c.state()).local ? true : undefined), 5000, 20)));
    // The dependency is down: each client trips on its own failures, with no server to tell it.
    for (const client of [a, b]) {
      await client.run(3, true);
      expect(await client.state()).toMatchObject({ state: 'OPEN', local: true });
      expect((await client.run(1, false)).refused).toBe(1);
    }
    expect(a.changeTo('OPEN')).toMatchObject({ from: 'CLOSED', local: true });
    await startServer();
    // Back: the platform's state takes over, and once the dependency is healthy, calls go through.
    await Promise.all(
      [a, b].map((client) =>
        eventually(
          async () => {
            await client.run(1, false);
            const { state, local } = await client.state();
            return state === 'CLOSED' && !local ? true : undefined;
          },
          20_000,
          100,
        ),
      ),
    );
    expect(a.events.filter((e) => e.event === 'localMode').map((e) => e.local)).toEqual([true, false]);
    const closed = await Promise.all([a.send('close', { timeoutMs: 20_000 }), b.send('close', { timeoutMs: 20_000 })]);
    expect(closed.map((c) => c.unsent)).toEqual([0, 0]);
    const made = closed[0].counts.executed + closed[1].counts.executed;
    expect((await platformState('proc-static')).metrics.totalCalls).toBe(made);
  }, 90_000);

  it('on SIGTERM a client flushes what it buffered before it exits', async () => {
    const [a] = await pair('proc-sigterm', { failureThreshold: 10_000 });
    await a.send('load', { perSecond: 2000 });
    await sleep(500);
    a.signal('SIGTERM');
    expect(await a.exited).toBe(143);
    const closed = a.events.find((e) => e.event === 'closed') as unknown as {
      unsent: number;
      counts: { executed: number };
    };
    expect(closed.unsent).toBe(0);
    expect(closed.counts.executed).toBeGreaterThan(100);
    expect((await platformState('proc-sigterm')).metrics.totalCalls).toBe(closed.counts.executed);
  }, 60_000);
});
