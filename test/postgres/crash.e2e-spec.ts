import { ChildInstance, startChildInstance } from '../support/child-instance';
import { gql, gqlOk, sleep } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const BREAKERS = ['crash.a', 'crash.b'] as const;
const REPORTERS = 8;
/** How long the load runs before the instance is killed. */
const LOAD_MS = 1500;

type Outcome = { readonly breakerName: string; readonly success: boolean };
type Counts = { calls: number; failures: number };

const RECORD_ONE = `mutation($o: OutcomeInput!) { recordOutcome(input: $o) { name } }`;
const RECORD_MANY = `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`;

/** Per breaker: outcomes sent, and outcomes whose request was answered with success. */
class Ledger {
  readonly sent = new Map<string, Counts>();
  readonly acked = new Map<string, Counts>();

  add(into: 'sent' | 'acked', outcomes: readonly Outcome[]): void {
    for (const { breakerName, success } of outcomes) {
      const counts = this[into].get(breakerName) ?? { calls: 0, failures: 0 };
      counts.calls++;
      if (!success) counts.failures++;
      this[into].set(breakerName, counts);
    }
  }

  of(into: 'sent' | 'acked', breakerName: string): Counts {
    return this[into].get(breakerName) ?? { calls: 0, failures: 0 };
  }

  total(into: 'sent' | 'acked'): number {
    return [...this[into].values()].reduce((sum, c) => sum + c.calls, 0);
  }
}

/** Reporter r's n-th request: a single outcome or a small batch, across one or both breakers; about one outcome in four fails. */
function nextRequest(reporter: number, n: number): Outcome[] {
  const size = reporter % 2 === 0 ? 1 : 1 + ((n + reporter) % 6);
  return Array.from({ length: size }, (_, k) => ({
    breakerName: BREAKERS[(reporter + n + k) % BREAKERS.length],
    success: ((reporter * 7919 + n * 104_729 + k * 31) % 97) % 4 !== 0,
  }));
}

/** Sends one request; true when it was acknowledged (answered, no errors, every outcome accepted). */
async function report(url: string, outcomes: Outcome[]): Promise<boolean> {
  if (outcomes.length === 1) {
    const result = await gql(url, RECORD_ONE, { o: outcomes[0] });
    return !result.errors && result.data?.recordOutcome?.name === outcomes[0].breakerName;
  }
  const result = await gql(url, RECORD_MANY, { o: outcomes });
  return !result.errors && result.data?.recordOutcomes?.accepted === outcomes.length;
}

async function metricsOf(url: string, name: string): Promise<Counts & { state: string }> {
  const { breaker } = await gqlOk(url, `{ breaker(name: "${name}") { state metrics { totalCalls totalFailures } } }`);
  return { state: breaker.state, calls: breaker.metrics.totalCalls, failures: breaker.metrics.totalFailures };
}

async function register(url: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await gqlOk(
      url,
      `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: 10000 } }) { name } }`,
    );
  }
}

