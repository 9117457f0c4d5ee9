import { gqlOk, useTestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

const FEED = `query($n: String, $after: String) { breakerEvents(breakerName: $n, order: ASC, after: $after, first: 500) {
  edges { node { id } } pageInfo { endCursor } } }`;

/** A client following the feed (of one breaker, or of all) with `after`: each poll reads on from its last cursor. */
function follower(app: Parameters<typeof gqlOk>[0], breakerName: string | null) {
  const seen: string[] = [];
  let after: string | null = null;
  const poll = async (): Promise<number> => {
    const { breakerEvents } = await gqlOk(app, FEED, { n: breakerName, after });
    seen.push(...breakerEvents.edges.map((e: { node: { id: string } }) => e.node.id));
    after = breakerEvents.pageInfo.endCursor ?? after;
    return breakerEvents.edges.length;
  };
  return { seen, poll };
}

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
    const global = follower(fixture.app, null);
    // One breaker's feed as well: its rows are written under its row lock, so its ids commit in order.
    const single = follower(fixture.app, 'feed.w0');
    let writing = true;
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => write(w))).finally(() => {
      writing = false;
    });
    await Promise.all(
      [global, single].map(async (f) => {
        while (writing) await f.poll();
      }),
    );
    await writers;
    for (const f of [global, single]) while ((await f.poll()) > 0);

    const committed = await withClient(fixture.db.url!, (c) =>
      c.query<{ id: string; name: string }>(
        'SELECT e.id::text AS id, b.name FROM recovery_events e JOIN breakers b ON b.id = e.breaker_id ORDER BY e.id',
      ),
    );
    const all = committed.rows.map((r) => r.id);
    expect(all.length).toBeGreaterThanOrEqual(WRITERS * ROUNDS);
    expect(single.seen).toEqual(committed.rows.filter((r) => r.name === 'feed.w0').map((r) => r.id));
    const missed = all.filter((id) => !global.seen.includes(id));
    expect({ missed: missed.length, of: all.length }).toEqual({ missed: 0, of: all.length });
    expect(global.seen).toEqual(all);
  });
});
