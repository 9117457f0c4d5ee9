import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

/** The sums of one step: its minutes' counts added up and their histograms merged, in SQL. */
export interface StepRow {
  /** Which step, counted from the first. */
  readonly index: number;
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly maxMs: number | null;
  /** The merged histogram, in its jsonb form; null when no call in the step had a duration. */
  readonly latency: Record<string, number> | null;
}

/** One breaker's calls and failures in one step. */
export interface ActivityRow {
  readonly breakerName: string;
  readonly index: number;
  readonly calls: number;
  readonly failures: number;
}

export interface ErrorRow {
  readonly message: string;
  readonly count: number;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
}

/**
 * Reads the statistics the write path keeps (see OutcomeStatsStore). Counts, slow calls and the max
 * are those committed; histograms and errors are those folded, up to FOLD_INTERVAL_MS behind.
 */
@Injectable()
export class StatsQueryStore {
  /** The breaker's id, or null when there is no such breaker. */
  async breakerId(manager: EntityManager, name: string): Promise<number | null> {
    const rows = await queryRows<{ id: number }>(manager, 'SELECT id FROM breakers WHERE name = $1', [name]);
    return rows.length === 0 ? null : rows[0].id;
  }

  /**
   * The steps of `stepMs` from `fromMs` (aligned) to `toMs` that have outcomes, each summed over its
   * minutes, in order. One range scan of the breaker's minute counts and one of its histograms
   * (`outcome_latency`), merged with jsonb_each.
   */
  async steps(
    manager: EntityManager,
    breakerId: number,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<StepRow[]> {
    const rows = await queryRows<{
      idx: string;
      calls: number;
      failures: number;
      slow_calls: number;
      max_ms: number | null;
      latency: Record<string, number> | null;
    }>(
      manager,
      `WITH counts AS (
         SELECT ((extract(epoch FROM bucket_start) * 1000)::bigint - $2::bigint) / $4::bigint AS idx,
                sum(calls)::float8 AS calls, sum(failures)::float8 AS failures,
                sum(slow_calls)::float8 AS slow_calls, max(max_ms) AS max_ms
         FROM outcome_buckets
         WHERE breaker_id = $1 AND bucket_start >= to_timestamp($2::float8 / 1000) AND bucket_start < to_timestamp($3::float8 / 1000)
         GROUP BY idx
       ), merged AS (
         SELECT idx, jsonb_object_agg(k, n) AS latency
         FROM (SELECT ((extract(epoch FROM l.bucket_start) * 1000)::bigint - $2::bigint) / $4::bigint AS idx,
                      e.key AS k, sum(e.value::bigint) AS n
               FROM outcome_latency l, jsonb_each_text(l.latency) AS e(key, value)
               WHERE l.breaker_id = $1 AND l.bucket_start >= to_timestamp($2::float8 / 1000)
                 AND l.bucket_start < to_timestamp($3::float8 / 1000)
               GROUP BY 1, e.key) AS per_bucket
         GROUP BY idx
       )
       SELECT c.idx, c.calls, c.failures, c.slow_calls, c.max_ms, l.latency
       FROM counts c LEFT JOIN merged l USING (idx)
       ORDER BY c.idx`,
      [breakerId, fromMs, toMs, stepMs],
    );
    return rows.map((r) => ({
      index: Number(r.idx),
      calls: r.calls,
      failures: r.failures,
      slowCalls: r.slow_calls,
      maxMs: r.max_ms,
      latency: r.latency,
    }));
  }

  /** The breaker's messages over the hours from `fromHourMs` on, summed across hours: the most frequent `limit`. */
  async errors(manager: EntityManager, breakerId: number, fromHourMs: number, limit: number): Promise<ErrorRow[]> {
    const rows = await queryRows<{ message: string; count: number; first_seen_at: Date; last_seen_at: Date }>(
      manager,
      `SELECT message, sum(count)::float8 AS count, min(first_seen_at) AS first_seen_at, max(last_seen_at) AS last_seen_at
       FROM outcome_errors
       WHERE breaker_id = $1 AND hour_start >= to_timestamp($2::float8 / 1000)
       GROUP BY message
       ORDER BY count DESC, last_seen_at DESC, message COLLATE "C"
       LIMIT $3`,
      [breakerId, fromHourMs, limit],
    );
    return rows.map((r) => ({
      message: r.message,
      count: r.count,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
    }));
  }

  /**
   * Every breaker's calls and failures per step of `stepMs` from `fromMs` (aligned) to `toMs`, for
   * the steps that had outcomes, by breaker name then step; only breakers whose names start with
   * `prefix` when it is set. One range scan of the minute counts (indexed by bucket_start).
   */
  async activity(
    manager: EntityManager,
    fromMs: number,
    toMs: number,
    stepMs: number,
    prefix: string | null,
  ): Promise<ActivityRow[]> {
    const rows = await queryRows<{ name: string; idx: string; calls: number; failures: number }>(
      manager,
      `SELECT b.name, ((extract(epoch FROM o.bucket_start) * 1000)::bigint - $1::bigint) / $3::bigint AS idx,
              sum(o.calls)::float8 AS calls, sum(o.failures)::float8 AS failures
       FROM outcome_buckets o JOIN breakers b ON b.id = o.breaker_id
       WHERE o.bucket_start >= to_timestamp($1::float8 / 1000) AND o.bucket_start < to_timestamp($2::float8 / 1000)
         AND ($4::text IS NULL OR left(b.name, length($4::text)) = $4::text)
       GROUP BY b.name, idx
       ORDER BY b.name COLLATE "C", idx`,
      [fromMs, toMs, stepMs, prefix],
    );
    return rows.map((r) => ({ breakerName: r.name, index: Number(r.idx), calls: r.calls, failures: r.failures }));
  }
}
