import { gqlOk, useTestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

const FEED = `query($after: String) { breakerEvents(order: ASC, after: $after, first: 500) {
  edges { node { id } } pageInfo { endCursor } } }`;

/**
 * The global feed, resumed with `after`, as a client follows it while others write: concurrent
 * transactions on different breakers must never let a reader step past an event that commits later.
 */
describe('resuming the global event feed (e2e, Postgres)', () => {
  const fixture = useTestApp();
  const WRITERS = 8;
  const ROUNDS = 30;

  beforeAll(async () => {
    // Widens the gap between a transaction taking its event ids and committing, as a slow network or
    // a busy database would, so that out-of-order commits happen in every run rather than now and then.
    await withClient(fixture.db.url!, async (c) => {
      await c.query(`CREATE FUNCTION test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(random() * 0.01); RETURN NULL; END $$`);
      await c.query(`CREATE TRIGGER test_slow_commit AFTER INSERT ON recovery_events
        FOR EACH STATEMENT EXECUTE FUNCTION test_slow_commit()`);
    });
    for (let w = 0; w < WRITERS; w++) {
      await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "feed.w${w}" }) { name } }`);
    }
  });

  /** One writer: force-open and reset its own breaker, one event per transaction. */
  async function write(w: number): Promise<void> {
    for (let i = 0; i < ROUNDS; i++) {
      const mutation = i % 2 === 0 ? 'forceOpenBreaker' : 'resetBreaker';
      await gqlOk(fixture.app, `mutation { ${mutation}(name: "feed.w${w}", reason: "r${i}") { state } }`);
    }
  }

  it('hands a client that resumes with after every committed event exactly once, in id order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const poll = async () => {
      const { breakerEvents } = await gqlOk(fixture.app, FEED, { after });
      seen.push(...breakerEvents.edges.map((e: { node: { id: string } }) => e.node.id));
      after = breakerEvents.pageInfo.endCursor ?? after;
      return breakerEvents.edges.length;
    };
    let writing = true;
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => write(w))).finally(() => {
      writing = false;
    });
    while (writing) await poll();
    await writers;
    while ((await poll()) > 0);

    const committed = await withClient(fixture.db.url!, (c) =>
      c.query<{ id: string }>('SELECT e.id::text AS id FROM recovery_events e ORDER BY e.id'),
    );
    const all = committed.rows.map((r) => r.id);
    expect(all.length).toBeGreaterThanOrEqual(WRITERS * ROUNDS);
    const missed = all.filter((id) => !seen.includes(id));
    expect({ missed: missed.length, of: all.length }).toEqual({ missed: 0, of: all.length });
    expect(seen).toEqual(all);
  });
});
