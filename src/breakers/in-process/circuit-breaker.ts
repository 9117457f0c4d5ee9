// From the engine's modules rather than its index: compiled to CommonJS, every name read through
// the index's re-exports is a getter call, and these are read on every call of the breaker.
import { BreakerConfig, BreakerConfigPatch, resolveConfig } from '../engine/breaker-config';
import { BreakerInput } from '../engine/breaker-input';
import { BreakerSnapshot, initialSnapshot } from '../engine/breaker-snapshot';
import { BreakerState } from '../engine/breaker-state';
import { isDue, permitsFreely, step, StepResult, successIsQuiet } from '../engine/engine';
import { EngineEvent } from '../engine/engine-event';
import { evolve } from '../engine/evolve';
import { applyEvents, countSuccesses, EMPTY_METRICS, RecoveryMetricsState } from '../engine/recovery-metrics';
import { BreakerOpenError } from './breaker-open.error';
import { RecoveryMonitor } from './recovery-monitor';

export interface CircuitBreakerOptions {
  /** Names the breaker in its events. Default "default". */
  readonly name?: string;
  /** Settings; anything left out takes the platform's defaults, and the result is validated. */
  readonly config?: BreakerConfigPatch;
  /** Receives every recovery event. A monitor that throws does not break the guarded call. */
  readonly monitor?: RecoveryMonitor;
  /** Epoch milliseconds; inject a fake for tests. */
  readonly clock?: () => number;
  /**
   * Where to start: a snapshot taken elsewhere (the client SDK seeds its fail-static engine with
   * the fleet's last known state). Default: a new CLOSED breaker.
   */
  readonly snapshot?: BreakerSnapshot;
}

// The inputs of the hot path, made once rather than per call.
const ACQUIRE: BreakerInput = { type: 'ACQUIRE' };
const SUCCESS: BreakerInput = { type: 'OUTCOME', success: true };
const FAILURE: BreakerInput = { type: 'OUTCOME', success: false };
const ADVANCE: BreakerInput = { type: 'ADVANCE' };

/** How one admitted call reports its outcome, and what it knows about itself. */
interface Settlement {
  /** The state period the call was admitted in (see `CircuitBreaker.period`). */
  readonly period: number;
  /** That period's `stateChangedAt`. */
  readonly admittedIn: number;
  /** When it started, read only when its duration matters (`slowCallDurationMs` set); else null. */
  readonly startedAt: number | null;
  /** The trial permit it runs under; null when admitted without one. */
  readonly permitId: string | null;
  readonly ok: (value: unknown) => unknown;
  readonly failed: (error: unknown) => never;
}

/**
 * An in-process breaker guarding calls directly, driven by the same engine as the platform.
 * It keeps no timers: the move from OPEN to HALF_OPEN happens at the first call (or `state` read)
 * after the open period, so an idle breaker costs nothing.
 *
 * The hot path asks the engine whether a call changes anything (`permitsFreely`, `successIsQuiet`,
 * asked once per snapshot, as time cannot change the answers) and, when it does not, skips the
 * step and the clock: a quiet success is only counted. Every success is counted that way, quiet or
 * not, since its only effect on the metrics is one more call, and the count is folded into the
 * metrics (`countSuccesses`) when they are read.
 *
 * Each call reports what the engine needs to judge it. In HALF_OPEN it runs under a permit of its
 * own (ids from a counter) and reports that permit's id, so it settles exactly its permit. With
 * `slowCallDurationMs` set it reads the clock at its start, and reports its start as `occurredAt`
 * and its duration. Otherwise the clock is not read at the start: a call that settles in the state
 * period it was admitted in is reported at `now`, and one admitted in an earlier period (a
 * straggler) at the start of that period. Either way a straggler is reported at least 1 ms before
 * the current period began, even when both began within the same millisecond: all the engine
 * needs to know is that it came before, and it compares milliseconds.
 */
