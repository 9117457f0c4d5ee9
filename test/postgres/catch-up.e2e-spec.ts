import { gqlOk, useTestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { subscribe } from '../support/ws-client';

const EVENTS = `subscription($n: String) { recoveryEvents(breakerName: $n) { id type } }`;

/**
 * After its LISTEN connection drops, an instance re-reads what it may have missed. However many
 * events that is, each subscriber gets every one of them, once, in id order.
 */
describe('catching up after the listener reconnects (e2e, Postgres)', () => {
  /** More than the 10,000 a catch-up used to stop at. */
  const MISSED = 10_050;
  // Room for the whole catch-up in the subscriber's queue, so this shows what is read, not how fast it is read.
  const fixture = useTestApp({ env: { SUBSCRIBER_QUEUE_LIMIT: String(MISSED * 2) } });

  it(`delivers all ${MISSED} events missed while the listener was away, once each and in order`, async () => {
    const name = 'catchup.many';
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "${name}" }) { name } }`);
    const feed = await subscribe<{ id: string; type: string }>(fixture.app.url, EVENTS, { n: name });
    try {
      const missed = await withClient(fixture.db.url!, async (c) => {
        // Written behind the platform's back, so no NOTIFY went out: only a catch-up can find them.
        const inserted = await c.query<{ id: string }>(
          `INSERT INTO recovery_events (breaker_id, type, occurred_at, info)
           SELECT b.id, 'CONFIG_CHANGED', now(), jsonb_build_object('n', g)
           FROM breakers b, generate_series(1, $2) g WHERE b.name = $1
           RETURNING id::text AS id`,
          [name, MISSED],
        );
        const killed = await c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'breakers-listener' AND datname = current_database()`,
        );
        expect(killed.rowCount).toBe(1);
        return inserted.rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      });

      await feed.waitFor(MISSED, 30_000);
      // A live event after the catch-up: once it is in, nothing of the catch-up can still be on its way.
      await gqlOk(fixture.app, `mutation { forceOpenBreaker(name: "${name}", reason: "after") { state } }`);
      const got = await feed.waitFor(MISSED + 1, 10_000);

      expect(got.length).toBe(MISSED + 1);
      expect(got.slice(0, MISSED).map((e) => e.id)).toEqual(missed);
      expect(got[MISSED].type).toBe('CIRCUIT_FORCED_OPEN');
      expect(feed.errors).toEqual([]);
    } finally {
      await feed.stop();
    }
  }, 120_000);

  it('closes its subscribers with 1013 when it cannot re-read what was missed, and they can resume', async () => {
    const name = 'catchup.fails';
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "${name}" }) { name } }`);
    const feed = await subscribe<{ id: string; type: string }>(fixture.app.url, EVENTS, { n: name });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => feed.onClosed((e) => resolve(e as any)));
    try {
      await withClient(fixture.db.url!, async (c) => {
        // The table is away while the listener reconnects, so the re-read fails.
        await c.query('ALTER TABLE recovery_events RENAME TO recovery_events_away');
        try {
          await c.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = 'breakers-listener' AND datname = current_database()`,
          );
          const { code, reason } = await closed;
          expect(code).toBe(1013);
          expect(reason).toBe('events may have been missed: resume with breakerEvents(after:)');
        } finally {
          await c.query('ALTER TABLE recovery_events_away RENAME TO recovery_events');
        }
      });
      // What the reason says to do works: a new subscription and the history.
      const again = await subscribe<{ id: string; type: string }>(fixture.app.url, EVENTS, { n: name });
      try {
        await gqlOk(fixture.app, `mutation { forceOpenBreaker(name: "${name}") { state } }`);
        const [live] = await again.waitFor(1, 10_000);
        expect(live.type).toBe('CIRCUIT_FORCED_OPEN');
      } finally {
        await again.stop();
      }
    } finally {
      await feed.stop();
    }
  });
});
