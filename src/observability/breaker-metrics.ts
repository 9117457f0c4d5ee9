import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { BreakerState, RecoveryEventType } from '../breakers/engine';
import { queryRows } from '../database/query-rows';
import { StoredEvent } from '../events/stored-event';
import { BulkHistogram } from './bulk-histogram';
import { FreshFor } from './fresh-for';

/** Scrapes within this long of a rendering share it: 16 concurrent scrapes cost one render. */
const RENDERING_FRESH_MS = 1000;

/** The upper bounds of `breaker_call_duration_seconds`, in ms: 1 ms to 1 minute. */
export const CALL_DURATION_BOUNDS_MS: readonly number[] = [
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
];

/** Outcomes committed for one breaker. */
export interface CommittedOutcomes {
  readonly breakerName: string;
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls?: number;
  /** Calls with a duration per CALL_DURATION_BOUNDS_MS bucket (non-cumulative, the last above every bound). */
  readonly durationCounts?: readonly number[];
  readonly durationSumMs?: number;
}

/**
 * The Prometheus metrics of this instance. Counters count what this instance committed (a
 * Prometheus sum over instances gives the cluster's); the state gauge reads the database, which
 * all instances share. The whole rendering is cached for about a second.
 */
@Injectable()
export class BreakerMetrics {
  readonly registry = new Registry();
  private readonly outcomes: Counter<'breaker' | 'result'>;
  private readonly transitions: Counter<'breaker' | 'from' | 'to'>;
  private readonly recovery: Histogram;
  private readonly slowCalls: Counter<'breaker'>;
  private readonly callDurations: BulkHistogram;
  /** What the stats accumulator buckets call durations by, for `breaker_call_duration_seconds`. */
  readonly callDurationBoundsMs = CALL_DURATION_BOUNDS_MS;
  private readonly rendering: FreshFor<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.rendering = new FreshFor(
      RENDERING_FRESH_MS,
      () => this.registry.metrics(),
      () => this.clock.now(),
    );
    collectDefaultMetrics({ register: this.registry });
    this.outcomes = new Counter({
      name: 'breaker_outcomes_total',
      help: 'Outcomes reported, by breaker and result.',
      labelNames: ['breaker', 'result'],
      registers: [this.registry],
    });
    this.transitions = new Counter({
      name: 'breaker_transitions_total',
      help: 'State transitions, by breaker, from and to.',
      labelNames: ['breaker', 'from', 'to'],
      registers: [this.registry],
    });
    this.recovery = new Histogram({
      name: 'breaker_recovery_seconds',
      help: 'Time from the opening that began an outage to the close that ended it.',
      labelNames: ['breaker'],
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900, 1800, 3600],
      registers: [this.registry],
    });
    this.slowCalls = new Counter({
      name: 'breaker_slow_calls_total',
      help: 'Calls at least as long as their breaker’s slowCallDurationMs, by breaker.',
      labelNames: ['breaker'],
      registers: [this.registry],
    });
    this.callDurations = new BulkHistogram(
      'breaker_call_duration_seconds',
      'How long the reported calls took, by breaker (outcomes that carried a durationMs).',
      'breaker',
      CALL_DURATION_BOUNDS_MS.map((ms) => ms / 1000),
      this.registry,
    );
    const metrics = this;
    new Gauge({
      name: 'breaker_state',
      help: 'The current state of each breaker: 1 for its state, 0 for the others.',
      labelNames: ['breaker', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { name, state } of await metrics.currentStates()) {
          for (const s of Object.values(BreakerState)) this.set({ breaker: name, state: s }, s === state ? 1 : 0);
        }
      },
    });
  }

  /** Counts what a transaction committed. Call after the commit. */
  recordCommitted(outcomes: readonly CommittedOutcomes[], events: readonly StoredEvent[]): void {
    // Counted per breaker already: a batch of 1000 outcomes is a handful of increments, not 1000.
    for (const { breakerName: breaker, calls, failures, slowCalls, durationCounts, durationSumMs } of outcomes) {
      if (calls > failures) this.outcomes.inc({ breaker, result: 'success' }, calls - failures);
      if (failures > 0) this.outcomes.inc({ breaker, result: 'failure' }, failures);
      if (slowCalls) this.slowCalls.inc({ breaker }, slowCalls);
      if (durationCounts) this.callDurations.add(breaker, durationCounts, (durationSumMs ?? 0) / 1000);
    }
    for (const e of events) {
      if (e.fromState && e.toState && e.fromState !== e.toState) {
        this.transitions.inc({ breaker: e.breakerName, from: e.fromState, to: e.toState });
      }
      if (e.type === RecoveryEventType.RECOVERY_SUCCEEDED) {
        this.recovery.observe({ breaker: e.breakerName }, Number(e.info.recoveryTimeMs ?? 0) / 1000);
      }
    }
  }

  /** The Prometheus text exposition, rendered at most once a second (the state gauge reads the database). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.rendering.get() };
  }

  private currentStates(): Promise<{ name: string; state: BreakerState }[]> {
    return queryRows(this.dataSource.manager, 'SELECT name, state FROM breakers ORDER BY name');
  }
}
