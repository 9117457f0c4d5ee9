import { Injectable } from '@nestjs/common';
import { queryRows } from '../database/query-rows';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { BreakerEntity } from './breaker.entity';
import { BreakerRecord, BreakerState } from './engine';
import { StoredBreaker, toStoredBreaker } from './stored-breaker';

/**
 * SQL for `breakers` and `recovery_metrics`. Reads hydrate entities; writes are set-based
 * (one UPDATE per table for any number of breakers) and never use `save()`, which selects first.
 * Every method takes the caller's EntityManager: the services own the transactions.
 */
@Injectable()
export class BreakerStore {
  async findByName(manager: EntityManager, name: string): Promise<StoredBreaker | null> {
    const row = await this.select(manager).where('b.name = :name', { name }).getOne();
    return row ? toStoredBreaker(row) : null;
  }

  async findAll(manager: EntityManager, state?: BreakerState | null): Promise<StoredBreaker[]> {
    const query = this.select(manager).orderBy('b.name');
    if (state) query.where('b.state = :state', { state });
    return (await query.getMany()).map(toStoredBreaker);
  }

  /**
   * Row-locks the named breakers, in id order so that concurrent batches cannot deadlock, then reads them.
   * Two statements on purpose: under READ COMMITTED a locking SELECT that joins another table
   * re-reads only the locked rows after waiting, and would hand back stale metrics; the second
   * statement takes a fresh snapshot, after the lock, and sees every committed write.
   */
  async lockByNames(manager: EntityManager, names: readonly string[]): Promise<Map<string, StoredBreaker>> {
    const locked = await queryRows<{ id: number }>(
      manager,
      'SELECT id FROM breakers WHERE name = ANY($1) ORDER BY id FOR UPDATE',
      [names],
    );
    if (locked.length === 0) return new Map();
    const rows = await this.select(manager)
      .where('b.id = ANY(:ids)', { ids: locked.map((row) => row.id) })
      .getMany();
    return new Map(rows.map((row) => [row.name, toStoredBreaker(row)]));
  }

  /** OPEN breakers whose open period is over at `now`, oldest due first. Not locked: see `save`'s `onlyIfDueAt`. */
  async findDue(manager: EntityManager, now: number, limit: number): Promise<StoredBreaker[]> {
    const rows = await this.select(manager)
      .where('b.state = :open AND b.open_until <= :now', { open: BreakerState.OPEN, now: new Date(now) })
      .orderBy('b.open_until')
      .limit(limit)
      .getMany();
    return rows.map(toStoredBreaker);
  }

