import { BreakerConfig } from './breaker-config';
import { BreakerState } from './breaker-state';

/** A trial permit granted in HALF_OPEN: the outcome that carries its id settles it. */
export interface Permit {
  readonly id: string;
  /** Epoch ms; a permit not settled by then no longer counts against `halfOpenMaxCalls`. */
  readonly expiresAt: number;
}

/**
 * FAILURE_RATE's sliding window: `windowBuckets` buckets of `windowMs / windowBuckets` each, the
 * newest being the one of the latest outcome or of `now`, whichever is later (see `trip-window.ts`).
 * Plain numbers only, stored as it is (jsonb). The newest bucket's counts are kept apart from the
 * older buckets', and totals over all of them are kept, so that an outcome costs O(1).
 */
export interface TripWindow {
  /** ⌊time × windowBuckets / windowMs⌋ of the newest bucket. */
  readonly head: number;
  /** Totals over every bucket of the window, the newest included: what a trip check reads. */
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  /** The newest bucket's own counts. */
  readonly headCalls: number;
  readonly headFailures: number;
  readonly headSlowCalls: number;
  /** The buckets before the newest, oldest first, `windowBuckets - 1` long (empty for a single bucket). */
  readonly olderCalls: readonly number[];
  readonly olderFailures: readonly number[];
  readonly olderSlowCalls: readonly number[];
}

/**
 * Everything the state machine needs to decide, as plain serialisable data.
 * Times are epoch milliseconds; the engine never reads a clock itself.
 */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** Failures in a row while CLOSED (CONSECUTIVE_FAILURES; a slow success counts as one). 0 in FAILURE_RATE. */
  readonly consecutiveFailures: number;
  /** Successful trials in the current HALF_OPEN period. */
  readonly halfOpenSuccesses: number;
  /** The trial permits outstanding in HALF_OPEN, oldest first. */
  readonly permits: readonly Permit[];
  /** FAILURE_RATE's sliding window while CLOSED; null while it is empty, and always in every other state and mode. */
  readonly window: TripWindow | null;
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
    permits: [],
    window: null,
    currentOpenTimeoutMs: config.openTimeoutMs,
    openUntil: null,
    outageStartedAt: null,
    stateChangedAt: now,
    lastEventAt: null,
  };
}

/**
 * The snapshot with some fields replaced. Spelled out field by field rather than spread:
 * V8 builds `{ ...s, x }` through a slow path (about 250 ns against 15 ns here), and the engine
 * runs on every call of every breaker.
 */
export function patchSnapshot(s: BreakerSnapshot, c: Partial<BreakerSnapshot>): BreakerSnapshot {
  return {
    state: c.state !== undefined ? c.state : s.state,
    consecutiveFailures: c.consecutiveFailures !== undefined ? c.consecutiveFailures : s.consecutiveFailures,
    halfOpenSuccesses: c.halfOpenSuccesses !== undefined ? c.halfOpenSuccesses : s.halfOpenSuccesses,
    permits: c.permits !== undefined ? c.permits : s.permits,
    window: c.window !== undefined ? c.window : s.window,
    currentOpenTimeoutMs: c.currentOpenTimeoutMs !== undefined ? c.currentOpenTimeoutMs : s.currentOpenTimeoutMs,
    openUntil: c.openUntil !== undefined ? c.openUntil : s.openUntil,
    outageStartedAt: c.outageStartedAt !== undefined ? c.outageStartedAt : s.outageStartedAt,
    stateChangedAt: c.stateChangedAt !== undefined ? c.stateChangedAt : s.stateChangedAt,
    lastEventAt: c.lastEventAt !== undefined ? c.lastEventAt : s.lastEventAt,
  };
}