describe('crashes and concurrent reporters on Postgres (e2e)', () => {
  let db: TestDatabase;
  const instances: ChildInstance[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
    await db?.drop();
  });

  const start = async () => {
    const instance = await startChildInstance({ DATABASE_URL: db.url!, LOG_LEVEL: 'info' });
    instances.push(instance);
    return instance;
  };

  it('keeps every acknowledged outcome after kill -9 under load, and counts on after a restart', async () => {
    const victim = await start();
    await register(victim.url, BREAKERS);
    const ledger = new Ledger();
    let killed = false;
    let inFlight = 0;
    const unexpected: string[] = [];

    const reporter = async (r: number) => {
      // Each reporter runs until its first unanswered request. A request in flight at the kill may
      // still be answered (the reply was already on the wire), so none is known to be lost until the
      // reporter's next request finds the instance gone: every reporter ends with one unacknowledged.
      for (let n = 0; n < 100_000; n++) {
        const outcomes = nextRequest(r, n);
        ledger.add('sent', outcomes);
        inFlight++;
        let acked = false;
        try {
          acked = await report(victim.url, outcomes);
        } catch (error) {
          // The connection dropped: expected once the instance is killed, never before.
          if (!killed) unexpected.push(`reporter ${r}: ${(error as Error).message}`);
        } finally {
          inFlight--;
        }
        if (acked) ledger.add('acked', outcomes);
        else if (!killed) unexpected.push(`reporter ${r}: request ${n} was refused before the kill`);
        if (!acked) return;
      }
    };
    const reporters = Array.from({ length: REPORTERS }, (_, r) => reporter(r));

    await sleep(LOAD_MS);
    killed = true;
    const inFlightAtKill = inFlight;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      victim.process.once('exit', (_code, signal) => resolve(signal)),
    );
    victim.process.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await Promise.all(reporters);

    expect(unexpected).toEqual([]);
    expect(inFlightAtKill).toBeGreaterThan(0); // it died under load, with requests in flight
    expect(ledger.total('acked')).toBeGreaterThan(100);
    expect(ledger.total('sent')).toBeGreaterThanOrEqual(ledger.total('acked') + REPORTERS);

    // A new instance on the same database: every acknowledged outcome is there; of the unacknowledged
    // (in flight at the kill) some may be, but never more than were sent.
    const restarted = await start();
    for (const name of BREAKERS) {
      const stored = await metricsOf(restarted.url, name);
      const acked = ledger.of('acked', name);
      const sent = ledger.of('sent', name);
      expect({ name, state: stored.state }).toEqual({ name, state: 'CLOSED' });
      expect(stored.calls).toBeGreaterThanOrEqual(acked.calls);
      expect(stored.calls).toBeLessThanOrEqual(sent.calls);
      expect(stored.failures).toBeGreaterThanOrEqual(acked.failures);
      expect(stored.failures).toBeLessThanOrEqual(sent.failures);
    }

    // And it counts on from there, exactly.
    const before = await metricsOf(restarted.url, BREAKERS[0]);
    const more = Array.from({ length: 10 }, (_, i) => ({ breakerName: BREAKERS[0], success: i % 2 === 0 }));
    expect(await report(restarted.url, more)).toBe(true);
    expect(await report(restarted.url, [{ breakerName: BREAKERS[0], success: false }])).toBe(true);
    const after = await metricsOf(restarted.url, BREAKERS[0]);
    expect({ calls: after.calls - before.calls, failures: after.failures - before.failures }).toEqual({
      calls: 11,
      failures: 6,
    });
  });

  it('gives exact counts with 8 concurrent reporters across two instances', async () => {
    const names = ['exact.a', 'exact.b'];
    const pair = await Promise.all([start(), start()]);
    await register(pair[0].url, names);
    const ledger = new Ledger();
    const ROUNDS = 40;

    await Promise.all(
      Array.from({ length: REPORTERS }, async (_, r) => {
        const url = pair[r % 2].url;
        for (let n = 0; n < ROUNDS; n++) {
          // Reporters on both instances write to both breakers, alone and in batches mixing the two.
          const outcomes = nextRequest(r, n).map((o) => ({
            ...o,
            breakerName: names[BREAKERS.indexOf(o.breakerName as (typeof BREAKERS)[number])],
          }));
          ledger.add('sent', outcomes);
          expect({ r, n, acked: await report(url, outcomes) }).toEqual({ r, n, acked: true });
          ledger.add('acked', outcomes);
        }
      }),
    );

    const sent = names.map((name) => ledger.of('sent', name));
    // The plan itself: every breaker got many outcomes, from reporters on both instances.
    expect(sent.every((c) => c.calls > 100 && c.failures > 20)).toBe(true);
    expect(ledger.total('sent')).toBe(ledger.total('acked'));
    for (const instance of pair) {
      for (const [i, name] of names.entries()) {
        const stored = await metricsOf(instance.url, name);
        expect({ name, calls: stored.calls, failures: stored.failures }).toEqual({
          name,
          calls: sent[i].calls,
          failures: sent[i].failures,
        });
      }
    }
  });
});
