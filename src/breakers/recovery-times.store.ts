import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { NewEvent } from '../events/event.store';
import { Histogram, record, toJson } from '../stats/latency-histogram';
import { RecoveryEventType } from './engine';

/**
 * Keeps each breaker's recovery times as a histogram in `recovery_metrics.recovery_histogram`
 * (the latency histogram's form), updated in the transaction that records the recoveries, so that
 * their percentiles are read from one row per breaker rather than from every recovery ever
 * recorded. Only the breakers that recovered in the transaction are touched, in id order.
 */
@Injectable()
export class RecoveryTimesStore {
  async record(manager: EntityManager, events: readonly NewEvent[]): Promise<void> {
    const deltas = new Map<number, Histogram>();
    for (const { breakerId, event } of events) {
      if (event.type !== RecoveryEventType.RECOVERY_SUCCEEDED) continue;
      const ms = Number(event.info.recoveryTimeMs);
      if (!Number.isFinite(ms) || ms < 0) continue;
      let histogram = deltas.get(breakerId);
      if (!histogram) deltas.set(breakerId, (histogram = new Map()));
      record(histogram, ms);
    }
    if (deltas.size === 0) return;
    const ids = [...deltas.keys()].sort((a, b) => a - b);
    await queryRows(
      manager,
      `UPDATE recovery_metrics AS m SET recovery_histogram = (
         SELECT coalesce(jsonb_object_agg(e.key, e.n), '{}'::jsonb)
         FROM (SELECT key, sum(value::bigint) AS n
               FROM (SELECT * FROM jsonb_each_text(m.recovery_histogram)
                     UNION ALL SELECT * FROM jsonb_each_text(d.delta)) AS both_sides
               GROUP BY key) AS e)
       FROM unnest($1::int[], $2::jsonb[]) AS d(breaker_id, delta)
       WHERE m.breaker_id = d.breaker_id`,
      [ids, ids.map((id) => JSON.stringify(toJson(deltas.get(id)!)))],
    );
  }
}
