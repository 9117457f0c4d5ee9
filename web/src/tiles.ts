import { Activity, BreakerState, Tile, TileBreaker } from './model';

/** A transition as breakerStateChanged delivers it. */
export interface Transition {
  breakerName: string;
  from: BreakerState;
  to: BreakerState;
  at: string;
}

const time = (iso: string): number => new Date(iso).getTime();

/**
 * A tile from a breaker read over HTTP and its activity over `minutes` minutes. A tile already
 * shown whose state changed later than the read one (a live transition that arrived while the
 * read was in flight) keeps its state: a read never moves a tile back in time.
 */
export function toTile(breaker: TileBreaker, activity: Activity | undefined, minutes: number, shown?: Tile): Tile {
  const calls = activity?.calls ?? shown?.calls ?? [];
  const failures = activity?.failures ?? shown?.failures ?? [];
  const volume = sum(calls);
  const failed = sum(failures);
  const state =
    shown && time(shown.stateChangedAt) > time(breaker.stateChangedAt)
      ? { state: shown.state, stateChangedAt: shown.stateChangedAt, openUntil: shown.openUntil }
      : { state: breaker.state, stateChangedAt: breaker.stateChangedAt, openUntil: breaker.openUntil };
  return {
    name: breaker.name,
    health: breaker.health,
    ...state,
    calls,
    failures,
    volume,
    perMinute: minutes > 0 ? volume / minutes : 0,
    failureRate: volume > 0 ? (failed / volume) * 100 : null,
  };
}

/** A tile after one breaker was re-read (for openUntil, or new to the page): its figures stay. */
export function refreshTile(shown: Tile | undefined, breaker: TileBreaker): Tile {
  const fresh = toTile(breaker, undefined, 0, shown);
  return shown ? { ...fresh, perMinute: shown.perMinute } : fresh;
}

/** The tile after a live transition; one that is older than what the tile shows changes nothing. */
export function applyTransition(tile: Tile, t: Transition): Tile {
  if (time(t.at) < time(tile.stateChangedAt)) return tile;
  return { ...tile, state: t.to, stateChangedAt: t.at, openUntil: t.to === 'OPEN' ? tile.openUntil : null };
}

/** The fleet after an HTTP read of every breaker: the read's breakers, each merged with its tile. */
export function mergeFleet(
  shown: ReadonlyMap<string, Tile>,
  breakers: readonly TileBreaker[],
  activity: readonly Activity[],
  minutes: number,
): Map<string, Tile> {
  const byName = new Map(activity.map((a) => [a.breakerName, a]));
  // A breaker with no outcome in the range has no activity: zero, not its old figures.
  const none: Activity = { breakerName: '', calls: [], failures: [] };
  return new Map(
    breakers.map((b) => [b.name, toTile(b, byName.get(b.name) ?? none, minutes, shown.get(b.name))]),
  );
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
