import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CteFragment } from '../database/cte-fragment';
import { numberArray } from '../database/pg-array';
import { queryRows } from '../database/query-rows';
import { BreakerRecord, BreakerState, RecoveryMetricsState } from './engine';
import { BreakerRow, configColumns, StoredBreaker, toStoredBreaker } from './stored-breaker';

/** A timestamptz column as epoch milliseconds (float8, exact for the millisecond times written here). */
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;
/**
 * Epoch milliseconds as a timestamptz: Postgres rounds the seconds to whole microseconds, so a
 * millisecond time is stored exactly. Times are sent as numbers, not ISO texts: formatting 700 of
 * them per batch was a measurable part of the write path.
 */
const fromEpochMs = (column: string) => `to_timestamp(${column} / 1000)`;

/** What every read selects: a breaker joined to its metrics, shaped as a `BreakerRow`. */
const SELECT_BREAKERS = `
  SELECT b.id, b.name, b.version::float8 AS version, b.state, ${configColumns('b')},
         b.consecutive_failures, b.half_open_successes, b.permits, b.trip_window, b.current_open_timeout_ms,
         ${epochMs('b.open_until')} AS open_until, ${epochMs('b.outage_started_at')} AS outage_started_at,
         ${epochMs('b.state_changed_at')} AS state_changed_at, ${epochMs('b.last_event_at')} AS last_event_at,
         m.total_calls::float8 AS total_calls, m.total_failures::float8 AS total_failures,
         m.recovery_attempts, m.successful_recoveries, m.failed_recoveries, m.consecutive_failed_recoveries,
         m.total_recovery_time_ms, m.closed_episodes_open_ms,
         ${epochMs('m.away_since')} AS away_since, ${epochMs('m.last_failure_at')} AS last_failure_at,
         ${epochMs('m.last_recovery_at')} AS last_recovery_at
  FROM breakers b JOIN recovery_metrics m ON m.breaker_id = b.id`;

/**
 * SQL for `breakers` and `recovery_metrics`, in plain SQL: reads select `BreakerRow`s (no entity
 * hydration, which cost more than the rest of a batch's bookkeeping), and writes are set-based
 * (one UPDATE per table for any number of breakers).
 * Every method takes the caller's EntityManager: the services own the transactions.
 */
@Injectable()
export class BreakerStore {
  async findByName(manager: EntityManager, name: string): Promise<StoredBreaker | null> {
    const rows = await queryRows<BreakerRow>(manager, `${SELECT_BREAKERS} WHERE b.name = $1`, [name]);
    return rows.length > 0 ? toStoredBreaker(rows[0]) : null;
  }

  async findAll(manager: EntityManager, state?: BreakerState | null): Promise<StoredBreaker[]> {
    const rows = state
      ? await queryRows<BreakerRow>(manager, `${SELECT_BREAKERS} WHERE b.state = $1 ORDER BY b.name`, [state])
      : await queryRows<BreakerRow>(manager, `${SELECT_BREAKERS} ORDER BY b.name`);
    return rows.map(toStoredBreaker);
  }

  /**
   * Row-locks the named breakers and their metrics, in id order so that concurrent batches cannot
   * deadlock, and reads them in the same statement. NO KEY UPDATE, as no write changes an id: it
   * does not block the foreign-key checks of inserts that reference a breaker (events, snapshots). Both tables are locked on purpose: under
   * READ COMMITTED, a statement that waited for a lock re-reads the newest version of every row
   * it locks, but only of those; locking the breaker alone would hand back stale metrics.
   */
  async lockByNames(manager: EntityManager, names: readonly string[]): Promise<Map<string, StoredBreaker>> {
    const rows = await queryRows<BreakerRow>(
      manager,
      `${SELECT_BREAKERS} WHERE b.name = ANY($1) ORDER BY b.id FOR NO KEY UPDATE OF b, m`,
      [names],
    );
    const locked = new Map<string, StoredBreaker>();
    for (const row of rows) locked.set(row.name, toStoredBreaker(row));
    return locked;
  }

  /**
   * Locks and reads up to `limit` OPEN breakers whose open period is over at `now`, in id order
   * like every statement that locks several breakers, so the sweep cannot deadlock with a batch.
   * Rows another transaction holds are skipped, not waited for: the next sweep gets them.
   */
  async lockDue(manager: EntityManager, now: number, limit: number): Promise<StoredBreaker[]> {
    const rows = await queryRows<BreakerRow>(
      manager,
      `${SELECT_BREAKERS} WHERE b.state = $1 AND b.open_until <= $2 ORDER BY b.id LIMIT $3
       FOR NO KEY UPDATE OF b, m SKIP LOCKED`,
      [BreakerState.OPEN, new Date(now), limit],
    );
    return rows.map(toStoredBreaker);
  }

