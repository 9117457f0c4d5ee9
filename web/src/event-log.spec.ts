import { EMPTY_LOG, EVENT_LOG_CAP, EventPage, prepend, withNewest, withOlder } from './event-log';
import { RecoveryEvent } from './model';

const event = (id: number): RecoveryEvent => ({
  id: String(id),
  type: 'CONFIG_CHANGED',
  fromState: null,
  toState: null,
  occurredAt: new Date(Date.UTC(2031, 0, 1) + id).toISOString(),
  info: {},
});
/** A page of ids, newest first, each with the cursor `c<id>`. */
const page = (ids: number[], hasNextPage: boolean): EventPage => ({
  edges: ids.map((id) => ({ cursor: `c${id}`, node: event(id) })),
  pageInfo: { endCursor: ids.length ? `c${ids[ids.length - 1]}` : null, hasNextPage },
});
const ids = (log: { events: readonly RecoveryEvent[] }) => log.events.map((e) => Number(e.id));

describe('event log', () => {
  it('merges the first page with live events that came while it was read, each once, newest first', () => {
    const live = prepend(prepend(EMPTY_LOG, event(11)), event(12));
    const log = withNewest(live, page([11, 10, 9], true));
    expect(ids(log)).toEqual([12, 11, 10, 9]);
    expect(log).toMatchObject({ cursor: 'c9', hasMore: true });
    expect(prepend(log, event(12))).toBe(log);
  });

  it('reads older pages below, from the cursor', () => {
    const log = withOlder(withNewest(EMPTY_LOG, page([5, 4], true)), page([3, 2], false));
    expect(ids(log)).toEqual([5, 4, 3, 2]);
    expect(log).toMatchObject({ cursor: 'c2', hasMore: false });
    // Re-reading the newest page (after a reconnection) keeps the older pages and their cursor.
    expect(withNewest(log, page([6, 5], true))).toMatchObject({ cursor: 'c2', hasMore: false });
  });

  it('stays within EVENT_LOG_CAP however many live events come, and can read the dropped ones again', () => {
    let log = withNewest(EMPTY_LOG, page([3, 2, 1], false));
    for (let id = 4; id < 4 + EVENT_LOG_CAP; id++) log = prepend(log, event(id));
    expect(log.events).toHaveLength(EVENT_LOG_CAP);
    expect(ids(log)[0]).toBe(3 + EVENT_LOG_CAP);
    // Only live events are left, none with a cursor: older ones are read again from the top.
    expect(log).toMatchObject({ cursor: null, hasMore: true });
  });
});
