import { Client } from 'pg';
import { RunningApp } from '../../src/bootstrap';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { errorCode, eventually, gql, gqlOk, startTestApp, TEST_ADMIN_KEY } from '../support/test-app';

const RECORD = `mutation($outcomes: [OutcomeInput!]!, $batchId: ID) {
  recordOutcomes(outcomes: $outcomes, batchId: $batchId) { accepted duplicate breakers { name metrics { totalCalls } } }
}`;

interface Recorded {
  recordOutcomes: {
    accepted: number;
    duplicate: boolean;
    breakers: { name: string; metrics: { totalCalls: number } }[];
  };
}

const outcomes = (name: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ breakerName: name, success: i % 2 === 0 }));

/**
 * A batch id makes a client's retry exactly-once: after a timeout or a connection dropped after
 * COMMIT, the client cannot know whether its batch landed, and sends it again with the same id.
 */
describe('idempotent outcome batches (e2e, Postgres)', () => {
  let db: TestDatabase;
  let apps: RunningApp[];

  const totalCalls = async (name: string): Promise<number> =>
    (await gqlOk(apps[0], `query($n: String!) { breaker(name: $n) { metrics { totalCalls } } }`, { n: name })).breaker
      .metrics.totalCalls;
  const register = (name: string) =>
    gqlOk(apps[0], `mutation($n: String!) { registerBreaker(input: { name: $n }) { name } }`, { n: name });

  beforeAll(async () => {
    db = await createTestDatabase();
    apps = [await startTestApp(db), await startTestApp(db)];
  });

  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await db?.drop();
  });

  it('applies a replayed batch once, and answers the replay with the first answer, marked duplicate', async () => {
    await register('replayed');
    const first = await gqlOk<Recorded>(apps[0], RECORD, { outcomes: outcomes('replayed', 3), batchId: 'b-1' });
    expect(first.recordOutcomes).toEqual({
      accepted: 3,
      duplicate: false,
      breakers: [{ name: 'replayed', metrics: { totalCalls: 3 } }],
    });
    await gqlOk(apps[0], RECORD, { outcomes: outcomes('replayed', 1) });
    const again = await gqlOk<Recorded>(apps[1], RECORD, { outcomes: outcomes('replayed', 3), batchId: 'b-1' });
    expect(again.recordOutcomes).toEqual({ ...first.recordOutcomes, duplicate: true });
    expect(await totalCalls('replayed')).toBe(4);
  });

  it('counts a batch sent to two instances at once exactly once, round after round', async () => {
    await register('raced');
    const rounds = 15;
    for (let round = 0; round < rounds; round++) {
      const batchId = `race-${round}`;
      const answers = await Promise.all(
        apps.flatMap((app) => [
          gqlOk<Recorded>(app, RECORD, { outcomes: outcomes('raced', 2), batchId }),
          gqlOk<Recorded>(app, RECORD, { outcomes: outcomes('raced', 2), batchId }),
        ]),
      );
      expect(answers.map((a) => a.recordOutcomes.duplicate).sort()).toEqual([false, true, true, true]);
      const firsts = answers.map((a) => a.recordOutcomes.breakers[0].metrics.totalCalls);
      expect(new Set(firsts)).toEqual(new Set([2 * (round + 1)]));
    }
    expect(await totalCalls('raced')).toBe(2 * rounds);
  });

  it('still knows a batch id after a restart', async () => {
    await register('restarted');
    await gqlOk(apps[1], RECORD, { outcomes: outcomes('restarted', 5), batchId: 'before-restart' });
    await apps[1].close();
    apps[1] = await startTestApp(db);
    const again = await gqlOk<Recorded>(apps[1], RECORD, {
      outcomes: outcomes('restarted', 5),
      batchId: 'before-restart',
    });
    expect(again.recordOutcomes).toMatchObject({ accepted: 5, duplicate: true });
    expect(await totalCalls('restarted')).toBe(5);
  });

  it('keeps batch ids apart per API key, and gives back the id of a refused batch', async () => {
    await register('scoped');
    const { createApiKey } = await gqlOk(
      apps[0],
      `mutation { createApiKey(name: "reporter-b", role: REPORTER) { key } }`,
    );
    await gqlOk(apps[0], RECORD, { outcomes: outcomes('scoped', 1), batchId: 'shared-id' });
    const other = await gqlOk<Recorded>(
      apps[0],
      RECORD,
      { outcomes: outcomes('scoped', 1), batchId: 'shared-id' },
      createApiKey.key,
    );
    expect(other.recordOutcomes.duplicate).toBe(false);
    expect(await totalCalls('scoped')).toBe(2);

    const refused = await gql(apps[0], RECORD, { outcomes: outcomes('not-yet', 1), batchId: 'too-soon' });
    expect(errorCode(refused)).toBe('NOT_FOUND');
    await register('not-yet');
    const applied = await gqlOk<Recorded>(apps[0], RECORD, { outcomes: outcomes('not-yet', 1), batchId: 'too-soon' });
    expect(applied.recordOutcomes.duplicate).toBe(false);
    expect(await totalCalls('not-yet')).toBe(1);
  });

  it('refuses a malformed batch id as BAD_USER_INPUT, naming the field', async () => {
    for (const batchId of ['', 'x'.repeat(101), 'has space', 'nul\u0000', 'é']) {
      const result = await gql(apps[0], RECORD, { outcomes: outcomes('replayed', 1), batchId });
      expect({ batchId, code: errorCode(result), field: result.errors?.[0].extensions?.field }).toEqual({
        batchId,
        code: 'BAD_USER_INPUT',
        field: 'batchId',
      });
    }
    expect(await totalCalls('replayed')).toBe(4);
  });
});

