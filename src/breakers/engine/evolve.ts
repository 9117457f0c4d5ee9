import { BreakerConfig } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { BreakerSnapshot } from './breaker-snapshot';
import { step, StepResult } from './engine';
import { applyEvents, countOutcome, RecoveryMetricsState } from './recovery-metrics';

/** A breaker as a whole: what the state machine decides on, and the figures it keeps. */
export interface BreakerRecord {
  readonly snapshot: BreakerSnapshot;
  readonly config: BreakerConfig;
  readonly metrics: RecoveryMetricsState;
}

export interface EvolveResult extends StepResult {
  readonly metrics: RecoveryMetricsState;
}

/** One engine step plus its effect on the metrics; what both the platform and the in-process breaker run. */
export function evolve(record: BreakerRecord, input: BreakerInput, now: number): EvolveResult {
  const result = step(record.snapshot, record.config, input, now);
  let metrics = record.metrics;
  if (input.type === 'OUTCOME') metrics = countOutcome(metrics, input.success, now);
  if (result.events.length > 0) metrics = applyEvents(metrics, result.events);
  // Spelled out rather than spread: this runs on every call of every breaker.
  return {
    snapshot: result.snapshot,
    config: result.config,
    events: result.events,
    permitted: result.permitted,
    permit: result.permit,
    metrics,
  };
}
