import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CteFragment } from '../database/cte-fragment';
import { numberArray } from '../database/pg-array';
import { queryRows } from '../database/query-rows';
import { toJson } from './latency-histogram';
import { MAX_MESSAGES_PER_HOUR, OutcomeStats } from './outcome-stats';
import { encodePart, PartSums, sumParts } from './stat-parts';

/** The most parts (one per transaction) one fold takes; the folder loops while it gets this many. */
export const FOLD_LIMIT = 500;

/**
 * Writes a transaction's outcome statistics, in that transaction and in one statement (the
 * write path's own, which saves the breakers: see `writes`): the
 * breaker-minutes' counts (calls, failures, slow calls, max) are added to `outcome_buckets`, and
 * their histograms and error counts are appended as one row of `outcome_stat_parts` (JSON text).
 * Merging a histogram into a busy minute costs 0.1 to 0.4 ms (a few hundred jsonb entries read,
 * rebuilt and rewritten), and every transaction touches that minute, which halved ingest; `fold`
 * does it instead for all the parts at once, every few seconds, set-based, into `outcome_latency`
 * (apart from the counts, so that ingest never waits for a fold). Nothing is stored per outcome.
 */
@Injectable()
export class OutcomeStatsStore {
  /**
   * The writes as CTEs, for the write path to run inside the statement that saves the breakers
   * (see BreakerStore.save); null when there are no outcomes.
   */
  writes(stats: OutcomeStats): CteFragment | null {
    if (stats.size === 0) return null;
    const minutes = stats.minutes();
    return {
      ctes: (n) => `counted AS (
         INSERT INTO outcome_buckets AS o (breaker_id, bucket_start, calls, failures, slow_calls, max_ms)
         SELECT breaker_id, to_timestamp(start_ms / 1000), calls, failures, slow_calls, max_ms
         FROM unnest($${n}::int[], $${n + 1}::float8[], $${n + 2}::int[], $${n + 3}::int[], $${n + 4}::int[], $${n + 5}::float8[])
           AS v(breaker_id, start_ms, calls, failures, slow_calls, max_ms)
         ON CONFLICT (breaker_id, bucket_start) DO UPDATE SET
           calls = o.calls + EXCLUDED.calls,
           failures = o.failures + EXCLUDED.failures,
           slow_calls = o.slow_calls + EXCLUDED.slow_calls,
           max_ms = greatest(o.max_ms, EXCLUDED.max_ms)
       ), parted AS (
         INSERT INTO outcome_stat_parts (data) SELECT $${n + 6}::text WHERE $${n + 6}::text IS NOT NULL
       )`,
      params: [
        numberArray(minutes.map((m) => m.breakerId)),
        numberArray(minutes.map((m) => m.minuteStart)),
        numberArray(minutes.map((m) => m.calls)),
        numberArray(minutes.map((m) => m.failures)),
        numberArray(minutes.map((m) => m.slowCalls)),
        numberArray(minutes.map((m) => m.maxMs)),
        encodePart(stats),
      ],
    };
  }

  /**
   * Folds up to `limit` committed parts, in the caller's transaction: takes them (a part is taken
   * by one fold only, so every instance may fold at once), adds them up in memory, merges each
   * breaker-minute's histogram into `outcome_latency` in SQL, and adds the error counts to
   * `outcome_errors`, trimming an hour that gained a message to its 20 most frequent. Ingest
   * writes neither table, so a fold never makes a batch wait. A minute pruned meanwhile, or a
   * deleted breaker, drops its part. Answers how many parts it took.
   */
  async fold(manager: EntityManager, limit = FOLD_LIMIT): Promise<number> {
    const taken = await queryRows<{ data: string }>(
      manager,
      `DELETE FROM outcome_stat_parts WHERE ctid = ANY (ARRAY(SELECT ctid FROM outcome_stat_parts LIMIT $1)) RETURNING data`,
      [limit],
    );
    if (taken.length === 0) return 0;
    const sums = sumParts(taken.map((t) => t.data));
    await this.addErrors(manager, sums.errors);
    await this.mergeLatency(manager, sums.latency);
    return taken.length;
  }

