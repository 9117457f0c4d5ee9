import {
  BreakerConfig,
  BreakerConfigPatch,
  BreakerInput,
  BreakerRecord,
  BreakerSnapshot,
  BreakerState,
  EMPTY_METRICS,
  EngineEvent,
  evolve,
  EvolveResult,
  initialSnapshot,
  RecoveryMetricsState,
  resolveConfig,
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
 */
export class CircuitBreaker {
  readonly name: string;
  private record: BreakerRecord;
  private readonly monitor: RecoveryMonitor | undefined;
  private readonly clock: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.name = options.name ?? 'default';
    this.monitor = options.monitor;
    this.clock = options.clock ?? Date.now;
    const config = resolveConfig(options.config);
    this.record = { snapshot: initialSnapshot(config, this.clock()), config, metrics: EMPTY_METRICS };
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

  /** Runs `fn` if the breaker permits it, and records how it went. Throws BreakerOpenError when refused. */
  async execute<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    if (!this.apply(ACQUIRE).permitted) throw new BreakerOpenError(this.name, this.record.snapshot.state);
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      this.apply(FAILURE);
      throw error;
    }
    this.apply(SUCCESS);
    return result;
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
    const record = this.record;
    const result = evolve(record, input, this.clock());
    // Most permits change nothing: keep the record rather than allocate an equal one.
    if (result.snapshot !== record.snapshot || result.config !== record.config || result.metrics !== record.metrics) {
      this.record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };
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
