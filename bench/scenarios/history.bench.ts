import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/app-config';
import { EventPartitions, monthStart } from '../../src/maintenance/event-partitions';
import { RetentionJob } from '../../src/maintenance/retention.job';
import { RetentionStore } from '../../src/maintenance/retention.store';
import { createBenchDatabase } from '../lib/bench-db';
import { gql, startServer } from '../lib/server';
import { elapsedMs, median, quantile, round } from '../lib/stats';
import { openDirect } from './direct-db';
import { ensureEventMonths } from './report.bench';

export interface HistoryScale {
  breakers: number;
  events: number;
  /** Samples per query figure. */
  samples: number;
}

export const HISTORY_FULL: HistoryScale = { breakers: 10_000, events: 10_000_000, samples: 100 };
export const HISTORY_QUICK: HistoryScale = { breakers: 500, events: 100_000, samples: 15 };

const DAY_MS = 86_400_000;
const SPREAD_MS = 30 * DAY_MS;
/** The retention the server and the retention pass run with: the old month seeded below is past it. */
const EVENT_RETENTION_DAYS = 31;
const BUSY = 'hist-1';
const QUIET = 'hist-quiet';
/** The breaker whose events of three months ago the retention pass drops. */
const OLD = 'hist-3';

interface QueryFigures {
  report_p50_ms: number;
  report_p99_ms: number;
  report_full_p50_ms: number;
  events_page_busy_p50_ms: number;
  events_page_quiet_p50_ms: number;
  health_history_p50_ms: number;
  stats_24h_p50_ms: number;
}

/**
 * History at scale, on a database of its own: `breakers` breakers and `events` events seeded with
 * SQL over 30 days (recovery cycles, a busy breaker, and a quiet one with an event a day), a day of minute statistics for
 * every breaker, and snapshots. The query figures are taken at a tenth of the events on the way
 * up and at all of them, so that the two can be compared; then a full recompute, the database's
 * size per million events, and a retention pass that drops a month seeded past the retention.
 */
export async function historyScenario(
  scale: HistoryScale,
  log: (message: string) => void,
): Promise<Record<string, number>> {
  const db = await createBenchDatabase(process.env.DATABASE_URL);
  const env = { ...db.env, EVENT_RETENTION_DAYS: String(EVENT_RETENTION_DAYS), RETENTION_INTERVAL_MS: String(DAY_MS) };
  const now = Date.now();
  try {
    const first = Math.floor(scale.events / 10);
    const seedMs: number[] = [];
    await withDataSource(env, async (ds) => {
      const start = process.hrtime.bigint();
      await seedBreakers(ds, scale.breakers, now);
      await seedEvents(ds, scale, 1, first, now);
      await seedQuiet(ds, now);
      seedMs.push(elapsedMs(start));
    });
    log(`history: ${first} events seeded; measuring…`);
    const atOneTenth = await measure(env, scale.samples, false);

    await withDataSource(env, async (ds) => {
      const start = process.hrtime.bigint();
      await seedEvents(ds, scale, first + 1, scale.events, now);
      await seedOldMonth(ds, Math.max(1000, Math.floor(scale.events / 100)), now);
      seedMs.push(elapsedMs(start));
    });
    log(`history: ${scale.events} events seeded; measuring…`);
    const all = await measure(env, scale.samples, true);

    const sizes = await withDataSource(env, async (ds) => {
      const [row] = await ds.query(
        `SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('recovery_events'))::float8 AS bytes,
                (SELECT count(*) FROM recovery_events)::float8 AS events`,
      );
      const start = process.hrtime.bigint();
      const counts = await retentionPass(ds, env);
      return { bytes: row.bytes as number, events: row.events as number, retentionMs: elapsedMs(start), counts };
    });
    const q = all.figures;
    return {
      breakers: scale.breakers,
      events: scale.events,
      seed_s: round(seedMs.reduce((a, b) => a + b, 0) / 1000, 1),
      ...q,
      recompute_ms: round(all.recomputeMs, 1),
      retention_ms: round(sizes.retentionMs, 1),
      retention_event_months_dropped: sizes.counts?.eventMonths ?? -1,
      retention_events_deleted: sizes.counts?.events ?? -1,
      db_mb_per_million_events: round(sizes.bytes / 2 ** 20 / (sizes.events / 1e6), 1),
      events_at_1m: first,
      report_p50_ms_at_1m: atOneTenth.figures.report_p50_ms,
      report_full_p50_ms_at_1m: atOneTenth.figures.report_full_p50_ms,
      events_page_busy_p50_ms_at_1m: atOneTenth.figures.events_page_busy_p50_ms,
      events_page_quiet_p50_ms_at_1m: atOneTenth.figures.events_page_quiet_p50_ms,
      health_history_p50_ms_at_1m: atOneTenth.figures.health_history_p50_ms,
      stats_24h_p50_ms_at_1m: atOneTenth.figures.stats_24h_p50_ms,
      recompute_ms_at_1m: round(atOneTenth.recomputeMs, 1),
    };
  } finally {
    await db.drop();
  }
}

