import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { FleetStore } from '../fleet-store';
import { formatCount, formatPercent } from '../format';
import { BreakerState, STATE_LABELS, STATES, Tile } from '../model';
import { breakerPath } from '../router';
import { Elapsed } from './Elapsed';
import { Sparkline } from './Sparkline';
import { useFleet } from './use-fleet';

type SortKey = 'trouble' | 'name' | 'volume';

const TROUBLE_RANK: Record<BreakerState, number> = { OPEN: 0, FORCED_OPEN: 1, HALF_OPEN: 2, DISABLED: 3, CLOSED: 4 };

const SORTS: Record<SortKey, (a: Tile, b: Tile) => number> = {
  // State first (open ones at the top), then the failure rate, then the volume.
  trouble: (a, b) =>
    TROUBLE_RANK[a.state] - TROUBLE_RANK[b.state] ||
    (b.failureRate ?? -1) - (a.failureRate ?? -1) ||
    b.volume - a.volume ||
    compareNames(a, b),
  name: compareNames,
  volume: (a, b) => b.volume - a.volume || compareNames(a, b),
};

function compareNames(a: Tile, b: Tile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The home page: the overall grade, the count per state, and a tile per breaker. */
export function FleetView({ fleet }: { fleet: FleetStore }) {
  const { tiles, overall, loaded, error } = useFleet(fleet);
  const [text, setText] = useState('');
  const [state, setState] = useState<BreakerState | ''>('');
  const [sort, setSort] = useState<SortKey>('trouble');

  const counts = useMemo(() => {
    const byState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<BreakerState, number>;
    for (const tile of tiles.values()) byState[tile.state]++;
    return byState;
  }, [tiles]);

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const list: Tile[] = [];
    for (const tile of tiles.values()) {
      if (state && tile.state !== state) continue;
      if (needle && !tile.name.toLowerCase().includes(needle)) continue;
      list.push(tile);
    }
    return list.sort(SORTS[sort]);
  }, [tiles, text, state, sort]);

  return (
    <>
      <section class="banner" data-overall-health={overall ?? 'UNKNOWN'} aria-label="Fleet health">
        <h1>
          Fleet health: <span class={`grade grade-${overall ?? 'UNKNOWN'}`}>{overall ?? '…'}</span>
        </h1>
        <ul class="counts">
          {STATES.map((s) => (
            <li key={s} data-count-state={s}>
              <span class={`dot state-${s}`} aria-hidden="true" /> {STATE_LABELS[s]}: <strong>{counts[s]}</strong>
            </li>
          ))}
          <li>
            Total: <strong>{tiles.size}</strong>
          </li>
        </ul>
      </section>
      <form class="controls" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Filter
          <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          State
          <select value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value as BreakerState | '')}>
            <option value="">Any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as SortKey)}>
            <option value="trouble">Trouble first</option>
            <option value="name">Name</option>
            <option value="volume">Volume</option>
          </select>
        </label>
        <span class="shown">
          {shown.length} of {tiles.size} shown
        </span>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p>Loading the fleet…</p>}
      {loaded && tiles.size === 0 && <p>No breakers yet: register one with the registerBreaker mutation.</p>}
      <ul class="tiles" aria-label="Breakers">
        {shown.map((tile) => (
          <TileView key={tile.name} tile={tile} />
        ))}
      </ul>
    </>
  );
}

/** One breaker. Tiles are immutable, so an unchanged one is not rendered again. */
const TileView = memo(function TileView({ tile }: { tile: Tile }) {
  return (
    <li class={`tile state-${tile.state}`} data-breaker={tile.name} data-state={tile.state}>
      <a href={breakerPath(tile.name)}>
        <span class="tile-name">{tile.name}</span>
        <span class="tile-state">
          <span class={`badge state-${tile.state}`}>{STATE_LABELS[tile.state]}</span>
          <span class={`grade grade-${tile.health}`} title="Health grade">
            {tile.health}
          </span>
        </span>
        <span class="tile-figures">
          <span>{formatCount(tile.perMinute)} calls/min</span>
          <span>{formatPercent(tile.failureRate)} failed</span>
        </span>
        <Sparkline calls={tile.calls} failures={tile.failures} />
        <span class="tile-since">
          <Elapsed since={tile.stateChangedAt} until={tile.state === 'OPEN' ? tile.openUntil : null} />
        </span>
      </a>
    </li>
  );
});
