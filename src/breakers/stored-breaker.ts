import { BreakerRecord, BreakerState } from './engine';

/** A persisted breaker: its identity, the engine record, and the row version it was read at. */
export interface StoredBreaker {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly record: BreakerRecord;
}

/**
 * A `breakers` row joined to its `recovery_metrics` row, as `BreakerStore` selects it: times as
 * epoch milliseconds and counters as float8, so that `pg` hands back plain numbers.
 */
export interface BreakerRow {
  id: number;
  name: string;
  version: number;
  state: BreakerState;
  failure_threshold: number;
  open_timeout_ms: number;
  max_open_timeout_ms: number;
  half_open_max_calls: number;
  success_threshold: number;
  consecutive_failures: number;
  half_open_successes: number;
  permit_expiries: number[];
  current_open_timeout_ms: number;
  open_until: number | null;
  outage_started_at: number | null;
  state_changed_at: number;
  last_event_at: number | null;
  total_calls: number;
  total_failures: number;
  recovery_attempts: number;
  successful_recoveries: number;
  failed_recoveries: number;
  consecutive_failed_recoveries: number;
  total_recovery_time_ms: number;
  closed_episodes_open_ms: number;
  away_since: number | null;
  last_failure_at: number | null;
  last_recovery_at: number | null;
}

/** Maps a selected row to the engine's plain data. */
export function toStoredBreaker(row: BreakerRow): StoredBreaker {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    record: {
      config: {
        failureThreshold: row.failure_threshold,
        openTimeoutMs: row.open_timeout_ms,
        maxOpenTimeoutMs: row.max_open_timeout_ms,
        halfOpenMaxCalls: row.half_open_max_calls,
        successThreshold: row.success_threshold,
      },
      snapshot: {
        state: row.state,
        consecutiveFailures: row.consecutive_failures,
        halfOpenSuccesses: row.half_open_successes,
        permitExpiries: row.permit_expiries,
        currentOpenTimeoutMs: row.current_open_timeout_ms,
        openUntil: row.open_until,
        outageStartedAt: row.outage_started_at,
        stateChangedAt: row.state_changed_at,
        lastEventAt: row.last_event_at,
      },
      metrics: {
        totalCalls: row.total_calls,
        totalFailures: row.total_failures,
        recoveryAttempts: row.recovery_attempts,
        successfulRecoveries: row.successful_recoveries,
        failedRecoveries: row.failed_recoveries,
        consecutiveFailedRecoveries: row.consecutive_failed_recoveries,
        totalRecoveryTimeMs: row.total_recovery_time_ms,
        closedEpisodesOpenMs: row.closed_episodes_open_ms,
        awaySince: row.away_since,
        lastFailureAt: row.last_failure_at,
        lastRecoveryAt: row.last_recovery_at,
      },
    },
  };
}