/** The database through the platform's own options, migrated (see openDirect), for seeding and for the retention pass. */
async function withDataSource<T>(env: Record<string, string>, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const direct = await openDirect(env, 1);
  try {
    return await work(direct.dataSource);
  } finally {
    await direct.close();
  }
}

async function seedBreakers(ds: DataSource, breakers: number, now: number): Promise<void> {
  await ds.query(
    `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms, half_open_max_calls,
                           success_threshold, current_open_timeout_ms, state_changed_at)
     SELECT 'hist-' || g, 'CLOSED', 5, 30000, 60000, 1, 1, 30000, $2::timestamptz - interval '1 hour'
     FROM generate_series(1, $1) g
     UNION ALL SELECT $3, 'CLOSED', 5, 30000, 60000, 1, 1, 30000, $2::timestamptz - interval '40 days'`,
    [breakers, new Date(now), QUIET],
  );
  // Recovery figures to grade, with their recovery times as histograms (20 to 80 s).
  await ds.query(
    `INSERT INTO recovery_metrics (breaker_id, total_calls, total_failures, recovery_attempts, successful_recoveries,
                                  failed_recoveries, consecutive_failed_recoveries, total_recovery_time_ms, recovery_histogram)
     SELECT id, 100000, 1000 + id % 500, 40, 30 + id % 8, 10 - id % 8, id % 4, (30 + id % 8) * 45000,
            jsonb_build_object('1300', 10 + id % 7, '1370', 12, '1420', 8 + id % 5)
     FROM breakers`,
  );
  // A day of statistics per breaker, one minute in ten, with latency histograms.
  await ds.query(
    `INSERT INTO outcome_buckets (breaker_id, bucket_start, calls, failures, slow_calls, max_ms)
     SELECT b.id, date_trunc('minute', $1::timestamptz) - m * interval '10 minutes', 120, b.id % 7, 0, 40
     FROM breakers b, generate_series(0, 143) m`,
    [new Date(now)],
  );
  await ds.query(
    `INSERT INTO outcome_latency (breaker_id, bucket_start, latency)
     SELECT b.id, date_trunc('minute', $1::timestamptz) - m * interval '10 minutes',
            jsonb_build_object('900', 60, '1000', 50, '1100', 10)
     FROM breakers b, generate_series(0, 143) m`,
    [new Date(now)],
  );
  // Ten snapshots per breaker over the month, and its current grade.
  await ds.query(
    `INSERT INTO health_snapshots (breaker_id, status, recovery_rate, average_downtime_ms, computed_at)
     SELECT b.id, CASE WHEN k % 3 = 0 THEN 'DEGRADED' ELSE 'HEALTHY' END, 0.8 + (k % 3) * 0.05, 45000,
            $1::timestamptz - k * interval '3 days'
     FROM breakers b, generate_series(0, 9) k`,
    [new Date(now)],
  );
  await ds.query(
    `INSERT INTO breaker_health (breaker_id, status, changed_at, recovery_rate, snapshot_at)
     SELECT id, 'HEALTHY', $1, 0.85, $1 FROM breakers`,
    [new Date(now)],
  );
}

/**
 * Events `from` to `to` (1-based) of the scale's total, in recovery cycles of five, spread evenly over
 * the 30 days before `now` (event 1 the oldest); one in twenty on the busy breaker. A million per
 * statement, into the monthly partitions of those days.
 */
async function seedEvents(ds: DataSource, scale: HistoryScale, from: number, to: number, now: number): Promise<void> {
  await ensureEventMonths((sql, params) => ds.query(sql, params), now - SPREAD_MS, now);
  const step = SPREAD_MS / scale.events;
  for (let start = from; start <= to; start += 1_000_000) {
    const end = Math.min(to, start + 999_999);
    await ds.query(
      `INSERT INTO recovery_events (breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info)
       SELECT CASE WHEN g % 20 = 0 THEN busy.id ELSE b.id END, t.type,
              $4::timestamptz - ($5 - g) * ($6 * interval '1 millisecond'), 1000, t.from_state, t.to_state,
              CASE WHEN t.type = 'RECOVERY_SUCCEEDED' THEN jsonb_build_object('recoveryTimeMs', 20000 + g % 60000)
                   ELSE '{}'::jsonb END
       FROM generate_series($1::bigint, $2::bigint) g
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM breakers WHERE name LIKE 'hist-%' AND name <> $7) b
         ON b.n = g % $3
       CROSS JOIN (SELECT id FROM breakers WHERE name = $8) busy
       JOIN (VALUES (0, 'CIRCUIT_OPENED', 'CLOSED', 'OPEN'), (1, 'CIRCUIT_HALF_OPENED', 'OPEN', 'HALF_OPEN'),
                    (2, 'RECOVERY_ATTEMPTED', NULL, NULL), (3, 'RECOVERY_SUCCEEDED', NULL, NULL),
                    (4, 'CIRCUIT_CLOSED', 'HALF_OPEN', 'CLOSED')) AS t(k, type, from_state, to_state)
         ON t.k = (g / $3) % 5`,
      [start, end, scale.breakers, new Date(now), scale.events, step, QUIET, BUSY],
    );
  }
  await ds.query('ANALYZE');
}

