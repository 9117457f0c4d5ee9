import { BreakerConfig, BreakerRecord, BreakerState, Permit, TripPolicy, TripWindow } from './engine';

/** A persisted breaker: its identity, the engine record, and the row version it was read at. */
export interface StoredBreaker {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly record: BreakerRecord;
}

/** The config columns of a `breakers` row, as every query that reads a config selects them (`CONFIG_COLUMNS`). */
export interface ConfigRow {
  failure_threshold: number;
  open_timeout_ms: number;
  max_open_timeout_ms: number;
  half_open_max_calls: number;
  success_threshold: number;
  trip_on: TripPolicy;
  window_ms: number;
  window_buckets: number;
  minimum_calls: number;
  failure_rate_threshold: number;
  slow_call_duration_ms: number | null;
  slow_call_rate_threshold: number;
  permit_timeout_ms: number;
}

/** The select list of `ConfigRow`, for a `breakers` table aliased `alias`. */
export function configColumns(alias: string): string {
  return CONFIG_COLUMN_NAMES.map((c) => `${alias}.${c}`).join(', ');
}

const CONFIG_COLUMN_NAMES: readonly (keyof ConfigRow)[] = [
  'failure_threshold',
  'open_timeout_ms',
  'max_open_timeout_ms',
  'half_open_max_calls',
  'success_threshold',
  'trip_on',
  'window_ms',
  'window_buckets',
  'minimum_calls',
  'failure_rate_threshold',
  'slow_call_duration_ms',
  'slow_call_rate_threshold',
  'permit_timeout_ms',
];

/** Maps the config columns to the engine's config. */
export function toConfig(row: ConfigRow): BreakerConfig {
  return {
    failureThreshold: row.failure_threshold,
    openTimeoutMs: row.open_timeout_ms,
    maxOpenTimeoutMs: row.max_open_timeout_ms,
    halfOpenMaxCalls: row.half_open_max_calls,
    successThreshold: row.success_threshold,
    tripOn: row.trip_on,
    windowMs: row.window_ms,
    windowBuckets: row.window_buckets,
    minimumCalls: row.minimum_calls,
    failureRateThreshold: row.failure_rate_threshold,
    slowCallDurationMs: row.slow_call_duration_ms,
    slowCallRateThreshold: row.slow_call_rate_threshold,
    permitTimeoutMs: row.permit_timeout_ms,
  };
}

/**
 * A `breakers` row joined to its `recovery_metrics` row, as `BreakerStore` selects it: times as
 * epoch milliseconds and counters as float8, so that `pg` hands back plain numbers.
 */
export interface BreakerRow extends ConfigRow {
  id: number;
  name: string;
  version: number;
  state: BreakerState;
  consecutive_failures: number;
  half_open_successes: number;
  permits: Permit[];
  trip_window: TripWindow | null;
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
      config: toConfig(row),
      snapshot: {
        state: row.state,
        consecutiveFailures: row.consecutive_failures,
        halfOpenSuccesses: row.half_open_successes,
        permits: row.permits,
        window: row.trip_window,
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