  async count(manager: EntityManager): Promise<number> {
    const [row] = await queryRows<{ n: number }>(manager, 'SELECT count(*)::int AS n FROM breakers');
    return row.n;
  }

  /** Creates the breaker and its metrics row unless the name exists; answers whether it created it. */
  async insertIfAbsent(manager: EntityManager, name: string, record: BreakerRecord): Promise<boolean> {
    const { config: c, snapshot: s } = record;
    const inserted = await queryRows<{ id: number }>(
      manager,
      `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms,
         half_open_max_calls, success_threshold, trip_on, window_ms, window_buckets, minimum_calls,
         failure_rate_threshold, slow_call_duration_ms, slow_call_rate_threshold, permit_timeout_ms,
         current_open_timeout_ms, state_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (name) DO NOTHING
       RETURNING id`,
      [
        name,
        s.state,
        c.failureThreshold,
        c.openTimeoutMs,
        c.maxOpenTimeoutMs,
        c.halfOpenMaxCalls,
        c.successThreshold,
        c.tripOn,
        c.windowMs,
        c.windowBuckets,
        c.minimumCalls,
        c.failureRateThreshold,
        c.slowCallDurationMs,
        c.slowCallRateThreshold,
        c.permitTimeoutMs,
        s.currentOpenTimeoutMs,
        iso(s.stateChangedAt),
      ],
    );
    if (inserted.length === 0) return false;
    await queryRows(manager, 'INSERT INTO recovery_metrics (breaker_id) VALUES ($1)', [inserted[0].id]);
    return true;
  }

  /**
   * Writes the breakers' new records, each only if its row is still at the version it was read at.
   * With `onlyIfDueAt`, also only if it is still OPEN and due then: the conditional UPDATE that makes
   * the automatic half-open happen once however many instances attempt it.
   * One statement for both tables: the metrics of exactly the breakers written are updated in a
   * data-modifying CTE. With `alsoWrite`, its CTEs run in the same statement (the write path's
   * outcome statistics: one round trip fewer); they do not depend on which rows were written, and
   * run alone when there is no breaker to write.
   * Answers the ids written.
   */
  async save(
    manager: EntityManager,
    breakers: readonly StoredBreaker[],
    { onlyIfDueAt, alsoWrite }: { onlyIfDueAt?: number; alsoWrite?: CteFragment | null } = {},
  ): Promise<Set<number>> {
    if (breakers.length === 0) {
      if (alsoWrite) await queryRows(manager, `WITH ${alsoWrite.ctes(1)} SELECT 1`, alsoWrite.params);
      return new Set();
    }
    const params = [...breakerColumns(breakers), ...metricsColumns(breakers)];
    let condition = 'b.version = v.version';
    if (onlyIfDueAt !== undefined) {
      params.push(new Date(onlyIfDueAt));
      condition += ` AND b.state = 'OPEN' AND b.open_until <= $${params.length}`;
    }
    let also = '';
    if (alsoWrite) {
      also = `, ${alsoWrite.ctes(params.length + 1)}`;
      params.push(...alsoWrite.params);
    }
    const rows = await queryRows<{ id: number }>(
      manager,
      `WITH saved AS (
         UPDATE breakers AS b SET
           state = v.state, failure_threshold = v.failure_threshold, open_timeout_ms = v.open_timeout_ms,
           max_open_timeout_ms = v.max_open_timeout_ms, half_open_max_calls = v.half_open_max_calls,
           success_threshold = v.success_threshold, trip_on = v.trip_on, window_ms = v.window_ms,
           window_buckets = v.window_buckets, minimum_calls = v.minimum_calls,
           failure_rate_threshold = v.failure_rate_threshold, slow_call_duration_ms = v.slow_call_duration_ms,
           slow_call_rate_threshold = v.slow_call_rate_threshold, permit_timeout_ms = v.permit_timeout_ms,
           consecutive_failures = v.consecutive_failures, half_open_successes = v.half_open_successes,
           permits = v.permits::jsonb, trip_window = v.trip_window::jsonb,
           current_open_timeout_ms = v.current_open_timeout_ms, open_until = ${fromEpochMs('v.open_until')},
           outage_started_at = ${fromEpochMs('v.outage_started_at')}, state_changed_at = ${fromEpochMs('v.state_changed_at')},
           last_event_at = ${fromEpochMs('v.last_event_at')}, version = b.version + 1, updated_at = now()
         FROM unnest($1::int[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[],
                     $9::text[], $10::int[], $11::int[], $12::int[], $13::float8[], $14::float8[], $15::float8[],
                     $16::int[], $17::int[], $18::int[], $19::text[], $20::text[], $21::int[], $22::float8[],
                     $23::float8[], $24::float8[], $25::float8[])
           AS v(id, version, state, failure_threshold, open_timeout_ms, max_open_timeout_ms, half_open_max_calls,
                success_threshold, trip_on, window_ms, window_buckets, minimum_calls, failure_rate_threshold,
                slow_call_duration_ms, slow_call_rate_threshold, permit_timeout_ms,
                consecutive_failures, half_open_successes, permits, trip_window,
                current_open_timeout_ms, open_until, outage_started_at, state_changed_at, last_event_at)
         WHERE b.id = v.id AND ${condition}
         RETURNING b.id
       ), saved_metrics AS (
         UPDATE recovery_metrics AS m SET
           total_calls = v.total_calls, total_failures = v.total_failures, recovery_attempts = v.recovery_attempts,
           successful_recoveries = v.successful_recoveries, failed_recoveries = v.failed_recoveries,
           consecutive_failed_recoveries = v.consecutive_failed_recoveries,
           total_recovery_time_ms = v.total_recovery_time_ms, closed_episodes_open_ms = v.closed_episodes_open_ms,
           away_since = ${fromEpochMs('v.away_since')}, last_failure_at = ${fromEpochMs('v.last_failure_at')},
           last_recovery_at = ${fromEpochMs('v.last_recovery_at')}
         FROM unnest($26::int[], $27::bigint[], $28::bigint[], $29::int[], $30::int[], $31::int[], $32::int[],
                     $33::float8[], $34::float8[], $35::float8[], $36::float8[], $37::float8[])
           AS v(breaker_id, total_calls, total_failures, recovery_attempts, successful_recoveries, failed_recoveries,
                consecutive_failed_recoveries, total_recovery_time_ms, closed_episodes_open_ms, away_since,
                last_failure_at, last_recovery_at)
         WHERE m.breaker_id = v.breaker_id AND m.breaker_id IN (SELECT id FROM saved)
       )${also}
       SELECT id FROM saved`,
      params,
    );
    return new Set(rows.map((row) => row.id));
  }
}