  /**
   * Merges histograms into their minutes' `outcome_latency` rows, set-based: each row's counts plus
   * the given ones, per bucket. Rows are locked in key order (the input's), so folds running side
   * by side cannot deadlock; ingest never writes these rows. A minute whose counts row is gone
   * (pruned) gets no histogram.
   */
  private async mergeLatency(manager: EntityManager, minutes: PartSums['latency']): Promise<void> {
    if (minutes.length === 0) return;
    await queryRows(
      manager,
      `INSERT INTO outcome_latency AS o (breaker_id, bucket_start, latency)
       SELECT g.breaker_id, g.bucket_start, g.latency
       FROM (SELECT breaker_id, to_timestamp(start_ms / 1000) AS bucket_start, latency::jsonb AS latency
             FROM unnest($1::int[], $2::float8[], $3::text[]) AS u(breaker_id, start_ms, latency)) AS g
       WHERE EXISTS (SELECT 1 FROM outcome_buckets b WHERE b.breaker_id = g.breaker_id AND b.bucket_start = g.bucket_start)
       ORDER BY g.breaker_id, g.bucket_start
       ON CONFLICT (breaker_id, bucket_start) DO UPDATE SET latency = o.latency || (
         SELECT jsonb_object_agg(e.key, e.value::bigint + coalesce((o.latency ->> e.key)::bigint, 0))
         FROM jsonb_each_text(EXCLUDED.latency) AS e)`,
      [
        minutes.map((m) => m.breakerId),
        minutes.map((m) => m.minuteStart),
        minutes.map((m) => JSON.stringify(toJson(m.histogram))),
      ],
    );
  }

  /** Adds error counts to their breaker-hours, then trims the hours that gained a message. */
  private async addErrors(manager: EntityManager, errors: PartSums['errors']): Promise<void> {
    if (errors.length === 0) return;
    // xmax is 0 on a row this statement inserted: only an hour that gained a message can hold more than 20.
    const grown = await queryRows<{ breaker_id: number; hour_ms: number }>(
      manager,
      `WITH upserted AS (
         INSERT INTO outcome_errors AS x (breaker_id, hour_start, message, count, first_seen_at, last_seen_at)
         SELECT breaker_id, to_timestamp(hour_ms / 1000), message, count, to_timestamp(first_ms / 1000), to_timestamp(last_ms / 1000)
         FROM unnest($1::int[], $2::float8[], $3::text[], $4::bigint[], $5::float8[], $6::float8[])
           AS v(breaker_id, hour_ms, message, count, first_ms, last_ms)
         WHERE EXISTS (SELECT 1 FROM breakers b WHERE b.id = v.breaker_id)
         ON CONFLICT (breaker_id, hour_start, message) DO UPDATE SET
           count = x.count + EXCLUDED.count,
           first_seen_at = least(x.first_seen_at, EXCLUDED.first_seen_at),
           last_seen_at = greatest(x.last_seen_at, EXCLUDED.last_seen_at)
         RETURNING breaker_id, hour_start, xmax = 0 AS inserted
       )
       SELECT DISTINCT breaker_id, extract(epoch FROM hour_start)::float8 * 1000 AS hour_ms FROM upserted WHERE inserted`,
      [
        errors.map((e) => e.breakerId),
        errors.map((e) => e.hourStart),
        errors.map((e) => e.message),
        errors.map((e) => e.count),
        errors.map((e) => e.firstSeenAt),
        errors.map((e) => e.lastSeenAt),
      ],
    );
    if (grown.length > 0)
      await this.trim(
        manager,
        grown.map((g) => [g.breaker_id, g.hour_ms]),
      );
  }

  /** Cuts each given breaker-hour to its MAX_MESSAGES_PER_HOUR most frequent messages. */
  private async trim(manager: EntityManager, hours: readonly [number, number][]): Promise<void> {
    await queryRows(
      manager,
      `DELETE FROM outcome_errors e
       USING (
         SELECT breaker_id, hour_start, message,
                row_number() OVER (PARTITION BY breaker_id, hour_start
                                   ORDER BY count DESC, last_seen_at DESC, message COLLATE "C") AS rank
         FROM outcome_errors
         WHERE (breaker_id, hour_start) IN (
           SELECT breaker_id, to_timestamp(hour_ms / 1000) FROM unnest($1::int[], $2::float8[]) AS h(breaker_id, hour_ms))
       ) AS ranked
       WHERE ranked.rank > $3
         AND e.breaker_id = ranked.breaker_id AND e.hour_start = ranked.hour_start AND e.message = ranked.message`,
      [hours.map((h) => h[0]), hours.map((h) => h[1]), MAX_MESSAGES_PER_HOUR],
    );
  }
}
