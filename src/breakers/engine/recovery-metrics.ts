import { AWAY_STATES, BreakerState } from './breaker-state';
import { EngineEvent } from './engine-event';
import { RecoveryEventType } from './recovery-event-type';

/** Per-breaker recovery figures, kept as running totals so that reading them never scans history. */
export interface RecoveryMetricsState {
  readonly totalCalls: number;
  readonly totalFailures: number;
  readonly recoveryAttempts: number;
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  /** Failed recoveries since the last successful one (or since the start). */
  readonly consecutiveFailedRecoveries: number;
  readonly totalRecoveryTimeMs: number;
  /** Time away from CLOSED and DISABLED in episodes that have ended. */
  readonly closedEpisodesOpenMs: number;
  /** When the current episode away from CLOSED/DISABLED began; null while CLOSED or DISABLED. */
  readonly awaySince: number | null;
  readonly lastFailureAt: number | null;
  readonly lastRecoveryAt: number | null;
}

// Readonly by type, not frozen: copying a frozen object is an order of magnitude slower in V8.
export const EMPTY_METRICS: RecoveryMetricsState = {
  totalCalls: 0,
  totalFailures: 0,
  recoveryAttempts: 0,
  successfulRecoveries: 0,
  failedRecoveries: 0,
  consecutiveFailedRecoveries: 0,
  totalRecoveryTimeMs: 0,
  closedEpisodesOpenMs: 0,
  awaySince: null,
  lastFailureAt: null,
  lastRecoveryAt: null,
};

/** The metrics with some fields replaced; spelled out rather than spread, for speed (see `patchSnapshot`). */
export function patchMetrics(m: RecoveryMetricsState, c: Partial<RecoveryMetricsState>): RecoveryMetricsState {
  return {
    totalCalls: c.totalCalls !== undefined ? c.totalCalls : m.totalCalls,
    totalFailures: c.totalFailures !== undefined ? c.totalFailures : m.totalFailures,
    recoveryAttempts: c.recoveryAttempts !== undefined ? c.recoveryAttempts : m.recoveryAttempts,
    successfulRecoveries: c.successfulRecoveries !== undefined ? c.successfulRecoveries : m.successfulRecoveries,
    failedRecoveries: c.failedRecoveries !== undefined ? c.failedRecoveries : m.failedRecoveries,
    consecutiveFailedRecoveries:
      c.consecutiveFailedRecoveries !== undefined ? c.consecutiveFailedRecoveries : m.consecutiveFailedRecoveries,
    totalRecoveryTimeMs: c.totalRecoveryTimeMs !== undefined ? c.totalRecoveryTimeMs : m.totalRecoveryTimeMs,
    closedEpisodesOpenMs: c.closedEpisodesOpenMs !== undefined ? c.closedEpisodesOpenMs : m.closedEpisodesOpenMs,
    awaySince: c.awaySince !== undefined ? c.awaySince : m.awaySince,
    lastFailureAt: c.lastFailureAt !== undefined ? c.lastFailureAt : m.lastFailureAt,
    lastRecoveryAt: c.lastRecoveryAt !== undefined ? c.lastRecoveryAt : m.lastRecoveryAt,
  };
}

/** Counts one reported outcome. Every outcome counts, whatever the state. */
export function countOutcome(m: RecoveryMetricsState, success: boolean, now: number): RecoveryMetricsState {
  // Runs for every outcome: one object, spelled out, with no patch object in between.
  return {
    totalCalls: m.totalCalls + 1,
    totalFailures: success ? m.totalFailures : m.totalFailures + 1,
    recoveryAttempts: m.recoveryAttempts,
    successfulRecoveries: m.successfulRecoveries,
    failedRecoveries: m.failedRecoveries,
    consecutiveFailedRecoveries: m.consecutiveFailedRecoveries,
    totalRecoveryTimeMs: m.totalRecoveryTimeMs,
    closedEpisodesOpenMs: m.closedEpisodesOpenMs,
    awaySince: m.awaySince,
    lastFailureAt: success ? m.lastFailureAt : now,
    lastRecoveryAt: m.lastRecoveryAt,
  };
}

/**
 * Counts `count` successes at once: exactly what `countOutcome(m, true, now)` done `count` times
 * gives, whatever the times, since a success touches nothing but the call count.
 */
export function countSuccesses(m: RecoveryMetricsState, count: number): RecoveryMetricsState {
  return count === 0 ? m : patchMetrics(m, { totalCalls: m.totalCalls + count });
}

/** Folds a step's events into the metrics. */
export function applyEvents(m: RecoveryMetricsState, events: readonly EngineEvent[]): RecoveryMetricsState {
  let next = m;
  for (const e of events) next = applyEvent(next, e);
  return next;
}

function applyEvent(m: RecoveryMetricsState, e: EngineEvent): RecoveryMetricsState {
  const next = trackAwayTime(m, e);
  switch (e.type) {
    case RecoveryEventType.RECOVERY_ATTEMPTED:
      return patchMetrics(next, { recoveryAttempts: next.recoveryAttempts + 1 });
    case RecoveryEventType.RECOVERY_FAILED:
      return patchMetrics(next, {
        failedRecoveries: next.failedRecoveries + 1,
        consecutiveFailedRecoveries: next.consecutiveFailedRecoveries + 1,
      });
    case RecoveryEventType.RECOVERY_SUCCEEDED:
      return patchMetrics(next, {
        successfulRecoveries: next.successfulRecoveries + 1,
        consecutiveFailedRecoveries: 0,
        totalRecoveryTimeMs: next.totalRecoveryTimeMs + Number(e.info.recoveryTimeMs ?? 0),
        lastRecoveryAt: e.at,
      });
    default:
      return next;
  }
}

function trackAwayTime(m: RecoveryMetricsState, e: EngineEvent): RecoveryMetricsState {
  if (e.toState === null) return m;
  const away = AWAY_STATES.has(e.toState);
  if (away && m.awaySince === null) return patchMetrics(m, { awaySince: e.at });
  if (!away && m.awaySince !== null) {
    return patchMetrics(m, { closedEpisodesOpenMs: m.closedEpisodesOpenMs + (e.at - m.awaySince), awaySince: null });
  }
  return m;
}

/** Total time away from CLOSED and DISABLED, the current episode counted up to `now`. */
export function circuitOpenDurationMs(m: RecoveryMetricsState, now: number): number {
  return m.closedEpisodesOpenMs + (m.awaySince === null ? 0 : Math.max(0, now - m.awaySince));
}

/** Mean time from the start of an outage to the close that ended it; 0 before the first recovery. */
export function averageRecoveryTimeMs(m: RecoveryMetricsState): number {
  return m.successfulRecoveries === 0 ? 0 : m.totalRecoveryTimeMs / m.successfulRecoveries;
}