export class CircuitBreaker {
  readonly name: string;
  // The record, kept as three fields: most steps change the snapshot alone.
  private current: BreakerSnapshot;
  private settings: BreakerConfig;
  private figures: RecoveryMetricsState;
  /** Successes not yet folded into `figures`. */
  private uncountedSuccesses = 0;
  // The engine's answers for the current snapshot and config, renewed whenever either changes.
  /** A call may go ahead without asking the engine, and without reading the clock. */
  private fastPath: boolean;
  private quietOnSuccess: boolean;
  /** Shared by every fast-path call of the current state period: made once per period, not per call. */
  private free: Settlement;
  /** Counts state periods: a new one begins whenever the state or its `stateChangedAt` changes. */
  private period = 0;
  private permitCount = 0;
  private readonly monitor: RecoveryMonitor | undefined;
  private readonly clock: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.name = options.name ?? 'default';
    this.monitor = options.monitor;
    this.clock = options.clock ?? Date.now;
    const config = resolveConfig(options.config);
    const snapshot = options.snapshot ?? initialSnapshot(config, this.clock());
    this.current = snapshot;
    this.settings = config;
    this.figures = EMPTY_METRICS;
    this.fastPath = permitsFreely(snapshot) && config.slowCallDurationMs === null;
    this.quietOnSuccess = successIsQuiet(snapshot, config);
    this.free = this.settlement(null, null);
  }

  /** The seed's `new_with_monitoring(failure_threshold, timeout, monitor, service_name)`; `clock` is for tests. */
  static withMonitoring(
    failureThreshold: number,
    openTimeoutMs: number,
    monitor: RecoveryMonitor,
    serviceName: string,
    clock?: () => number,
  ): CircuitBreaker {
    return new CircuitBreaker({ name: serviceName, config: { failureThreshold, openTimeoutMs }, monitor, clock });
  }

  /**
   * Runs `fn` if the breaker permits it, and records how it went once it settles. Rejects with
   * BreakerOpenError, without calling `fn`, when refused; otherwise settles as `fn` does, with
   * the very value or error. Not `async`: one `then` on `fn`'s promise is the whole overhead.
   */
  execute<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    if (this.fastPath) return this.run(fn, this.free);
    const settlement = this.admit();
    if (settlement === null) return Promise.reject(new BreakerOpenError(this.name, this.current.state));
    return this.run(fn, settlement);
  }

  get state(): BreakerState {
    return this.apply(ADVANCE).snapshot.state;
  }

  get snapshot(): BreakerSnapshot {
    return this.current;
  }

  get config(): BreakerConfig {
    return this.settings;
  }

  get metrics(): RecoveryMetricsState {
    this.figures = countSuccesses(this.figures, this.uncountedSuccesses);
    this.uncountedSuccesses = 0;
    return this.figures;
  }

  /** Back to CLOSED; metrics and history are kept. */
  reset(reason?: string): void {
    this.apply({ type: 'RESET', admin: { reason } });
  }

  forceOpen(reason?: string): void {
    this.apply({ type: 'FORCE_OPEN', admin: { reason } });
  }

  disable(reason?: string): void {
    this.apply({ type: 'DISABLE', admin: { reason } });
  }

  configure(patch: BreakerConfigPatch, reason?: string): void {
    this.apply({ type: 'CONFIGURE', config: resolveConfig(patch, this.settings), admin: { reason } });
  }

  /** Off the fast path: asks the engine for a permit where one may be needed. Null when refused. */
  private admit(): Settlement | null {
    let permitId: string | null = null;
    let now: number | null = null;
    if (!permitsFreely(this.current)) {
      now = this.clock();
      const s = this.current;
      // A permit id only where one can be granted, so that the refusals of an open breaker allocate nothing.
      const id = s.state === BreakerState.HALF_OPEN || isDue(s, now) ? String(++this.permitCount) : null;
      const result = this.apply(id === null ? ACQUIRE : { type: 'ACQUIRE', permitId: id }, now);
      if (!result.permitted) return null;
      if (result.permit !== null) permitId = result.permit.id;
    }
    const startedAt = this.settings.slowCallDurationMs === null ? null : (now ?? this.clock());
    if (startedAt === null && permitId === null) return this.free;
    return this.settlement(startedAt, permitId);
  }

  private run<T>(fn: () => T | PromiseLike<T>, settlement: Settlement): Promise<T> {
    let pending: T | PromiseLike<T>;
    try {
      pending = fn();
    } catch (error) {
      this.report(false, settlement);
      return Promise.reject(error);
    }
    // A native promise is chained as it is; anything else (a value, a foreign thenable) is adopted first.
    const settled = pending instanceof Promise ? (pending as Promise<T>) : Promise.resolve(pending);
    return settled.then(settlement.ok as (value: T) => T, settlement.failed);
  }

  /** How a call admitted now, in the current state period, will report. */
  private settlement(startedAt: number | null, permitId: string | null): Settlement {
    const settlement: Settlement = {
      period: this.period,
      admittedIn: this.current.stateChangedAt,
      startedAt,
      permitId,
      ok: (value: unknown): unknown => {
        this.report(true, settlement);
        return value;
      },
      failed: (error: unknown): never => {
        this.report(false, settlement);
        throw error;
      },
    };
    return settlement;
  }

  private report(success: boolean, call: Settlement): void {
    // Whatever the call knows about itself, a quiet success changes nothing (see `successIsQuiet`).
    if (success && this.quietOnSuccess) {
      this.uncountedSuccesses++;
      return;
    }
    const current = call.period === this.period;
    if (current && call.startedAt === null && call.permitId === null) {
      this.apply(success ? SUCCESS : FAILURE);
      return;
    }
    const now = this.clock();
    const began = call.startedAt ?? (current ? now : call.admittedIn);
    this.apply(
      {
        type: 'OUTCOME',
        success,
        occurredAt: current ? began : Math.min(began, this.current.stateChangedAt - 1),
        durationMs: call.startedAt === null ? null : now - call.startedAt,
        permitId: call.permitId,
      },
      now,
    );
  }

  /**
   * One engine step, as `evolve` takes it, except that a success is counted in bulk: whatever it
   * does to the snapshot, its only effect on the metrics is one more call, and the events' effects
   * do not depend on the call count (see `countSuccesses`).
   */
  private apply(input: BreakerInput, now: number = this.clock()): StepResult {
    const before = this.current;
    let result: StepResult;
    if (input.type === 'OUTCOME' && input.success) {
      this.uncountedSuccesses++;
      result = step(before, this.settings, input, now);
      if (result.events.length > 0) this.figures = applyEvents(this.figures, result.events);
    } else {
      const evolved = evolve({ snapshot: before, config: this.settings, metrics: this.figures }, input, now);
      this.figures = evolved.metrics;
      result = evolved;
    }
    // Most permits change nothing: then there is nothing to renew.
    if (result.snapshot !== before || result.config !== this.settings) {
      const s = result.snapshot;
      this.current = s;
      this.settings = result.config;
      this.fastPath = permitsFreely(s) && result.config.slowCallDurationMs === null;
      this.quietOnSuccess = successIsQuiet(s, result.config);
      if (s.state !== before.state || s.stateChangedAt !== before.stateChangedAt) {
        this.period++;
        this.free = this.settlement(null, null);
      }
    }
    if (this.monitor) for (const event of result.events) this.notify(event);
    return result;
  }

  private notify(event: EngineEvent): void {
    try {
      this.monitor?.onEvent({ ...event, breakerName: this.name });
    } catch {
      // A faulty monitor must not turn a successful call into a failure.
    }
  }
}