/** The quiet breaker's 30 events, one a day: its page reads a few rows from every month's partition. */
async function seedQuiet(ds: DataSource, now: number): Promise<void> {
  await ds.query(
    `INSERT INTO recovery_events (breaker_id, type, occurred_at, info)
     SELECT (SELECT id FROM breakers WHERE name = $1), 'CONFIG_CHANGED', $2::timestamptz - g * interval '1 day', '{}'
     FROM generate_series(0, 29) g`,
    [QUIET, new Date(now)],
  );
}

/** `count` events in the month three before now's, wholly past EVENT_RETENTION_DAYS: what the retention pass drops. */
async function seedOldMonth(ds: DataSource, count: number, now: number): Promise<void> {
  const month = monthStart(now, -3);
  await ensureEventMonths((sql, params) => ds.query(sql, params), month, month);
  await ds.query(
    `INSERT INTO recovery_events (breaker_id, type, occurred_at, info)
     SELECT (SELECT id FROM breakers WHERE name = $3), 'CONFIG_CHANGED', $1::timestamptz + g * interval '1 second', '{}'
     FROM generate_series(1, $2) g`,
    [new Date(month + DAY_MS), count, OLD],
  );
}

/** One retention pass of the job's own code, as the server's schedule runs it. */
async function retentionPass(ds: DataSource, env: Record<string, string>) {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const job = new RetentionJob(
    ds,
    new RetentionStore(),
    new EventPartitions(),
    new Clock(),
    config,
    new SchedulerRegistry(),
  );
  return job.run();
}

/** The query figures and the recompute (three runs when `thorough`, else one), against a server started on the database. */
async function measure(
  env: Record<string, string>,
  samples: number,
  thorough: boolean,
): Promise<{ figures: QueryFigures; recomputeMs: number }> {
  const server = await startServer({ ...env, HEALTH_RECOMPUTE_INTERVAL_MS: String(DAY_MS) });
  try {
    const recomputes: number[] = [];
    for (let i = 0; i < (thorough ? 3 : 1); i++) {
      const start = process.hrtime.bigint();
      await gql(server.url, `mutation { recomputeHealth { generatedAt } }`);
      recomputes.push(elapsedMs(start));
    }
    const since = new Date(Date.now() - DAY_MS).toISOString();
    const time = async (query: string, variables: Record<string, unknown> = {}) => {
      await gql(server.url, query, variables); // warm
      const ms: number[] = [];
      for (let i = 0; i < samples; i++) {
        const start = process.hrtime.bigint();
        await gql(server.url, query, variables);
        ms.push(elapsedMs(start));
      }
      return ms;
    };
    const report = await time(`{ recoveryReport { generatedAt overallSystemHealth
      statusCounts { healthy degraded unhealthy critical }
      services(first: 100) { name healthStatus recoveryRate lifetimeRecoveryRate averageDowntimeMs }
      recommendations(first: 100) { breakerName kind severity message suggestedConfig } } }`);
    const full = await time(`{ recoveryReport { overallSystemHealth services { name healthStatus recoveryRate } } }`);
    const page = `query($n: String) { breakerEvents(breakerName: $n, first: 50) { edges { cursor node { id type occurredAt info } } pageInfo { hasNextPage } } }`;
    const busy = await time(page, { n: BUSY });
    const quiet = await time(page, { n: QUIET });
    const history = await time(
      `query($n: String!, $s: DateTime) { healthHistory(breakerName: $n, since: $s) { status computedAt } }`,
      {
        n: 'hist-2',
        s: new Date(Date.now() - 30 * DAY_MS).toISOString(),
      },
    );
    const stats = await time(
      `query($n: String!, $s: DateTime) { breakerStats(breakerName: $n, since: $s, stepMs: 900000) { at calls failures p50Ms p99Ms } }`,
      { n: 'hist-2', s: since },
    );
    return {
      figures: {
        report_p50_ms: round(quantile(report, 0.5), 2),
        report_p99_ms: round(quantile(report, 0.99), 2),
        report_full_p50_ms: round(quantile(full, 0.5), 2),
        events_page_busy_p50_ms: round(quantile(busy, 0.5), 2),
        events_page_quiet_p50_ms: round(quantile(quiet, 0.5), 2),
        health_history_p50_ms: round(quantile(history, 0.5), 2),
        stats_24h_p50_ms: round(quantile(stats, 0.5), 2),
      },
      recomputeMs: median(recomputes),
    };
  } finally {
    await server.stop();
  }
}
