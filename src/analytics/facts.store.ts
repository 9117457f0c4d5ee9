import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BreakerState } from '../breakers/engine';
import { ConfigRow, configColumns, toConfig } from '../breakers/stored-breaker';
import { sqlState } from '../common/errors/database-errors';
import { queryRows } from '../database/query-rows';
import { bucketValue, fromJson, quantile } from '../stats/latency-histogram';
import { HealthStatus } from './health-status';
import { BreakerFacts, BUSY_MINUTE_CALLS } from './recommendations/recommendation';

/** A breaker's facts, plus what the job needs to store its grade. */
export interface GradedInput extends BreakerFacts {
  readonly id: number;
  readonly totalRecoveryTimeMs: number;
  /** Recoveries concluded within the health window. */
  readonly windowSuccessfulRecoveries: number;
  readonly windowFailedRecoveries: number;
  /** Its grade at the previous run; null before its first. */
  readonly previousStatus: HealthStatus | null;
}

interface FactsRow extends ConfigRow {
  id: number;
  name: string;
  state: BreakerState;
  state_changed_at: Date;
  away_since: Date | null;
  successful_recoveries: number;
  failed_recoveries: number;
  consecutive_failed_recoveries: number;
  total_recovery_time_ms: number;
  window_successful_recoveries: number;
  window_failed_recoveries: number;
  /** Every recovery's time, as a latency histogram (see RecoveryTimesStore). */
  recovery_histogram: Record<string, number>;
  openings_from_closed: number;
  left_closed: number;
  window_calls: number;
  window_failures: number;
  window_slow_calls: number;
  window_max_ms: number | null;
  active_minutes: number;
  median_minute_calls: number | null;
  median_minute_failure_ratio: number | null;
  max_minute_failure_ratio: number | null;
  previous_status: HealthStatus | null;
}

/** One breaker's merged latency over the window: the count, and the buckets its p50 and p99 fall in. */
interface LatencyRow {
  breaker_id: number;
  timed_calls: number;
  p50_index: number;
  p99_index: number;
}

/**
 * Gathers the facts of every breaker in two statements, whatever their number: no round trip per breaker.
 * The first reads the events, the metrics and the window's minute counts; the second the latency.
 */
@Injectable()
export class FactsStore {
  private readonly logger = new Logger(FactsStore.name);

  /** Runs inside the recompute's transaction (the latency statement sits in a savepoint of it). */
  async loadAll(manager: EntityManager, now: number, windowMs: number, healthWindowMs: number): Promise<GradedInput[]> {
    const since = new Date(now - windowMs);
    const rows = await queryRows<FactsRow>(manager, FACTS_SQL, [
      since,
      BUSY_MINUTE_CALLS,
      new Date(now - healthWindowMs),
    ]);
    const latency = await this.latency(manager, since);
    return rows.map((r) => toInput(r, latency.get(r.id) ?? null));
  }

  /**
   * The latency percentiles, computed in SQL, set-based: the window's histograms (jsonb
   * `{ "<bucket index>": count }`, see stats/latency-histogram.ts) are expanded with `jsonb_each_text`
   * and summed per (breaker, index); a running sum over the ordered indices finds the index of the
   * nearest-rank p50 and p99, exactly as `quantile()` does, and only those indices come back, to be
   * read as their bucket's value (`bucketValue`, capped at the window's max) in `toInput`.
   *
   * Its cost is one row per histogram entry of the window: at most (window minutes + 1) rows per
   * breaker with calls, each with one entry per distinct bucket (a few dozen for a busy breaker;
   * under a thousand for any durations up to an hour). That is the one part of the facts that grows
   * with latency spread: 10,000 breakers busy every minute with 30 buckets each (18 million entries)
   * take about 5 s on a 2-core Postgres, past the default 3 s statement timeout. So it runs in a
   * savepoint of its own: if Postgres cancels it, the run goes on without percentiles (SLOW_CALLS
   * then says nothing) rather than failing the grades and every other recommendation, and says so.
   */
  private async latency(manager: EntityManager, since: Date): Promise<Map<number, LatencyRow>> {
    await queryRows(manager, 'SAVEPOINT latency_facts');
    try {
      const rows = await queryRows<LatencyRow>(manager, LATENCY_SQL, [since]);
      await queryRows(manager, 'RELEASE SAVEPOINT latency_facts');
      return new Map(rows.map((r) => [r.breaker_id, r]));
    } catch (error) {
      if (sqlState(error) !== QUERY_CANCELED) throw error;
      await queryRows(manager, 'ROLLBACK TO SAVEPOINT latency_facts');
      this.logger.warn(
        'latency percentiles skipped: the statement was cancelled (statement timeout); SLOW_CALLS is silent this run',
      );
      return new Map();
    }
  }
}

/** Postgres cancelled the statement: its statement_timeout, or a cancel request. */
const QUERY_CANCELED = '57014';

/**
 * The window's minutes: `bucket_start > $1 - 1 minute` takes the minute the window starts in whole,
 * as the windowed rules always have.
 */
const IN_WINDOW = `bucket_start > $1::timestamptz - interval '1 minute'`;

