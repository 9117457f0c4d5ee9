import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BreakerState } from '../breakers/engine';
import { queryRows } from '../database/query-rows';
import { HealthStatus } from './health-status';
import { BreakerFacts } from './recommendations/recommendation';

/** A breaker's facts, plus what the job needs to store its grade. */
export interface GradedInput extends BreakerFacts {
  readonly id: number;
  readonly totalRecoveryTimeMs: number;
  /** Its grade at the previous run; null before its first. */
  readonly previousStatus: HealthStatus | null;
}

interface FactsRow {
  id: number;
  name: string;
  state: BreakerState;
  failure_threshold: number;
  open_timeout_ms: number;
  max_open_timeout_ms: number;
  half_open_max_calls: number;
  success_threshold: number;
  state_changed_at: Date;
  away_since: Date | null;
  successful_recoveries: number;
  failed_recoveries: number;
  consecutive_failed_recoveries: number;
  total_recovery_time_ms: number;
  p75_recovery_time_ms: number | null;
  openings_from_closed: number;
  left_closed: number;
  window_calls: number;
  window_failures: number;
  previous_status: HealthStatus | null;
}

/** Gathers the facts of every breaker in one statement: no round trip per breaker. */
@Injectable()
export class FactsStore {
  async loadAll(manager: EntityManager, now: number, windowMs: number): Promise<GradedInput[]> {
    const rows = await queryRows<FactsRow>(
      manager,
      `WITH recent AS (
         SELECT breaker_id,
                count(*) FILTER (WHERE type = 'CIRCUIT_OPENED' AND from_state = 'CLOSED')::int AS openings_from_closed,
                count(*) FILTER (WHERE from_state = 'CLOSED' AND to_state <> 'CLOSED')::int AS left_closed
         FROM recovery_events WHERE occurred_at > $1 GROUP BY breaker_id
       ), outcomes AS (
         SELECT breaker_id, sum(calls)::int AS calls, sum(failures)::int AS failures
         FROM outcome_buckets WHERE bucket_start > $1 - interval '1 minute' GROUP BY breaker_id
       ), recoveries AS (
         SELECT breaker_id,
                percentile_cont(0.75) WITHIN GROUP (ORDER BY (info ->> 'recoveryTimeMs')::float8) AS p75
         FROM recovery_events WHERE type = 'RECOVERY_SUCCEEDED' GROUP BY breaker_id
       )
       SELECT b.id, b.name, b.state, b.failure_threshold, b.open_timeout_ms, b.max_open_timeout_ms,
              b.half_open_max_calls, b.success_threshold, b.state_changed_at, m.away_since,
              m.successful_recoveries, m.failed_recoveries, m.consecutive_failed_recoveries, m.total_recovery_time_ms,
              r.p75 AS p75_recovery_time_ms,
              coalesce(e.openings_from_closed, 0) AS openings_from_closed, coalesce(e.left_closed, 0) AS left_closed,
              coalesce(o.calls, 0) AS window_calls, coalesce(o.failures, 0) AS window_failures,
              h.status AS previous_status
       FROM breakers b
       JOIN recovery_metrics m ON m.breaker_id = b.id
       LEFT JOIN recent e ON e.breaker_id = b.id
       LEFT JOIN outcomes o ON o.breaker_id = b.id
       LEFT JOIN recoveries r ON r.breaker_id = b.id
       LEFT JOIN breaker_health h ON h.breaker_id = b.id
       ORDER BY b.name`,
      [new Date(now - windowMs)],
    );
    return rows.map(toInput);
  }
}

function toInput(r: FactsRow): GradedInput {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    config: {
      failureThreshold: r.failure_threshold,
      openTimeoutMs: r.open_timeout_ms,
      maxOpenTimeoutMs: r.max_open_timeout_ms,
      halfOpenMaxCalls: r.half_open_max_calls,
      successThreshold: r.success_threshold,
    },
    stateChangedAt: r.state_changed_at.getTime(),
    awaySince: r.away_since === null ? null : r.away_since.getTime(),
    successfulRecoveries: r.successful_recoveries,
    failedRecoveries: r.failed_recoveries,
    consecutiveFailedRecoveries: r.consecutive_failed_recoveries,
    totalRecoveryTimeMs: r.total_recovery_time_ms,
    averageRecoveryTimeMs: r.successful_recoveries === 0 ? 0 : r.total_recovery_time_ms / r.successful_recoveries,
    p75RecoveryTimeMs: r.p75_recovery_time_ms === null ? null : Number(r.p75_recovery_time_ms),
    openingsFromClosed: r.openings_from_closed,
    leftClosed: r.left_closed,
    windowCalls: r.window_calls,
    windowFailures: r.window_failures,
    previousStatus: r.previous_status,
  };
}
