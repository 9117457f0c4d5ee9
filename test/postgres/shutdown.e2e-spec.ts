import { createClient } from 'graphql-ws';
import { request } from 'node:http';
import { Client } from 'pg';
import WebSocket from 'ws';
import { ChildInstance, startChildInstance } from '../support/child-instance';
import { eventually, gqlOk, sleep, TEST_ADMIN_KEY } from '../support/test-app';
import { createTestDatabase, TestDatabase, withClient, lockWaiters } from '../support/test-database';
import { Collector, subscribe } from '../support/ws-client';

const TRANSITIONS = `subscription($n: String) { breakerStateChanged(breakerName: $n) { breakerName from to } }`;
const BATCH = 'shutdown.batch';
const FLOW = 'shutdown.flow';
const BATCH_SIZE = 10_000;

interface Answer {
  readonly status: number;
  readonly body: any;
  /** performance.now() when the whole answer had arrived. */
  readonly at: number;
}

/**
 * Posts a GraphQL operation on a connection of its own; `sent` resolves once the whole body is
 * written, `answer` with the response.
 */
function post(url: string, query: string, variables: Record<string, unknown>) {
  const body = JSON.stringify({ query, variables });
  let markSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${TEST_ADMIN_KEY}`,
        },
        timeout: 20_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), at: performance.now() });
          } catch (error) {
            reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.on('finish', () => markSent());
    req.end(body);
  });
  return { sent, answer };
}

/** A fresh TCP connection and one GET: the status, or the connection error's code (ECONNREFUSED). */
function connectAndGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${url}/health/live`, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** SIGTERM on an instance in its own process, under a slow request and an open subscription. */
describe('graceful shutdown on SIGTERM (e2e)', () => {
  let db: TestDatabase;
  let victim: ChildInstance;
  let feed: Collector<any> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    victim = await startChildInstance({ DATABASE_URL: db.url! });
  });

  afterAll(async () => {
    await feed?.stop();
    await victim?.stop('SIGKILL');
    await db?.drop();
  });

  it('finishes the request in flight, closes subscriptions with 1001, refuses new connections and exits 0 within 10 s', async () => {
    await gqlOk(
      victim.url,
      `mutation {
         a: registerBreaker(input: { name: "${BATCH}", config: { failureThreshold: 10000 } }) { name }
         b: registerBreaker(input: { name: "${FLOW}", config: { failureThreshold: 1, openTimeoutMs: 600000 } }) { name }
       }`,
    );
    const client = createClient({
      url: victim.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined, // the close at shutdown is expected; asserted below
    });
    feed = await subscribe(victim.url, TRANSITIONS, { n: FLOW }, { client });
    const closes: { code?: number; reason?: string }[] = [];
    feed.onClosed((event) => closes.push(event as { code?: number; reason?: string }));
    // The subscription is live.
    await gqlOk(victim.url, `mutation { recordOutcome(input: { breakerName: "${FLOW}", success: false }) { state } }`);
    expect((await feed.waitFor(1, 2000)).map((t) => `${t.from}>${t.to}`)).toEqual(['CLOSED>OPEN']);

    let sigtermAt = 0;
    let answer: Answer | undefined;
    const exit = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
      victim.process.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
    );
    const outcomes = Array.from({ length: BATCH_SIZE }, (_, i) => ({
      breakerName: BATCH,
      success: i % 10 !== 0,
      durationMs: i % 250,
    }));
    // The in-flight request is made slow where requests are slow: waiting on the database. This
    // connection holds the breaker's row lock, so the batch waits in its transaction until released.
    const locker = new Client({ connectionString: db.url! });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM breakers WHERE name = $1 FOR UPDATE', [BATCH]);

      const slow = post(
        victim.url,
        `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted breakers { name metrics { totalCalls totalFailures } } } }`,
        { o: outcomes },
      );
      let answered = false;
      void slow.answer.then(
        () => (answered = true),
        () => (answered = true),
      );
      await slow.sent;
      await eventually(async () => ((await lockWaiters(locker)) === 1 ? true : undefined), 5000, 20);

      sigtermAt = performance.now();
      expect(victim.process.kill('SIGTERM')).toBe(true);

      // While the request is still being served, the instance stops accepting connections and
      // closes the subscription. (The app's queries time out after 4 s: the lock is released well before.)
      let duringDrain: number | string = 'not tried';
      for (let tries = 0; tries < 50 && duringDrain !== 'ECONNREFUSED'; tries++) {
        duringDrain = await connectAndGet(victim.url);
        if (duringDrain !== 'ECONNREFUSED') await sleep(20);
      }
      await eventually(async () => (closes.length > 0 ? true : undefined), 1500, 20).catch(() => undefined);
      expect({ answered, duringDrain, closedWhileInFlight: closes.map((e) => e.code) }).toEqual({
        answered: false,
        duringDrain: 'ECONNREFUSED',
        closedWhileInFlight: [1001],
      });
      expect(victim.process.exitCode).toBeNull();

      await locker.query('COMMIT');
      answer = await slow.answer;
    } finally {
      await locker.end();
    }

    // It was in flight when SIGTERM came, and it was finished and acknowledged.
    if (!answer) throw new Error('the batch was not answered');
    expect(answer.at).toBeGreaterThan(sigtermAt);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.recordOutcomes).toEqual({
      accepted: BATCH_SIZE,
      breakers: [{ name: BATCH, metrics: { totalCalls: BATCH_SIZE, totalFailures: BATCH_SIZE / 10 } }],
    });

    const exited = await exit;
    expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
    expect(exited.at - sigtermAt).toBeLessThan(10_000);
    expect(victim.output()).toContain('shut down cleanly');

    // The subscriber was told the server is going away.
    expect(closes.map((event) => event.code)).toEqual([1001]);
    // And nothing listens any more.
    expect(await connectAndGet(victim.url)).toBe('ECONNREFUSED');

    // The acknowledged batch is in the database, once.
    const stored = await withClient(db.url!, (c) =>
      c.query(
        `SELECT b.state, m.total_calls::int AS calls, m.total_failures::int AS failures
         FROM breakers b JOIN recovery_metrics m ON m.breaker_id = b.id WHERE b.name = $1`,
        [BATCH],
      ),
    );
    expect(stored.rows).toEqual([{ state: 'CLOSED', calls: BATCH_SIZE, failures: BATCH_SIZE / 10 }]);
  });
});
