import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
// The platform's own engine, compiled into this package from the one source (see client/tsconfig.json).
import { BreakerConfig } from '../../src/breakers/engine/breaker-config';
import { BreakerSnapshot, initialSnapshot } from '../../src/breakers/engine/breaker-snapshot';
import { BreakerState as EngineState } from '../../src/breakers/engine/breaker-state';
import { BreakerOpenError } from '../../src/breakers/in-process/breaker-open.error';
import { CircuitBreaker } from '../../src/breakers/in-process/circuit-breaker';
import { MonitoredEvent } from '../../src/breakers/in-process/recovery-monitor';
import { OutcomeReporter } from './outcome-reporter';

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'FORCED_OPEN' | 'DISABLED';

/** A change of the state this process goes by: the platform's, or its local engine's in fail-static. */
export interface StateChange {
  readonly breakerName: string;
  /** The state this process went by before. */
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** When the change was made (ISO 8601). */
  readonly at: string;
  /** The platform's RecoveryEvent that marks it; null for a change the local engine made. */
  readonly eventId: string | null;
  /** Made by the local engine, while the platform could not be reached. */
  readonly local: boolean;
}

/** What acquirePermission answers. */
export interface Permission {
  readonly permitted: boolean;
  readonly state: BreakerState;
  readonly permitId: string | null;
}

/** What the platform last said about a breaker: what a local engine starts from in fail-static. */
export interface KnownBreaker {
  readonly state: BreakerState;
  /** Epoch ms. */
  readonly stateChangedAt: number;
  /** Epoch ms; while OPEN, when the platform lets trials in. */
  readonly openUntil: number | null;
  readonly currentOpenTimeoutMs: number;
  readonly config: BreakerConfig;
}

export interface GuardedBreakerDeps {
  readonly reporter: OutcomeReporter;
  readonly acquirePermission: (breakerName: string) => Promise<Permission>;
  /** After a refused or failed permit request, calls in HALF_OPEN are refused locally this long. */
  readonly permitBackoffMs: number;
  /** Told when a `stateChange` listener throws; the mirror goes on regardless. */
  readonly onListenerError: (error: unknown) => void;
}

const AWAY: ReadonlySet<BreakerState> = new Set(['OPEN', 'HALF_OPEN', 'FORCED_OPEN']);

/**
 * One breaker as this process sees it. Normally the platform's state, mirrored, decides each
 * call here, with no network except for a trial permit in HALF_OPEN. In fail-static (the platform
 * out of reach) a local engine, the platform's own, seeded with the last known state and config,
 * decides instead. Either way every outcome goes to the reporter.
 */
export class GuardedBreaker extends EventEmitter {
  private mirrored: BreakerState;
  private known: KnownBreaker;
  /** The newest platform event applied; older or repeated ones are dropped. */
  private lastEventId = 0;
  private permitRequested = false;
  private refusedUntil = 0;
  /** The fail-static engine; null while the platform decides. */
  private local: CircuitBreaker | null = null;
  /** This breaker's name, as the reporter numbers it. */
  private readonly nameId: number;

  constructor(
    readonly name: string,
    known: KnownBreaker,
    private readonly deps: GuardedBreakerDeps,
  ) {
    super();
    this.known = known;
    this.mirrored = known.state;
    this.nameId = deps.reporter.nameId(name);
  }

  /** The state calls are decided by: the platform's, or the local engine's in fail-static. */
  get state(): BreakerState {
    return this.local ? (this.local.state as BreakerState) : this.mirrored;
  }

  /** Whether the local engine decides (fail-static). */
  get isLocal(): boolean {
    return this.local !== null;
  }

  /** The id of the newest platform event the mirror has applied (0 before any). */
  get lastSeenEventId(): number {
    return this.lastEventId;
  }

  /** The config in force, as last read from the platform. */
  get config(): BreakerConfig {
    return this.known.config;
  }

