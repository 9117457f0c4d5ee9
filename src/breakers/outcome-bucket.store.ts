import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

export const BUCKET_MS = 60_000;

/** How many outcomes, and how many of them failures, one breaker got in one transaction. */
export interface OutcomeCount {
  readonly breakerId: number;
  readonly breakerName: string;
  calls: number;
  failures: number;
}

/** Per-breaker, per-minute outcome counts: what the windowed rules and charts read. No row per outcome. */
@Injectable()
export class OutcomeBucketStore {
  /** Adds the counts to each breaker's bucket for the minute of `at`, in one statement. */
  async add(manager: EntityManager, at: number, increments: readonly OutcomeCount[]): Promise<void> {
    if (increments.length === 0) return;
    await queryRows(
      manager,
      `INSERT INTO outcome_buckets AS o (breaker_id, bucket_start, calls, failures)
       SELECT breaker_id, $1, calls, failures FROM unnest($2::int[], $3::int[], $4::int[]) AS v(breaker_id, calls, failures)
       ON CONFLICT (breaker_id, bucket_start)
       DO UPDATE SET calls = o.calls + EXCLUDED.calls, failures = o.failures + EXCLUDED.failures`,
      [
        new Date(Math.floor(at / BUCKET_MS) * BUCKET_MS),
        increments.map((i) => i.breakerId),
        increments.map((i) => i.calls),
        increments.map((i) => i.failures),
      ],
    );
  }
}