const FACTS_SQL = `WITH recent AS (
    SELECT breaker_id,
           count(*) FILTER (WHERE type = 'CIRCUIT_OPENED' AND from_state = 'CLOSED')::int AS openings_from_closed,
           count(*) FILTER (WHERE from_state = 'CLOSED' AND to_state <> 'CLOSED')::int AS left_closed
    FROM recovery_events WHERE occurred_at > $1 GROUP BY breaker_id
  ), outcomes AS (
    SELECT breaker_id, sum(calls)::int AS calls, sum(failures)::int AS failures,
           sum(slow_calls)::int AS slow_calls, max(max_ms) AS max_ms, count(*)::int AS active_minutes,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY calls) AS median_minute_calls,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY failures::float8 / calls) AS median_minute_failure_ratio,
           max(failures::float8 / calls) FILTER (WHERE calls >= $2) AS max_minute_failure_ratio
    FROM outcome_buckets WHERE ${IN_WINDOW} AND calls > 0 GROUP BY breaker_id
  ), concluded AS (
    -- The recoveries concluded within the health window, from recovery_events_concluded_idx.
    SELECT breaker_id,
           count(*) FILTER (WHERE type = 'RECOVERY_SUCCEEDED')::int AS succeeded,
           count(*) FILTER (WHERE type = 'RECOVERY_FAILED')::int AS failed
    FROM recovery_events
    WHERE type IN ('RECOVERY_SUCCEEDED', 'RECOVERY_FAILED') AND occurred_at > $3
    GROUP BY breaker_id
  )
  SELECT b.id, b.name, b.state, ${configColumns('b')}, b.state_changed_at, m.away_since,
         m.successful_recoveries, m.failed_recoveries, m.consecutive_failed_recoveries, m.total_recovery_time_ms,
         coalesce(w.succeeded, 0) AS window_successful_recoveries, coalesce(w.failed, 0) AS window_failed_recoveries,
         m.recovery_histogram,
         coalesce(e.openings_from_closed, 0) AS openings_from_closed, coalesce(e.left_closed, 0) AS left_closed,
         coalesce(o.calls, 0) AS window_calls, coalesce(o.failures, 0) AS window_failures,
         coalesce(o.slow_calls, 0) AS window_slow_calls, o.max_ms AS window_max_ms,
         coalesce(o.active_minutes, 0) AS active_minutes, o.median_minute_calls,
         o.median_minute_failure_ratio, o.max_minute_failure_ratio,
         h.status AS previous_status
  FROM breakers b
  JOIN recovery_metrics m ON m.breaker_id = b.id
  LEFT JOIN recent e ON e.breaker_id = b.id
  LEFT JOIN outcomes o ON o.breaker_id = b.id
  LEFT JOIN concluded w ON w.breaker_id = b.id
  LEFT JOIN breaker_health h ON h.breaker_id = b.id
  -- Code-point order (names are ASCII), as report-page.ts compares names to page by them.
  ORDER BY b.name COLLATE "C"`;

const LATENCY_SQL = `WITH latency AS (
    SELECT l.breaker_id, h.key::int AS idx, sum(h.value::float8) AS n
    FROM outcome_latency l CROSS JOIN LATERAL jsonb_each_text(l.latency) AS h
    WHERE l.${IN_WINDOW}
    GROUP BY l.breaker_id, h.key::int
  ), running AS (
    SELECT breaker_id, idx,
           sum(n) OVER (PARTITION BY breaker_id ORDER BY idx) AS upto,
           sum(n) OVER (PARTITION BY breaker_id) AS total
    FROM latency
  )
  -- float8 arithmetic, as in JavaScript, so that the rank is quantile()'s: max(1, ceil(q × n)).
  SELECT breaker_id, max(total) AS timed_calls,
         min(idx) FILTER (WHERE upto >= greatest(1, ceil(0.5::float8 * total))) AS p50_index,
         min(idx) FILTER (WHERE upto >= greatest(1, ceil(0.99::float8 * total))) AS p99_index
  FROM running GROUP BY breaker_id`;

function toInput(r: FactsRow, latency: LatencyRow | null): GradedInput {
  const maxMs = nullableNumber(r.window_max_ms);
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    config: toConfig(r),
    stateChangedAt: r.state_changed_at.getTime(),
    awaySince: r.away_since === null ? null : r.away_since.getTime(),
    successfulRecoveries: r.successful_recoveries,
    failedRecoveries: r.failed_recoveries,
    consecutiveFailedRecoveries: r.consecutive_failed_recoveries,
    totalRecoveryTimeMs: r.total_recovery_time_ms,
    windowSuccessfulRecoveries: r.window_successful_recoveries,
    windowFailedRecoveries: r.window_failed_recoveries,
    averageRecoveryTimeMs: r.successful_recoveries === 0 ? 0 : r.total_recovery_time_ms / r.successful_recoveries,
    p75RecoveryTimeMs: quantile(fromJson(r.recovery_histogram), 0.75),
    openingsFromClosed: r.openings_from_closed,
    leftClosed: r.left_closed,
    windowCalls: r.window_calls,
    windowFailures: r.window_failures,
    windowSlowCalls: r.window_slow_calls,
    windowTimedCalls: latency === null ? 0 : Number(latency.timed_calls),
    p50Ms: latency === null ? null : percentileMs(latency.p50_index, maxMs),
    p99Ms: latency === null ? null : percentileMs(latency.p99_index, maxMs),
    windowMaxMs: maxMs,
    activeMinutes: r.active_minutes,
    medianMinuteCalls: nullableNumber(r.median_minute_calls),
    medianMinuteFailureRatio: nullableNumber(r.median_minute_failure_ratio),
    maxMinuteFailureRatio: nullableNumber(r.max_minute_failure_ratio),
    previousStatus: r.previous_status,
  };
}

/** The value of the bucket the percentile fell in, never above the true maximum: `quantile()`'s answer. */
function percentileMs(index: number, maxMs: number | null): number {
  const value = bucketValue(Number(index));
  return maxMs === null ? value : Math.min(value, maxMs);
}

function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
