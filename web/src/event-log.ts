import { RecoveryEvent } from './model';

/** An event as the log holds it: those read in pages carry their cursor, live ones none. */
export type LoggedEvent = RecoveryEvent & { cursor?: string };

/** The breaker view's event log: newest first, with the cursor to read older pages from. */
export interface EventLogState {
  readonly events: readonly LoggedEvent[];
  readonly cursor: string | null;
  readonly hasMore: boolean;
}

export interface EventPage {
  edges: { cursor: string; node: RecoveryEvent }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** Live events prepended beyond this drop the oldest shown; "Older events" reads them again. */
export const EVENT_LOG_CAP = 500;

export const EMPTY_LOG: EventLogState = { events: [], cursor: null, hasMore: false };

const newestFirst = (a: LoggedEvent, b: LoggedEvent): number => {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x > y ? -1 : x < y ? 1 : 0;
};

/**
 * The log with `incoming` merged in (each event once, by id, newest first), then cut to
 * EVENT_LOG_CAP: whatever is cut is older than what is kept, so the cursor moves to the oldest
 * kept event that has one, and there is more to read.
 */
function merged(state: EventLogState, incoming: LoggedEvent[], cursor: string | null, hasMore: boolean): EventLogState {
  const byId = new Map<string, LoggedEvent>();
  for (const e of [...state.events, ...incoming]) {
    const known = byId.get(e.id);
    byId.set(e.id, known?.cursor ? known : e);
  }
  const events = [...byId.values()].sort(newestFirst);
  if (events.length <= EVENT_LOG_CAP) return { events, cursor, hasMore };
  const kept = events.slice(0, EVENT_LOG_CAP);
  const last = [...kept].reverse().find((e) => e.cursor !== undefined);
  return { events: kept, cursor: last?.cursor ?? null, hasMore: true };
}

/** A live event, at the top. */
export function prepend(state: EventLogState, event: RecoveryEvent): EventLogState {
  if (state.events.some((e) => e.id === event.id)) return state;
  return merged(state, [event], state.cursor, state.hasMore);
}

/** The newest page, read first or again after a reconnection: merged with what live events brought meanwhile. */
export function withNewest(state: EventLogState, page: EventPage): EventLogState {
  const nodes = page.edges.map((e) => ({ ...e.node, cursor: e.cursor }));
  // Older pages read before stay; the cursor is theirs if they went further.
  const further = state.events.length > nodes.length && state.cursor !== null;
  return merged(
    state,
    nodes,
    further ? state.cursor : page.pageInfo.endCursor,
    further ? state.hasMore : page.pageInfo.hasNextPage,
  );
}

/** An older page, below. */
export function withOlder(state: EventLogState, page: EventPage): EventLogState {
  const nodes = page.edges.map((e) => ({ ...e.node, cursor: e.cursor }));
  return merged(state, nodes, page.pageInfo.endCursor, page.pageInfo.hasNextPage);
}