  /**
   * Runs `fn` if the breaker lets the call through, and settles as it does; its outcome (with
   * its duration, and its error's message) is reported. Refused: BreakerOpenError, and `fn` is
   * not called. Never throws: every failure is a rejection. Not `async`: in CLOSED, one `then`
   * on `fn`'s promise is the whole overhead.
   */
  execute<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.local) return this.runLocal(this.local, fn);
    const state = this.mirrored;
    if (state === 'CLOSED' || state === 'DISABLED') return this.run(fn, undefined);
    if (state === 'HALF_OPEN') return this.trial(fn);
    return Promise.reject(new BreakerOpenError(this.name, state as EngineState));
  }

  /**
   * Reports the outcome of a call guarded elsewhere (by an existing breaker library, through an
   * adapter), as `execute` reports its own: buffered, and sent in the next batch.
   */
  record(outcome: { readonly success: boolean; readonly durationMs?: number; readonly error?: unknown }): void {
    const { reporter } = this.deps;
    if (reporter.isClosed) return reporter.countDropped();
    const d = outcome.durationMs;
    reporter.addCall(
      this.nameId,
      outcome.success,
      Date.now(),
      d !== undefined && Number.isFinite(d) && d >= 0 ? d : NaN,
      outcome.success || outcome.error === undefined ? undefined : messageOf(outcome.error),
    );
  }

  /**
   * Applies a transition the platform made; answers whether it changed the mirror. In fail-static
   * the mirror follows quietly: the local engine's state is what calls see until it ends.
   */
  applyTransition(eventId: number, to: BreakerState, at: string): boolean {
    if (eventId <= this.lastEventId) return false;
    this.lastEventId = eventId;
    if (to === this.mirrored) return false;
    const from = this.mirrored;
    this.mirrored = to;
    const changedAt = Date.parse(at);
    this.known = {
      ...this.known,
      state: to,
      stateChangedAt: changedAt,
      // Until the breaker is read again: the period it had last (the platform may have doubled it).
      openUntil: to === 'OPEN' ? changedAt + this.known.currentOpenTimeoutMs : null,
    };
    if (!this.local) this.tell({ breakerName: this.name, from, to, at, eventId: String(eventId), local: false });
    return true;
  }

  /**
   * Takes the breaker as read from the platform, with the newest event id read before it. Events
   * newer than that id, live or read on catching up, are applied after it in id order. A read
   * older than what the mirror has applied updates only the config. Ends fail-static: the
   * platform's state takes over.
   */
  seed(lastEventId: number, known: KnownBreaker, at: string): void {
    const before = this.state;
    if (lastEventId < this.lastEventId) {
      this.known = { ...this.known, config: known.config, currentOpenTimeoutMs: known.currentOpenTimeoutMs };
    } else {
      this.lastEventId = lastEventId;
      this.known = known;
      this.mirrored = known.state;
    }
    this.local = null;
    if (before !== this.mirrored) {
      this.tell({
        breakerName: this.name,
        from: before,
        to: this.mirrored,
        at,
        eventId: String(this.lastEventId),
        local: false,
      });
    }
  }

  /**
   * Fail-static: from now on a local engine decides, started from the last known state and
   * config. A dependency outage then still trips this process's breaker. Ends with `seed`.
   */
  goLocal(now = Date.now()): void {
    if (this.local) return;
    const k = this.known;
    const base = initialSnapshot(k.config, k.stateChangedAt);
    const snapshot: BreakerSnapshot = {
      ...base,
      state: k.state as EngineState,
      currentOpenTimeoutMs: k.currentOpenTimeoutMs,
      openUntil: k.state === 'OPEN' ? (k.openUntil ?? now) : null,
      outageStartedAt: AWAY.has(k.state) ? k.stateChangedAt : null,
    };
    this.local = new CircuitBreaker({
      name: this.name,
      config: k.config,
      snapshot,
      monitor: { onEvent: (event) => this.onLocalEvent(event) },
    });
  }

  private onLocalEvent(event: MonitoredEvent): void {
    if (event.fromState === null || event.toState === null || event.fromState === event.toState) return;
    this.tell({
      breakerName: this.name,
      from: event.fromState as BreakerState,
      to: event.toState as BreakerState,
      at: new Date(event.at).toISOString(),
      eventId: null,
      local: true,
    });
  }

  /** A listener's exception must not reach the subscription's message handler, which would drop the connection for good. */
  private tell(change: StateChange): void {
    try {
      this.emit('stateChange', change);
    } catch (error) {
      this.deps.onListenerError(error);
    }
  }

  private run<T>(fn: () => T | Promise<T>, permitId: string | undefined): Promise<T> {
    const started = performance.now();
    let pending: T | Promise<T>;
    try {
      pending = fn();
    } catch (error) {
      this.report(false, started, error, permitId);
      return Promise.reject(error);
    }
    // A native promise is chained as it is; anything else (a value, a foreign thenable) is adopted first.
    const settled = pending instanceof Promise ? pending : Promise.resolve(pending);
    return settled.then(
      (value) => {
        this.report(true, started, undefined, permitId);
        return value;
      },
      (error: unknown) => {
        this.report(false, started, error, permitId);
        throw error;
      },
    );
  }

  /** Decided by the local engine; a call it admits is reported as any other (a local trial has no platform permit). */
  private async runLocal<T>(local: CircuitBreaker, fn: () => T | Promise<T>): Promise<T> {
    let started = 0;
    let admitted = false;
    try {
      const value = await local.execute(() => {
        admitted = true;
        started = performance.now();
        return fn();
      });
      this.report(true, started, undefined, undefined);
      return value;
    } catch (error) {
      if (admitted) this.report(false, started, error, undefined);
      throw error;
    }
  }

  /** One permit request in flight per breaker; while it is, and for a while after a refusal, calls are refused here. */
  private async trial<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.permitRequested || Date.now() < this.refusedUntil) {
      throw new BreakerOpenError(this.name, EngineState.HALF_OPEN);
    }
    this.permitRequested = true;
    let permission: Permission;
    try {
      permission = await this.deps.acquirePermission(this.name);
    } catch {
      this.refusedUntil = Date.now() + this.deps.permitBackoffMs;
      throw new BreakerOpenError(this.name, EngineState.HALF_OPEN);
    } finally {
      this.permitRequested = false;
    }
    if (!permission.permitted) {
      this.refusedUntil = Date.now() + this.deps.permitBackoffMs;
      throw new BreakerOpenError(this.name, permission.state as EngineState);
    }
    return this.run(fn, permission.permitId ?? undefined);
  }

  /** `started` and the end are `performance.now()` readings; a failure's error becomes its message. */
  private report(success: boolean, started: number, error: unknown, permitId: string | undefined): void {
    const end = performance.now();
    const { reporter } = this.deps;
    // After close(), the call still settles as it did; its outcome is counted as dropped.
    if (reporter.isClosed) return reporter.countDropped();
    reporter.addCall(
      this.nameId,
      success,
      wallClock(end),
      end - started,
      success ? undefined : messageOf(error),
      permitId,
    );
    // A trial decides the recovery: it goes now, not at the next interval.
    if (permitId !== undefined) reporter.flushSoon();
  }
}

/**
 * Epoch ms for a `performance.now()` reading, without reading the wall clock per call. The
 * offset between the two clocks is taken again every 4,096 readings, so that a wall clock set
 * by NTP is followed within seconds.
 */
let clockOffset = Date.now() - performance.now();
let readings = 0;
function wallClock(now: number): number {
  if (++readings >= 4096) {
    readings = 0;
    clockOffset = Date.now() - performance.now();
  }
  return now + clockOffset;
}

/** The error's message, as the platform counts it: at most 2,000 characters, what OutcomeInput.error takes. */
function messageOf(error: unknown): string {
  // NUL and lone surrogates are refused by the platform (Postgres cannot store them), and would
  // refuse the whole batch: they become U+FFFD.
  const text = (error instanceof Error ? error.message || error.name : String(error)).replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
  if (text.length <= 2000) return text;
  // Never half a surrogate pair.
  const end = text.charCodeAt(1999) >= 0xd800 && text.charCodeAt(1999) <= 0xdbff ? 1999 : 2000;
  return text.slice(0, end);
}
