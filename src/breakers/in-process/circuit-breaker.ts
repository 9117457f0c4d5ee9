import {
  BreakerConfig,
  BreakerConfigPatch,
  BreakerInput,
  BreakerRecord,
  BreakerSnapshot,
  BreakerState,
  countSuccesses,
  EMPTY_METRICS,
  EngineEvent,
  evolve,
  EvolveResult,
  initialSnapshot,
  permitsFreely,
  RecoveryMetricsState,
  resolveConfig,
  successIsQuiet,
} from '../engine';
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
}

// The inputs of the hot path, made once rather than per call.
const ACQUIRE: BreakerInput = { type: 'ACQUIRE' };
const SUCCESS: BreakerInput = { type: 'OUTCOME', success: true };
const FAILURE: BreakerInput = { type: 'OUTCOME', success: false };

/**
 * An in-process breaker guarding calls directly, driven by the same engine as the platform.
 * It keeps no timers: the move from OPEN to HALF_OPEN happens at the first call (or `state` read)
 * after the open period, so an idle breaker costs nothing.
 *
 * The hot path asks the engine whether a call changes anything (`permitsFreely`, `successIsQuiet`,
 * asked once per snapshot, as time cannot change the answers) and, when it does not, skips the
 * step and the clock: a quiet success is only counted, and the count is folded into the metrics
 * (`countSuccesses`) before the next step or metrics read.
 */
export class CircuitBreaker {
  readonly name: string;
  private record: BreakerRecord;
  /** Quiet successes not yet folded into `record.metrics`. */
  private uncountedSuccesses = 0;
  // The engine's answers for the current snapshot, renewed whenever the snapshot changes.
  private freeToCall: boolean;
  private quietOnSuccess: boolean;
  private readonly monitor: RecoveryMonitor | undefined;
  private readonly clock: () => number;
  // Made once, not per call: the settle handlers of every guarded call.
  private readonly onSettledOk = (value: unknown): unknown => {
    if (this.quietOnSuccess) this.uncountedSuccesses++;
    else this.apply(SUCCESS);
    return value;
  };
  private readonly onSettledFailed = (error: unknown): never => {
    this.apply(FAILURE);
    throw error;
  };

  constructor(options: CircuitBreakerOptions = {}) {
    this.name = options.name ?? 'default';
    this.monitor = options.monitor;
    this.clock = options.clock ?? Date.now;
    const config = resolveConfig(options.config);
    const snapshot = initialSnapshot(config, this.clock());
    this.record = { snapshot, config, metrics: EMPTY_METRICS };
    this.freeToCall = permitsFreely(snapshot);
    this.quietOnSuccess = successIsQuiet(snapshot);
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
    if (!this.freeToCall && !this.apply(ACQUIRE).permitted) {
      return Promise.reject(new BreakerOpenError(this.name, this.record.snapshot.state));
    }
    let pending: T | PromiseLike<T>;
    try {
      pending = fn();
    } catch (error) {
      this.apply(FAILURE);
      return Promise.reject(error);
    }
    // A native promise is chained as it is; anything else (a value, a foreign thenable) is adopted first.
    const settled = pending instanceof Promise ? (pending as Promise<T>) : Promise.resolve(pending);
    return settled.then(this.onSettledOk as (value: T) => T, this.onSettledFailed);
  }

  get state(): BreakerState {
    return this.apply({ type: 'ADVANCE' }).snapshot.state;
  }

  get snapshot(): BreakerSnapshot {
    return this.record.snapshot;
  }

  get config(): BreakerConfig {
    return this.record.config;
  }

  get metrics(): RecoveryMetricsState {
    this.countUncounted();
    return this.record.metrics;
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
    this.apply({ type: 'CONFIGURE', config: resolveConfig(patch, this.record.config), admin: { reason } });
  }

  private apply(input: BreakerInput): EvolveResult {
    this.countUncounted();
    const record = this.record;
    const result = evolve(record, input, this.clock());
    // Most permits change nothing: keep the record rather than allocate an equal one.
    if (result.snapshot !== record.snapshot || result.config !== record.config || result.metrics !== record.metrics) {
      this.record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };
      this.freeToCall = permitsFreely(result.snapshot);
      this.quietOnSuccess = successIsQuiet(result.snapshot);
    }
    if (this.monitor) for (const event of result.events) this.notify(event);
    return result;
  }

  private countUncounted(): void {
    if (this.uncountedSuccesses === 0) return;
    const record = this.record;
    this.record = {
      snapshot: record.snapshot,
      config: record.config,
      metrics: countSuccesses(record.metrics, this.uncountedSuccesses),
    };
    this.uncountedSuccesses = 0;
  }

  private notify(event: EngineEvent): void {
    try {
      this.monitor?.onEvent({ ...event, breakerName: this.name });
    } catch {
      // A faulty monitor must not turn a successful call into a failure.
    }
  }
}
