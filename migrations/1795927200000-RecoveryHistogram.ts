import { MigrationInterface, QueryRunner } from 'typeorm';
import { Histogram, record, toJson } from '../src/stats/latency-histogram';

/** Events read per statement while the histograms are built from the history. */
const PAGE = 10_000;

/**
 * Each breaker's recovery times as a histogram in recovery_metrics, kept up by the transaction
 * that records a recovery: the facts no longer sort every RECOVERY_SUCCEEDED ever recorded for
 * their percentile. Filled here from the recoveries recorded so far, a page of events at a time
 * (the bucketing is the latency histogram's, done in JavaScript, exactly as the write path does).
 */
export class RecoveryHistogram1795927200000 implements MigrationInterface {
  name = 'RecoveryHistogram1795927200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recovery_metrics ADD COLUMN recovery_histogram jsonb NOT NULL DEFAULT '{}'`);
    const histograms = new Map<number, Histogram>();
    let after = 0;
    for (;;) {
      const rows: { id: string; breaker_id: number; ms: number | null }[] = await q.query(
        `SELECT id, breaker_id, (info ->> 'recoveryTimeMs')::float8 AS ms FROM recovery_events
         WHERE type = 'RECOVERY_SUCCEEDED' AND id > $1 ORDER BY id LIMIT $2`,
        [after, PAGE],
      );
      for (const row of rows) {
        if (row.ms === null || !Number.isFinite(row.ms) || row.ms < 0) continue;
        let histogram = histograms.get(row.breaker_id);
        if (!histogram) histograms.set(row.breaker_id, (histogram = new Map()));
        record(histogram, row.ms);
      }
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1].id);
    }
    const ids = [...histograms.keys()].sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i += PAGE) {
      const page = ids.slice(i, i + PAGE);
      await q.query(
        `UPDATE recovery_metrics AS m SET recovery_histogram = d.h
         FROM unnest($1::int[], $2::jsonb[]) AS d(breaker_id, h) WHERE m.breaker_id = d.breaker_id`,
        [page, page.map((id) => JSON.stringify(toJson(histograms.get(id)!)))],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recovery_metrics DROP COLUMN recovery_histogram`);
  }
}
