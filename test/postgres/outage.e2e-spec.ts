import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { RunningApp } from '../../src/bootstrap';
import { ChildInstance, startChildInstance } from '../support/child-instance';
import { errorCode, gql, GraphqlResponse, gqlOk, sleep, startTestApp, TEST_ADMIN_KEY } from '../support/test-app';
import { createTestDatabase, TestDatabase, withClient } from '../support/test-database';
import { CutMode, startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { Collector, subscribe } from '../support/ws-client';

const TRANSITIONS = `subscription($n: String) { breakerStateChanged(breakerName: $n) { breakerName from to eventId } }`;
const FLOW = 'outage.flow';
const COUNTED = 'outage.counted';
/** The budgets: an error within 5 s of asking, everything back within 15 s of the database. */
const ANSWER_BUDGET_MS = 5000;
const HEAL_BUDGET_MS = 15_000;

interface Timed<T> {
  readonly value: T;
  readonly ms: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** What the instance logged about its LISTEN connection and catch-ups, to explain a missed event. */
function listenerLog(instance: ChildInstance): string {
  return instance
    .output()
    .split('\n')
    .filter((line) => /listener|caught up|catch-up/i.test(line))
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { time?: number; msg?: string };
        return `${new Date(entry.time ?? 0).toISOString()} ${entry.msg}`;
      } catch {
        return line;
      }
    })
    .join('\n');
}

async function probe(url: string, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

/** Opens a graphql-ws connection with the admin key: whether it was acknowledged, or how it was closed. */
function connectionOutcome(
  httpUrl: string,
  key = TEST_ADMIN_KEY,
): Promise<{ acknowledged: boolean; code?: number; reason?: string }> {
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
  return new Promise<{ acknowledged: boolean; code?: number; reason?: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ acknowledged: false, reason: 'no answer within 10 s' }), 10_000);
    client.on('connected', () => {
      clearTimeout(timer);
      resolve({ acknowledged: true });
    });
    client.on('closed', (event) => {
      clearTimeout(timer);
      const { code, reason } = event as { code?: number; reason?: string };
      resolve({ acknowledged: false, code, reason });
    });
  }).finally(() => client.dispose());
}

/** Outcomes sent to COUNTED: those answered with success, and those that were not (which may or may not count). */
class Ledger {
  calls = 0;
  failures = 0;
  unackedCalls = 0;
  unackedFailures = 0;

  async send(url: RunningApp | string, outcomes: boolean[]): Promise<GraphqlResponse<any>> {
    const list = outcomes.map((success) => `{ breakerName: "${COUNTED}", success: ${success} }`).join(',');
    const failures = outcomes.filter((success) => !success).length;
    let result: GraphqlResponse<any> | undefined;
    try {
      result = await gql(url, `mutation { recordOutcomes(outcomes: [${list}]) { accepted } }`);
    } finally {
      if (result && !result.errors && result.data?.recordOutcomes?.accepted === outcomes.length) {
        this.calls += outcomes.length;
        this.failures += failures;
      } else {
        this.unackedCalls += outcomes.length;
        this.unackedFailures += failures;
      }
    }
    return result;
  }
}

/**
 * A database outage, simulated by a loopback TCP proxy between one instance (a child process)
 * and Postgres. The machine's Postgres keeps running; a second instance (in this process) talks
 * to it directly and goes on working through the outage.
 */
