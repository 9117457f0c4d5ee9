import { Api } from './api';
import { Activity, HealthStatus, STATE_LABELS, Tile, TileBreaker } from './model';
import { FLEET, HEALTH_CHANGES, OVERALL, REPORT_UPDATES, STATE_CHANGES, TILE_FIELDS } from './queries';
import { applyTransition, mergeFleet, refreshTile, Transition } from './tiles';

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
/** The step of the sparklines, and of the range read for them. */
const STEP_MS = 300_000;
const HOUR_MS = 3_600_000;
/** Updates are applied in the next animation frame, or after this long where frames are paused (a hidden tab). */
const FLUSH_FALLBACK_MS = 250;
/** The live region is rewritten at most this often, so that a screen reader is not flooded. */
const ANNOUNCE_EVERY_MS = 1000;

/**
 * The fleet as the dashboard shows it: every breaker the key can see, kept current by the live
 * feeds. What arrives together is applied in one frame, and only the latest transition of each
 * breaker is kept until then, so that the queue is bounded by the fleet's size even in a hidden
 * tab. Reads over HTTP never move a tile back in time (see `toTile`), and an answer older than
 * one already applied is dropped.
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
  private pendingTransitions = new Map<string, Transition>();
  private pendingCount = 0;
  private pendingHealth = new Map<string, HealthStatus>();
  private frame: number | null = null;
  private fallback: ReturnType<typeof setTimeout> | null = null;
  private readonly toRefresh = new Set<string>();
  private refreshing = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private loadsStarted = 0;
  private loadApplied = 0;
  private lastAnnounced = 0;

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
        this.pendingTransitions.set(d.breakerStateChanged.breakerName, d.breakerStateChanged);
        this.pendingCount++;
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
    if (this.fallback !== null) clearTimeout(this.fallback);
  }

  /** Reads every breaker, its last hour of activity and the overall grade. */
  async load(): Promise<void> {
    const seq = ++this.loadsStarted;
    try {
      const now = Date.now();
      // Whole steps from the one holding an hour ago: `minutes` is what the figures cover.
      const since = Math.floor((now - HOUR_MS) / STEP_MS) * STEP_MS;
      const [fleet, report] = await Promise.all([
        this.api.request<{ breakers: TileBreaker[]; breakerActivity: Activity[] }>(FLEET, {
          since: new Date(since).toISOString(),
        }),
        this.api.request<{ recoveryReport: { overallSystemHealth: HealthStatus } }>(OVERALL),
      ]);
      if (seq < this.loadApplied) return; // a later read has been applied already
      this.loadApplied = seq;
      const tiles = mergeFleet(this.snapshot.tiles, fleet.breakers, fleet.breakerActivity, (now - since) / 60_000);
      this.set({ tiles, overall: report.recoveryReport.overallSystemHealth, loaded: true, error: null });
    } catch (error) {
      this.set({ error: (error as Error).message });
    }
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => this.flush());
    this.fallback = setTimeout(() => this.flush(), FLUSH_FALLBACK_MS);
  }

  /** Applies what arrived since the last flush. */
  private flush(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.fallback !== null) clearTimeout(this.fallback);
    this.frame = null;
    this.fallback = null;
    const transitions = [...this.pendingTransitions.values()];
    const count = this.pendingCount;
    const health = this.pendingHealth;
    this.pendingTransitions = new Map();
    this.pendingCount = 0;
    this.pendingHealth = new Map();
    const tiles = new Map(this.snapshot.tiles);
    for (const t of transitions) {
      const tile = tiles.get(t.breakerName);
      if (!tile) {
        this.toRefresh.add(t.breakerName); // registered since the page loaded
        continue;
      }
      tiles.set(t.breakerName, applyTransition(tile, t));
      if (t.to === 'OPEN') this.toRefresh.add(t.breakerName); // for its countdown
    }
    for (const [name, to] of health) {
      const tile = tiles.get(name);
      if (tile) tiles.set(name, { ...tile, health: to });
    }
    this.set({ tiles, announcement: this.announce(transitions, count) });
    void this.refresh();
  }

  /** "checkout: Closed → Open", or a count when many came at once; at most once a second. */
  private announce(transitions: Transition[], count: number): string {
    const now = Date.now();
    if (transitions.length === 0 || now - this.lastAnnounced < ANNOUNCE_EVERY_MS) return this.snapshot.announcement;
    this.lastAnnounced = now;
    const last = transitions[transitions.length - 1];
    const words = `${last.breakerName}: ${STATE_LABELS[last.from]} → ${STATE_LABELS[last.to]}`;
    return count === 1 ? words : `${count} transitions; the latest, ${words}`;
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
          tiles.set(breaker.name, refreshTile(tiles.get(breaker.name), breaker));
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
