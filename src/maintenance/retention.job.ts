import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { BATCH_ID_RETENTION_MS } from '../breakers/outcome-batch.store';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AdvisoryLock } from '../database/advisory-locks';
import { inTransaction } from '../database/transaction';
import { sqlState } from '../common/errors/database-errors';
import { EventPartitions } from './event-partitions';
import { RetentionStore, RetentionTarget } from './retention.store';

const DAY_MS = 86_400_000;
/**
 * How long the partition DDL may wait for recovery_events: it takes the table exclusively, and
 * event writers queue behind it while it waits. Past this it fails, and the next pass retries.
 */
const DDL_LOCK_TIMEOUT_MS = 500;
/** Postgres: the lock was not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
/** Batches of one table per pass, at most: a backlog is worked off over several passes. */
const MAX_BATCHES_PER_TABLE = 100;

const SNAPSHOTS: RetentionTarget = { name: 'snapshots', table: 'health_snapshots', column: 'computed_at' };
// Partitioned by month: whole months are dropped first, and the rest of the cutoff's month deleted by id.
const EVENTS: RetentionTarget = { name: 'events', table: 'recovery_events', column: 'occurred_at', key: 'id' };
const BUCKETS: RetentionTarget = { name: 'buckets', table: 'outcome_buckets', column: 'bucket_start' };
const LATENCY: RetentionTarget = { name: 'latency', table: 'outcome_latency', column: 'bucket_start' };
const ERRORS: RetentionTarget = { name: 'errors', table: 'outcome_errors', column: 'hour_start' };
const PARTS: RetentionTarget = { name: 'parts', table: 'outcome_stat_parts', column: 'committed_at' };
const BATCHES: RetentionTarget = { name: 'batches', table: 'outcome_batches', column: 'committed_at' };

export type RetentionCounts = Record<string, number>;

/**
 * Expires history past its retention, on its own schedule (RETENTION_INTERVAL_MS), apart from the
 * health recompute: if grading fails, retention goes on. Each batch is a transaction that first
 * tries the RETENTION advisory lock, so one instance at a time prunes, and an instance that finds
 * it taken leaves the pass to the other. Metrics are running totals and stay.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private running: Promise<RetentionCounts | null> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: RetentionStore,
    private readonly partitions: EventPartitions,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
  ) {}

  /**
   * Before the app serves: the months of events ahead exist, so that no insert lacks its partition.
   * A failure here (another instance's DDL holding the table past the lock timeout) is logged and
   * left to the next pass: three months ahead are already there unless the job stopped for months.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.ensurePartitions().catch((error: Error) =>
      this.logger.warn(`creating the months of events ahead failed, the next pass retries: ${error.message}`),
    );
    const timer = setInterval(() => void this.run(), this.config.retention.intervalMs);
    this.registry.addInterval(RetentionJob.name, timer);
  }

  /** Creates the missing months ahead, waiting for the lock: another instance may be doing the same. */
  private async ensurePartitions(): Promise<void> {
    const created = await inTransaction(this.dataSource, async (tx) => {
      await tx.manager.query('SELECT pg_advisory_xact_lock($1)', [AdvisoryLock.EVENT_PARTITIONS]);
      await tx.manager.query(`SET LOCAL lock_timeout = ${DDL_LOCK_TIMEOUT_MS}`);
      const now = this.clock.now();
      return this.partitions.ensureAhead(tx.manager, now, now - this.config.analytics.eventRetentionDays * DAY_MS);
    });
    if (created.length > 0) this.logger.log(`created event partitions ${created.join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', RetentionJob.name)) this.registry.deleteInterval(RetentionJob.name);
    await this.running;
  }

  /** One pass; a pass still going when the next is due is not doubled. Answers the rows deleted per table, or null when another instance held the lock. */
  run(): Promise<RetentionCounts | null> {
    this.running ??= this.pass()
      .catch((error: Error) => {
        this.logger.warn(`retention pass failed: ${error.message}`);
        return null;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<RetentionCounts | null> {
    const now = this.clock.now();
    const a = this.config.analytics;
    await this.ensurePartitions();
    const months = await this.dropMonths(new Date(now - a.eventRetentionDays * DAY_MS));
    if (months === null) return null;
    const plan: [RetentionTarget, Date][] = [
      [SNAPSHOTS, new Date(now - a.snapshotRetentionDays * DAY_MS)],
      [EVENTS, new Date(now - a.eventRetentionDays * DAY_MS)],
      // The minutes' histograms and the error counts are statistics like the minute buckets and go
      // with them, and so do statistics parts left unfolded (the fold normally takes them within seconds).
      [BUCKETS, new Date(now - a.bucketRetentionDays * DAY_MS)],
      [LATENCY, new Date(now - a.bucketRetentionDays * DAY_MS)],
      [ERRORS, new Date(now - a.bucketRetentionDays * DAY_MS)],
      [PARTS, new Date(now - a.bucketRetentionDays * DAY_MS)],
      // An hour past the promise: committed_at is when the batch's transaction began.
      [BATCHES, new Date(now - BATCH_ID_RETENTION_MS - 3_600_000)],
    ];
    const counts: RetentionCounts = { eventMonths: months };
    for (const [target, cutoff] of plan) {
      counts[target.name] = 0;
      for (let batch = 0; batch < MAX_BATCHES_PER_TABLE; batch++) {
        const deleted = await this.batch(target, cutoff);
        if (deleted === null) return null; // another instance is pruning
        counts[target.name] += deleted;
        if (deleted < this.config.retention.batchRows) break;
      }
    }
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (total > 0) {
      this.logger.log(
        `pruned ${Object.entries(counts)
          .map(([name, n]) => `${n} ${name}`)
          .join(', ')}`,
      );
    }
    return counts;
  }

  /**
   * Drops the months of events wholly past their retention, one transaction each; answers how many,
   * or null when another instance prunes.
   */
  private async dropMonths(cutoff: Date): Promise<number | null> {
    const expired = await this.partitions.expired(this.dataSource.manager, cutoff.getTime());
    let dropped = 0;
    for (const name of expired) {
      let done: boolean;
      try {
        done = await inTransaction(this.dataSource, async (tx) => {
          const [row] = await tx.manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
            AdvisoryLock.RETENTION,
          ]);
          if (row.locked !== true) return false;
          await tx.manager.query(`SET LOCAL lock_timeout = ${DDL_LOCK_TIMEOUT_MS}`);
          await this.partitions.drop(tx.manager, name);
          return true;
        });
      } catch (error) {
        if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
        // Busy readers or writers held the table: the month waits for the next pass, the rest goes on.
        this.logger.warn(
          `dropping event partition ${name} waited past ${DDL_LOCK_TIMEOUT_MS} ms; the next pass retries`,
        );
        break;
      }
      if (!done) return null;
      this.logger.log(`dropped event partition ${name}`);
      dropped++;
    }
    return dropped;
  }

  private batch(target: RetentionTarget, cutoff: Date): Promise<number | null> {
    return inTransaction(this.dataSource, async (tx) => {
      const [row] = await tx.manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [AdvisoryLock.RETENTION]);
      if (row.locked !== true) return null;
      return this.store.deleteBatch(tx.manager, target, cutoff, this.config.retention.batchRows);
    });
  }
}
