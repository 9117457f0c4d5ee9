import { createPartitionSql, monthStart, partitionName } from '../../src/maintenance/event-partitions';
import { Sql } from './direct-db';
import { gql } from '../lib/server';
import { elapsedMs, quantile, round } from '../lib/stats';

export interface ReportResult {
  breakers: number;
  events: number;
  p50_ms: number;
  p99_ms: number;
  raw_sql_p50_ms: number;
  events_page_p50_ms: number;
  events_page_p99_ms: number;
  raw_events_page_p50_ms: number;
  /** The same page for one breaker: one with its share of the history, and one with none. */
  events_page_busy_p50_ms: number;
  events_page_quiet_p50_ms: number;
  events_page_quiet_p99_ms: number;
  recompute_ms: number;
  seed_ms: number;
}

/** Seeded beside the `svc-*` breakers, with no events. */
const QUIET_BREAKER = 'quiet-breaker';
/** One of the `svc-*` breakers, with 1/`breakers` of the history. */
const BUSY_BREAKER = 'svc-1';

/** Seeds `breakers` breakers and `events` events with set-based SQL (not through the API). */
export async function seedHistory(query: Sql, breakers: number, events: number): Promise<number> {
  const start = process.hrtime.bigint();
  await query(
    `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms, half_open_max_calls,
                           success_threshold, current_open_timeout_ms, open_until, state_changed_at)
     SELECT 'svc-' || g, CASE WHEN g % 10 = 0 THEN 'OPEN' ELSE 'CLOSED' END, 5, 30000, 60000, 1, 1, 30000,
            CASE WHEN g % 10 = 0 THEN now() + interval '1 day' END, now() - interval '1 hour'
     FROM generate_series(1, $1) g`,
    [breakers],
  );
  await query(
    `INSERT INTO recovery_metrics (breaker_id, total_calls, total_failures, recovery_attempts, successful_recoveries,
                                  failed_recoveries, consecutive_failed_recoveries, total_recovery_time_ms)
     SELECT id, 10000, 1000 + id % 500, 12, 8 + id % 4, 4 - id % 4, id % 4, (8 + id % 4) * (20000 + id * 37 % 70000)
     FROM breakers WHERE name LIKE 'svc-%'`,
  );
  // A cycle of five events per recovery, spread over the last 30 days: in monthly partitions the
  // app, which only ever writes events of now, has not made.
  await ensureEventMonths(query, Date.now() - events * 2500, Date.now());
  await query(
    `INSERT INTO recovery_events (breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info)
     SELECT b.id, t.type, now() - ($2 - g) * interval '2.5 seconds', 1000, t.from_state, t.to_state,
            CASE WHEN t.type = 'RECOVERY_SUCCEEDED' THEN jsonb_build_object('recoveryTimeMs', 20000 + g % 60000)
                 ELSE '{}'::jsonb END
     FROM generate_series(1, $2) g
     JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM breakers WHERE name LIKE 'svc-%') b ON b.n = g % $1
     JOIN (VALUES (0, 'CIRCUIT_OPENED', 'CLOSED', 'OPEN'), (1, 'CIRCUIT_HALF_OPENED', 'OPEN', 'HALF_OPEN'),
                  (2, 'RECOVERY_ATTEMPTED', NULL, NULL), (3, 'RECOVERY_SUCCEEDED', NULL, NULL),
                  (4, 'CIRCUIT_CLOSED', 'HALF_OPEN', 'CLOSED')) AS t(k, type, from_state, to_state)
       ON t.k = (g / $1) % 5`,
    [breakers, events],
  );
  // A breaker with no history: a filter by breaker that walks the table instead of its index shows here.
  await query(
    `WITH b AS (
       INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms, half_open_max_calls,
                             success_threshold, current_open_timeout_ms, state_changed_at)
       VALUES ($1, 'CLOSED', 5, 30000, 60000, 1, 1, 30000, now()) RETURNING id)
     INSERT INTO recovery_metrics (breaker_id) SELECT id FROM b`,
    [QUIET_BREAKER],
  );
  await query('ANALYZE');
  return elapsedMs(start);
}

/** The minimal raw SQL for the same answers: the grading inputs of every breaker, and one page of events. */
export async function rawReportBaselines(query: Sql, samples: number): Promise<{ report: number; page: number }> {
  const time = async (sql: string) => {
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const start = process.hrtime.bigint();
      await query(sql);
      ms.push(elapsedMs(start));
    }
    return quantile(ms, 0.5);
  };
  const report = await time(
    `SELECT b.name, b.state, m.successful_recoveries, m.failed_recoveries, m.total_recovery_time_ms
     FROM breakers b JOIN recovery_metrics m ON m.breaker_id = b.id ORDER BY b.name`,
  );
  const page = await time(
    `SELECT e.*, b.name FROM recovery_events e JOIN breakers b ON b.id = e.breaker_id ORDER BY e.id DESC LIMIT 51`,
  );
  return { report, page };
}

/** recoveryReport and a breakerEvents page over HTTP, and one full recompute by the job's code. */
export async function reportScenario(
  url: string,
  seeded: { breakers: number; events: number; seedMs: number },
  raw: { report: number; page: number },
  samples: number,
): Promise<ReportResult> {
  let start = process.hrtime.bigint();
  await gql(url, 'mutation { recomputeHealth { generatedAt } }');
  const recomputeMs = elapsedMs(start);

  const time = async (query: string) => {
    const ms: number[] = [];
    await gql(url, query);
    for (let i = 0; i < samples; i++) {
      start = process.hrtime.bigint();
      await gql(url, query);
      ms.push(elapsedMs(start));
    }
    return ms;
  };
  const report = await time(
    `{ recoveryReport { overallSystemHealth generatedAt services { name healthStatus recoveryRate averageDowntimeMs }
       recommendations { breakerName kind severity message suggestedConfig evidence } } }`,
  );
  const eventsPage = (args: string) =>
    time(
      `{ breakerEvents(${args}first: 50) { edges { cursor node { id breakerName type occurredAt info } } pageInfo { hasNextPage endCursor } } }`,
    );
  const page = await eventsPage('');
  const busy = await eventsPage(`breakerName: "${BUSY_BREAKER}", `);
  const quiet = await eventsPage(`breakerName: "${QUIET_BREAKER}", `);
  return {
    breakers: seeded.breakers,
    events: seeded.events,
    p50_ms: round(quantile(report, 0.5)),
    p99_ms: round(quantile(report, 0.99)),
    raw_sql_p50_ms: round(raw.report),
    events_page_p50_ms: round(quantile(page, 0.5)),
    events_page_p99_ms: round(quantile(page, 0.99)),
    raw_events_page_p50_ms: round(raw.page),
    events_page_busy_p50_ms: round(quantile(busy, 0.5)),
    events_page_quiet_p50_ms: round(quantile(quiet, 0.5)),
    events_page_quiet_p99_ms: round(quantile(quiet, 0.99)),
    recompute_ms: round(recomputeMs),
    seed_ms: round(seeded.seedMs),
  };
}

/** Creates the monthly partitions of recovery_events from the month holding `fromMs` to the one holding `toMs`, where missing. */
export async function ensureEventMonths(query: Sql, fromMs: number, toMs: number): Promise<void> {
  const existing = new Set(
    ((await query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                   WHERE i.inhparent = 'recovery_events'::regclass`)) as { relname: string }[]).map((r) => r.relname),
  );
  for (let start = monthStart(fromMs); start <= toMs; start = monthStart(start, 1)) {
    if (!existing.has(partitionName(start))) await query(createPartitionSql(start));
  }
}
