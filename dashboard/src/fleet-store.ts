import { Api } from './api';
import { Activity, BreakerState, HealthStatus, STATE_LABELS, Tile, TileBreaker, toTile } from './model';
import { FLEET, HEALTH_CHANGES, OVERALL, REPORT_UPDATES, STATE_CHANGES, TILE_FIELDS } from './queries';

interface Transition {
  breakerName: string;
  from: BreakerState;
  to: BreakerState;
  at: string;
}

export interface FleetSnapshot {
  readonly tiles: ReadonlyMap<string, Tile>;
  readonly overall: HealthStatus | null;
  readonly loaded: boolean;
  readonly error: string | null;
  /** The latest transitions in words, for the page's aria-live region. */
  readonly announcement: string;
  readonly live: boolean;
}

/** Breakers re-read at once when a transition names them (for openUntil), per request. */
const REFRESH_BATCH = 50;
/** The sparklines and figures are re-read this often; states and grades arrive live. */
const ACTIVITY_REFRESH_MS = 60_000;

/**
 * The fleet as the dashboard shows it: every breaker the key can see, kept current by the live
 * feeds. Updates that arrive together are applied in one animation frame, so that a burst of
 * transitions costs one render, not one each.
 */
export class FleetStore {
  private snapshot: FleetSnapshot = {
    tiles: new Map(),
    overall: null,
    loaded: false,
    error: null,
    announcement: '',
    live: false,
  };
  private readonly listeners = new Set<() => void>();
  private readonly stops: (() => void)[] = [];
  private pendingTransitions: Transition[] = [];
  private pendingHealth = new Map<string, HealthStatus>();
  private frame: number | null = null;
  private readonly toRefresh = new Set<string>();
  private refreshing = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly api: Api) {}

  get current(): FleetSnapshot {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the fleet and follows it live, until `stop`. */
  start(): void {
    this.stops.push(
      this.api.subscribe<{ breakerStateChanged: Transition }>(STATE_CHANGES, {}, (d) => {
        this.pendingTransitions.push(d.breakerStateChanged);
        this.schedule();
      }),
      this.api.subscribe<{ healthChanged: { breakerName: string; to: HealthStatus } }>(HEALTH_CHANGES, {}, (d) => {
        this.pendingHealth.set(d.healthChanged.breakerName, d.healthChanged.to);
        this.schedule();
      }),
      this.api.subscribe<{ recoveryReportUpdated: { overallSystemHealth: HealthStatus } }>(REPORT_UPDATES, {}, (d) =>
        this.set({ overall: d.recoveryReportUpdated.overallSystemHealth }),
      ),
      // What happened while the feeds were down is read again, as the resume recipe says.
      this.api.onReconnect(() => void this.load()),
      this.api.onConnection((live) => this.set({ live })),
    );
    this.timer = setInterval(() => void this.load(), ACTIVITY_REFRESH_MS);
    void this.load();
  }

  stop(): void {
    this.stops.splice(0).forEach((stop) => stop());
    if (this.timer !== null) clearInterval(this.timer);
    if (this.frame !== null) cancelAnimationFrame(this.frame);
  }

  /** Reads every breaker, its last hour of activity and the overall grade. */
  async load(): Promise<void> {
    try {
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const [fleet, report] = await Promise.all([
        this.api.request<{ breakers: TileBreaker[]; breakerActivity: Activity[] }>(FLEET, { since }),
        this.api.request<{ recoveryReport: { overallSystemHealth: HealthStatus } }>(OVERALL),
      ]);
      const activity = new Map(fleet.breakerActivity.map((a) => [a.breakerName, a]));
      const tiles = new Map(fleet.breakers.map((b) => [b.name, toTile(b, activity.get(b.name))]));
      this.set({ tiles, overall: report.recoveryReport.overallSystemHealth, loaded: true, error: null });
    } catch (error) {
      this.set({ error: (error as Error).message });
    }
  }

  private schedule(): void {
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Applies what arrived since the last frame, in arrival order. */
  private flush(): void {
    this.frame = null;
    const transitions = this.pendingTransitions;
    const health = this.pendingHealth;
    this.pendingTransitions = [];
    this.pendingHealth = new Map();
    const tiles = new Map(this.snapshot.tiles);
    for (const t of transitions) {
      const tile = tiles.get(t.breakerName);
      if (!tile) {
        this.toRefresh.add(t.breakerName); // registered since the page loaded
        continue;
      }
      tiles.set(t.breakerName, { ...tile, state: t.to, stateChangedAt: t.at, openUntil: null });
      if (t.to === 'OPEN') this.toRefresh.add(t.breakerName); // for its countdown
    }
    for (const [name, to] of health) {
      const tile = tiles.get(name);
      if (tile) tiles.set(name, { ...tile, health: to });
    }
    const announcement = announce(transitions) ?? this.snapshot.announcement;
    this.set({ tiles, announcement });
    void this.refresh();
  }

  /** Re-reads the breakers transitions named (openUntil, or a breaker new to the page), a batch at a time. */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.toRefresh.size === 0) return;
    this.refreshing = true;
    try {
      while (this.toRefresh.size > 0) {
        const names = [...this.toRefresh].slice(0, REFRESH_BATCH);
        names.forEach((name) => this.toRefresh.delete(name));
        const params = names.map((_, i) => `$n${i}: String!`).join(', ');
        const fields = names.map((_, i) => `b${i}: breaker(name: $n${i}) { ${TILE_FIELDS} }`).join('\n');
        const variables = Object.fromEntries(names.map((name, i) => [`n${i}`, name]));
        const answer = await this.api.request<Record<string, TileBreaker | null>>(
          `query(${params}) { ${fields} }`,
          variables,
        );
        const tiles = new Map(this.snapshot.tiles);
        for (const breaker of Object.values(answer)) {
          if (!breaker) continue;
          const old = tiles.get(breaker.name);
          tiles.set(breaker.name, old ? { ...old, ...breaker } : toTile(breaker, undefined));
        }
        this.set({ tiles });
      }
    } catch {
      // The next transition or the periodic reload reads them again.
    } finally {
      this.refreshing = false;
    }
  }

  private set(change: Partial<FleetSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.listeners.forEach((listener) => listener());
  }
}

/** "checkout: Closed → Open", or a count when many came in one frame. */
function announce(transitions: Transition[]): string | null {
  if (transitions.length === 0) return null;
  const last = transitions[transitions.length - 1];
  const words = `${last.breakerName}: ${STATE_LABELS[last.from]} → ${STATE_LABELS[last.to]}`;
  return transitions.length === 1 ? words : `${transitions.length} transitions; the latest, ${words}`;
}