/** The `unnest` columns of `save`, in its order: numbers, and times as epoch ms, as array literals (see pg-array). */
function breakerColumns(breakers: readonly StoredBreaker[]): unknown[] {
  const col = <T>(pick: (b: StoredBreaker) => T): T[] => breakers.map(pick);
  const num = (pick: (b: StoredBreaker) => number | null) => numberArray(breakers.map(pick));
  return [
    num((b) => b.id),
    num((b) => b.version),
    col((b) => b.record.snapshot.state),
    num((b) => b.record.config.failureThreshold),
    num((b) => b.record.config.openTimeoutMs),
    num((b) => b.record.config.maxOpenTimeoutMs),
    num((b) => b.record.config.halfOpenMaxCalls),
    num((b) => b.record.config.successThreshold),
    col((b) => b.record.config.tripOn),
    num((b) => b.record.config.windowMs),
    num((b) => b.record.config.windowBuckets),
    num((b) => b.record.config.minimumCalls),
    num((b) => b.record.config.failureRateThreshold),
    num((b) => b.record.config.slowCallDurationMs),
    num((b) => b.record.config.slowCallRateThreshold),
    num((b) => b.record.config.permitTimeoutMs),
    num((b) => b.record.snapshot.consecutiveFailures),
    num((b) => b.record.snapshot.halfOpenSuccesses),
    col((b) => JSON.stringify(b.record.snapshot.permits)),
    col((b) => (b.record.snapshot.window === null ? null : JSON.stringify(b.record.snapshot.window))),
    num((b) => b.record.snapshot.currentOpenTimeoutMs),
    num((b) => b.record.snapshot.openUntil),
    num((b) => b.record.snapshot.outageStartedAt),
    num((b) => b.record.snapshot.stateChangedAt),
    num((b) => b.record.snapshot.lastEventAt),
  ];
}

/** The `unnest` columns of `save`'s metrics part, in its order. */
function metricsColumns(breakers: readonly StoredBreaker[]): unknown[] {
  const num = (pick: (m: RecoveryMetricsState) => number | null) =>
    numberArray(breakers.map((b) => pick(b.record.metrics)));
  return [
    numberArray(breakers.map((b) => b.id)),
    num((m) => m.totalCalls),
    num((m) => m.totalFailures),
    num((m) => m.recoveryAttempts),
    num((m) => m.successfulRecoveries),
    num((m) => m.failedRecoveries),
    num((m) => m.consecutiveFailedRecoveries),
    num((m) => m.totalRecoveryTimeMs),
    num((m) => m.closedEpisodesOpenMs),
    num((m) => m.awaySince),
    num((m) => m.lastFailureAt),
    num((m) => m.lastRecoveryAt),
  ];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