describe.each<[CutMode, string]>([
  ['refuse', 'the database is down: connections are reset and refused'],
  ['blackhole', 'a network partition: nothing answers and connections hang'],
])('database outage, %s (%s) (e2e)', (mode) => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let child: ChildInstance;
  let direct: RunningApp;
  let feed: Collector<any>;
  const feedClosed: unknown[] = [];
  const ledger = new Ledger();
  const timeline: string[] = [];
  const mark = (what: string) => timeline.push(`${new Date().toISOString()} ${what}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    direct = await startTestApp(db);
    child = await startChildInstance({ DATABASE_URL: proxy.url(db.url!) });
    for (const [name, threshold] of [
      [FLOW, 1],
      [COUNTED, 10_000],
    ] as const) {
      await gqlOk(
        direct,
        `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: ${threshold}, openTimeoutMs: 600000 } }) { name } }`,
      );
    }
    feed = await subscribe(child.url, TRANSITIONS, { n: FLOW });
    feed.onClosed((event) => feedClosed.push(event));
  });

  afterAll(async () => {
    await feed?.stop();
    await child?.stop();
    await direct?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('works through the proxy before the outage', async () => {
    await ledger.send(child.url, [true, false, true, true, false]);
    await ledger.send(child.url, [true, true, true]);
    expect(ledger).toMatchObject({ calls: 8, failures: 2, unackedCalls: 0 });
    await gqlOk(child.url, `mutation { recordOutcome(input: { breakerName: "${FLOW}", success: false }) { state } }`);
    const [opened] = await feed.waitFor(1, 2000);
    expect(opened).toMatchObject({ breakerName: FLOW, from: 'CLOSED', to: 'OPEN' });
    expect(await probe(child.url, '/health/ready')).toMatchObject({ status: 200 });
    expect(proxy.open).toBeGreaterThanOrEqual(2); // the pool and the LISTEN connection go through it
  });

  it('keeps running, answers SERVICE_UNAVAILABLE within 5 s and reports not ready while the database is unreachable', async () => {
    await proxy.cut(mode);
    mark(`proxy cut (${mode})`);
    const acceptedAtCut = proxy.accepted;
    // The database itself is fine: the other instance changes the state and counts outcomes, right
    // away, when the cut-off instance may not have noticed anything yet. Its subscriber must still get
    // the transition once the instance is back (caught up after its LISTEN connection returns).
    await gqlOk(direct, `mutation { resetBreaker(name: "${FLOW}", reason: "during the outage") { state } }`);
    mark('OPEN>CLOSED committed by the other instance');
    await ledger.send(direct, [true, false, false, true]);
    expect(ledger).toMatchObject({ calls: 12, failures: 4 });

    // Twice: the first round finds the pooled connections dead, the second has none left to reuse.
    for (let round = 0; round < 2; round++) {
      const [query, mutation, batch, ready, live] = await Promise.all([
        timed(() => gql(child.url, `{ breaker(name: "${COUNTED}") { state metrics { totalCalls } } }`)),
        timed(() =>
          gql(child.url, `mutation { recordOutcome(input: { breakerName: "${COUNTED}", success: true }) { state } }`),
        ),
        timed(() => ledger.send(child.url, [false, true])),
        timed(() => probe(child.url, '/health/ready')),
        timed(() => probe(child.url, '/health/live')),
      ]);
      ledger.unackedCalls++; // the single recordOutcome above, which must fail
      const answers = { query, recordOutcome: mutation, recordOutcomes: batch };
      for (const [what, answer] of Object.entries(answers)) {
        const seen = { what, round, code: errorCode(answer.value), data: answer.value.data, ms: Math.round(answer.ms) };
        // Until the instance notices its listener is gone, the key comes from memory (it was used
        // before the cut): the query runs and its nullable field fails. Once it has noticed, it
        // keeps no key cached (a revocation could go unheard), and the key's lookup fails the
        // whole answer. The mutations' non-null fields null the whole answer either way.
        const data = what === 'query' && seen.data !== null ? { breaker: null } : null;
        expect(seen).toEqual({ what, round, code: 'SERVICE_UNAVAILABLE', data, ms: expect.any(Number) });
        expect({ what, round, ms: seen.ms, inBudget: seen.ms < ANSWER_BUDGET_MS }).toEqual({
          what,
          round,
          ms: seen.ms,
          inBudget: true,
        });
      }
      expect(ready.value.status).toBe(503);
      expect(ready.value.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      expect(ready.ms).toBeLessThan(ANSWER_BUDGET_MS);
      expect(live.value).toEqual({ status: 200, body: { status: 'ok' } });
      expect(live.ms).toBeLessThan(1000);
    }
    expect(ledger).toMatchObject({ calls: 12, unackedCalls: 6 });
    // It did try the database again (a refused connection is never accepted, so only the other modes show it).
    if (mode !== 'refuse') expect(proxy.accepted).toBeGreaterThan(acceptedAtCut);

    // Its background work (sweeps, listener reconnects) fails over and over: the process stays up.
    await sleep(1500);
    expect(child.process.exitCode).toBeNull();
    expect(child.process.signalCode).toBeNull();
    expect(await probe(child.url, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    // The subscriber's WebSocket does not go through the proxy: it stays open.
    expect(feedClosed).toEqual([]);
  });

  it('refuses a new subscriber during the outage within 5 s as unavailable, not as a bad key', async () => {
    // graphql-ws checks the key at connection_init. A key the instance has not seen yet needs the
    // database (one it knows is in memory); the other instance, which reaches it, makes one.
    const { createApiKey } = await gqlOk(
      direct,
      `mutation { createApiKey(name: "during-outage", role: VIEWER) { key } }`,
    );
    const refused = await timed(() => connectionOutcome(child.url, createApiKey.key));
    expect(refused.value.acknowledged).toBe(false);
    expect(refused.ms).toBeLessThan(ANSWER_BUDGET_MS);
    // 4403 "Forbidden" is what a wrong or revoked key gets: a valid key must not be told it is one.
    expect(refused.value).not.toMatchObject({ code: 4403 });
  });

  it('heals within 15 s of the database returning, LISTEN included, with nothing acknowledged lost', async () => {
    await proxy.restore();
    mark('proxy restored');
    const restoredAt = performance.now();

    // Queries and mutations work again.
    let healedMs = Infinity;
    while (performance.now() - restoredAt < HEAL_BUDGET_MS + 1000) {
      const [query, batch] = await Promise.all([
        gql(child.url, `{ breaker(name: "${COUNTED}") { name } }`),
        ledger.send(child.url, [true]),
      ]);
      if (!query.errors && query.data?.breaker?.name === COUNTED && !batch.errors) {
        healedMs = performance.now() - restoredAt;
        break;
      }
      expect([errorCode(query) ?? 'ok', errorCode(batch) ?? 'ok']).toEqual([
        expect.stringMatching(/^(SERVICE_UNAVAILABLE|ok)$/),
        expect.stringMatching(/^(SERVICE_UNAVAILABLE|ok)$/),
      ]);
      await sleep(250);
    }
    mark(`queries and mutations answer again, ${Math.round(healedMs)} ms after the restore`);
    expect(healedMs).toBeLessThan(HEAL_BUDGET_MS);
    expect(await probe(child.url, '/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });

    // The LISTEN connection is back: the transition the other instance made during the outage is caught up
    // on the subscription that stayed open...
    const remaining = Math.max(1, HEAL_BUDGET_MS - (performance.now() - restoredAt));
    await feed.waitFor(2, remaining).catch((error: Error) => {
      throw new Error(
        `${error.message}\ntest timeline:\n${timeline.join('\n')}\nthe instance's listener and catch-up log:\n${listenerLog(child)}`,
      );
    });
    expect(performance.now() - restoredAt).toBeLessThan(HEAL_BUDGET_MS);
    const listeners = await withClient(db.url!, (c) =>
      c.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = 'breakers-listener' AND datname = current_database()`,
      ),
    );
    expect(listeners.rows[0].n).toBe(2); // one per instance, no stale one left behind

    // ...and transitions made now, on either instance, arrive live, in order, once each.
    await gqlOk(child.url, `mutation { recordOutcome(input: { breakerName: "${FLOW}", success: false }) { state } }`);
    await gqlOk(direct, `mutation { resetBreaker(name: "${FLOW}") { state } }`);
    const got = await feed.waitFor(4, 3000);
    await sleep(500);
    expect(feed.received.map((t) => `${t.from}>${t.to}`)).toEqual([
      'CLOSED>OPEN',
      'OPEN>CLOSED', // made during the outage, on the other instance
      'CLOSED>OPEN',
      'OPEN>CLOSED',
    ]);
    const ids = got.map((t) => BigInt(t.eventId));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(ids).size).toBe(4);
    expect(feed.errors).toEqual([]);
    expect(feedClosed).toEqual([]);

    // Every acknowledged outcome is counted; of the refused ones, none could have reached the database.
    const { breaker } = await gqlOk(
      direct,
      `{ breaker(name: "${COUNTED}") { state metrics { totalCalls totalFailures } } }`,
    );
    expect(breaker.state).toBe('CLOSED');
    if (mode === 'refuse') {
      // Refused connections carry nothing: the count is exact.
      expect(breaker.metrics).toEqual({ totalCalls: ledger.calls, totalFailures: ledger.failures });
    }
    expect(breaker.metrics.totalCalls).toBeGreaterThanOrEqual(ledger.calls);
    expect(breaker.metrics.totalCalls).toBeLessThanOrEqual(ledger.calls + ledger.unackedCalls);
    expect(breaker.metrics.totalFailures).toBeGreaterThanOrEqual(ledger.failures);
    expect(breaker.metrics.totalFailures).toBeLessThanOrEqual(ledger.failures + ledger.unackedFailures);
    expect(child.process.exitCode).toBeNull();
  });
});
