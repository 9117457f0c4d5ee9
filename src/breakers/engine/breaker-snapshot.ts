import { BreakerConfig } from './breaker-config';
import { BreakerState } from './breaker-state';

/**
 * Everything the state machine needs to decide, as plain serialisable data.
 * Times are epoch milliseconds; the engine never reads a clock itself.
 */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** Failures in a row while CLOSED. */
  readonly consecutiveFailures: number;
  /** Successful trials in the current HALF_OPEN period. */
  readonly halfOpenSuccesses: number;
  /** Expiry times of the trial permits outstanding in HALF_OPEN, oldest first. */
  readonly permitExpiries: readonly number[];
  /** The length of the current (or next) open period; doubles after each failed recovery. */
  readonly currentOpenTimeoutMs: number;
  /** When an OPEN breaker becomes due for HALF_OPEN; null in every other state. */
  readonly openUntil: number | null;
  /** When the current outage began (the CIRCUIT_OPENED that left CLOSED); null when there is none. */
  readonly outageStartedAt: number | null;
  readonly stateChangedAt: number;
  /** When this breaker's latest event happened; null before its first. */
  readonly lastEventAt: number | null;
}

/** The snapshot of a newly registered breaker. */
export function initialSnapshot(config: BreakerConfig, now: number): BreakerSnapshot {
  return {
    state: BreakerState.CLOSED,
    consecutiveFailures: 0,
    halfOpenSuccesses: 0,
    permitExpiries: [],
    currentOpenTimeoutMs: config.openTimeoutMs,
    openUntil: null,
    outageStartedAt: null,
    stateChangedAt: now,
    lastEventAt: null,
  };
}