/**
 * The group-commit queue of each instance is bounded by the outcomes waiting. While a transaction
 * is stuck on a lock, batches past the bound are refused at once, as SERVICE_UNAVAILABLE with
 * retryAfterMs and HTTP 503, instead of piling up in memory.
 */
describe('backpressure on outcome batches (e2e, Postgres)', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let holder: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, { env: { OUTCOME_QUEUE_LIMIT: '10000', DATABASE_LOCK_TIMEOUT_MS: '30000' } });
    holder = new Client({ connectionString: db.url! });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await app?.close();
    await db?.drop();
  });

  it('answers 503 with retryAfterMs past OUTCOME_QUEUE_LIMIT, and writes what it queued once the lock is free', async () => {
    await gqlOk(app, `mutation { registerBreaker(input: { name: "stuck" }) { name } }`);
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM breakers WHERE name = 'stuck' FOR UPDATE`);

    const blocked = gqlOk<Recorded>(app, RECORD, { outcomes: outcomes('stuck', 1) });
    await eventually(async () => {
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0 ? true : undefined;
    });
    // 6,000 + 5,000 waiting would pass the limit of 10,000: whichever of the two comes second is refused.
    const post = (n: number) =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify({ query: RECORD, variables: { outcomes: outcomes('stuck', n) } }),
      });
    const sent = [post(6000), post(5000)];
    const refused = await Promise.race(sent.map((p, i) => p.then((response) => ({ response, i }))));
    const body = (await refused.response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(refused.response.status).toBe(503);
    expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(body.errors[0].extensions.retryAfterMs).toBeGreaterThan(0);
    expect(body.errors[0].extensions.http).toBeUndefined();

    await holder.query('COMMIT');
    expect((await blocked).recordOutcomes.accepted).toBe(1);
    const queued = await sent[1 - refused.i];
    expect(queued.status).toBe(200);
    const accepted = ((await queued.json()) as { data: Recorded }).data.recordOutcomes.accepted;
    expect(accepted).toBe(refused.i === 0 ? 5000 : 6000);
    const { breaker } = await gqlOk(app, `{ breaker(name: "stuck") { metrics { totalCalls } } }`);
    expect(breaker.metrics.totalCalls).toBe(1 + accepted);
  });
});