  /** Creates the breaker and its metrics row unless the name exists; answers whether it created it. */
  async insertIfAbsent(manager: EntityManager, name: string, record: BreakerRecord): Promise<boolean> {
    const { config: c, snapshot: s } = record;
    const inserted = await queryRows<{ id: number }>(
      manager,
      `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms,
         half_open_max_calls, success_threshold, current_open_timeout_ms, state_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
   * Answers the ids written; their metrics are written in the same statement's transaction.
   */
  async save(manager: EntityManager, breakers: readonly StoredBreaker[], onlyIfDueAt?: number): Promise<Set<number>> {
    if (breakers.length === 0) return new Set();
    const params = breakerColumns(breakers);
    let condition = 'b.version = v.version';
    if (onlyIfDueAt !== undefined) {
      params.push(new Date(onlyIfDueAt));
      condition += ` AND b.state = 'OPEN' AND b.open_until <= $${params.length}`;
    }
    const rows = await queryRows<{ id: number }>(
      manager,
      `UPDATE breakers AS b SET
         state = v.state, failure_threshold = v.failure_threshold, open_timeout_ms = v.open_timeout_ms,
         max_open_timeout_ms = v.max_open_timeout_ms, half_open_max_calls = v.half_open_max_calls,
         success_threshold = v.success_threshold, consecutive_failures = v.consecutive_failures,
         half_open_successes = v.half_open_successes, permit_expiries = v.permit_expiries::jsonb,
         current_open_timeout_ms = v.current_open_timeout_ms, open_until = v.open_until,
         outage_started_at = v.outage_started_at, state_changed_at = v.state_changed_at,
         last_event_at = v.last_event_at, version = b.version + 1, updated_at = now()
       FROM unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[],
                   $9::int[], $10::int[], $11::text[], $12::int[], $13::timestamptz[], $14::timestamptz[],
                   $15::timestamptz[], $16::timestamptz[])
         AS v(id, version, state, failure_threshold, open_timeout_ms, max_open_timeout_ms, half_open_max_calls,
              success_threshold, consecutive_failures, half_open_successes, permit_expiries,
              current_open_timeout_ms, open_until, outage_started_at, state_changed_at, last_event_at)
       WHERE b.id = v.id AND ${condition}
       RETURNING b.id`,
      params,
    );
    const written = new Set(rows.map((row) => row.id));
    await this.saveMetrics(
      manager,
      breakers.filter((b) => written.has(b.id)),
    );
    return written;
  }

  private async saveMetrics(manager: EntityManager, breakers: readonly StoredBreaker[]): Promise<void> {
    if (breakers.length === 0) return;
    const col = <T>(pick: (b: StoredBreaker) => T): T[] => breakers.map(pick);
    await queryRows(
      manager,
      `UPDATE recovery_metrics AS m SET
         total_calls = v.total_calls, total_failures = v.total_failures, recovery_attempts = v.recovery_attempts,
         successful_recoveries = v.successful_recoveries, failed_recoveries = v.failed_recoveries,
         consecutive_failed_recoveries = v.consecutive_failed_recoveries,
         total_recovery_time_ms = v.total_recovery_time_ms, closed_episodes_open_ms = v.closed_episodes_open_ms,
         away_since = v.away_since, last_failure_at = v.last_failure_at, last_recovery_at = v.last_recovery_at
       FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[],
                   $8::float8[], $9::float8[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[])
         AS v(breaker_id, total_calls, total_failures, recovery_attempts, successful_recoveries, failed_recoveries,
              consecutive_failed_recoveries, total_recovery_time_ms, closed_episodes_open_ms, away_since,
              last_failure_at, last_recovery_at)
       WHERE m.breaker_id = v.breaker_id`,
      [
        col((b) => b.id),
        col((b) => b.record.metrics.totalCalls),
        col((b) => b.record.metrics.totalFailures),
        col((b) => b.record.metrics.recoveryAttempts),
        col((b) => b.record.metrics.successfulRecoveries),
        col((b) => b.record.metrics.failedRecoveries),
        col((b) => b.record.metrics.consecutiveFailedRecoveries),
        col((b) => b.record.metrics.totalRecoveryTimeMs),
        col((b) => b.record.metrics.closedEpisodesOpenMs),
        col((b) => iso(b.record.metrics.awaySince)),
        col((b) => iso(b.record.metrics.lastFailureAt)),
        col((b) => iso(b.record.metrics.lastRecoveryAt)),
      ],
    );
  }

  private select(manager: EntityManager): SelectQueryBuilder<BreakerEntity> {
    return manager.getRepository(BreakerEntity).createQueryBuilder('b').innerJoinAndSelect('b.metrics', 'm');
  }
}

/** The `unnest` columns of `save`, in its order. */
function breakerColumns(breakers: readonly StoredBreaker[]): unknown[] {
  const col = <T>(pick: (b: StoredBreaker) => T): T[] => breakers.map(pick);
  return [
    col((b) => b.id),
    col((b) => b.version),
    col((b) => b.record.snapshot.state),
    col((b) => b.record.config.failureThreshold),
    col((b) => b.record.config.openTimeoutMs),
    col((b) => b.record.config.maxOpenTimeoutMs),
    col((b) => b.record.config.halfOpenMaxCalls),
    col((b) => b.record.config.successThreshold),
    col((b) => b.record.snapshot.consecutiveFailures),
    col((b) => b.record.snapshot.halfOpenSuccesses),
    col((b) => JSON.stringify(b.record.snapshot.permitExpiries)),
    col((b) => b.record.snapshot.currentOpenTimeoutMs),
    col((b) => iso(b.record.snapshot.openUntil)),
    col((b) => iso(b.record.snapshot.outageStartedAt)),
    col((b) => iso(b.record.snapshot.stateChangedAt)),
    col((b) => iso(b.record.snapshot.lastEventAt)),
  ];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
