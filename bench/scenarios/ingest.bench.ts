import { Sql } from './direct-db';
import { gql } from '../lib/server';
import { elapsedMs, round } from '../lib/stats';

export interface IngestResult {
  batch_size: number;
  breakers: number;
  streams: number;
  outcomes_per_s: number;
  raw_pg_rows_per_s: number;
  ratio_vs_raw: number;
  seconds: number;
}

export const INGEST_BATCH = 1000;
export const INGEST_BREAKERS = 100;
const STREAMS = 2;

function batch(seed: number): { breakerName: string; success: boolean; durationMs: number }[] {
  return Array.from({ length: INGEST_BATCH }, (_, i) => ({
    breakerName: `ingest-${(seed + i) % INGEST_BREAKERS}`,
    success: (seed + i) % 7 !== 0,
    durationMs: (i % 50) + 0.5,
  }));
}

/** Runs `streams` loops of `work` for `seconds`; answers how many items they did per second. */
async function streams(count: number, seconds: number, work: (seed: number) => Promise<number>): Promise<number> {
  const start = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  const done = await Promise.all(
    Array.from({ length: count }, async (_, s) => {
      let items = 0;
      for (let n = 0; Date.now() < deadline; n++) items += await work(s * 1_000_003 + n * INGEST_BATCH);
      return items;
    }),
  );
  return done.reduce((a, b) => a + b, 0) / (elapsedMs(start) / 1000);
}

/** The raw baseline: the same outcomes inserted as rows, one multi-row INSERT (VALUES list) per batch, straight through pg. */
export async function rawIngestBaseline(query: Sql, poolStreams: number, seconds: number): Promise<number> {
  await query(`CREATE TABLE IF NOT EXISTS bench_raw_outcomes (
    breaker_name text NOT NULL, success boolean NOT NULL, duration_ms double precision, recorded_at timestamptz NOT NULL DEFAULT now())`);
  const rate = await streams(Math.max(STREAMS, poolStreams), seconds, async (seed) => {
    const rows = batch(seed);
    // A conventional multi-row INSERT: one VALUES tuple of parameters per row.
    const values = rows.map((_, r) => `($${3 * r + 1}, $${3 * r + 2}, $${3 * r + 3})`).join(', ');
    await query(
      `INSERT INTO bench_raw_outcomes (breaker_name, success, duration_ms) VALUES ${values}`,
      rows.flatMap((r) => [r.breakerName, r.success, r.durationMs]),
    );
    return rows.length;
  });
  await query('DROP TABLE bench_raw_outcomes');
  return rate;
}

/** recordOutcomes over HTTP GraphQL: batches of 1000 outcomes over 100 breakers, two concurrent streams. */
export async function ingestScenario(url: string, rawRowsPerS: number, seconds: number): Promise<IngestResult> {
  for (let i = 0; i < INGEST_BREAKERS; i += 50) {
    const aliases = Array.from(
      { length: Math.min(50, INGEST_BREAKERS - i) },
      (_, j) =>
        `r${j}: registerBreaker(input: { name: "ingest-${i + j}", config: { failureThreshold: 10000 } }) { name }`,
    );
    await gql(url, `mutation { ${aliases.join(' ')} }`);
  }
  const query = `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`;
  await gql(url, query, { o: batch(0) }); // warm-up
  const rate = await streams(STREAMS, seconds, async (seed) => {
    const data = await gql<{ recordOutcomes: { accepted: number } }>(url, query, { o: batch(seed) });
    return data.recordOutcomes.accepted;
  });
  return {
    batch_size: INGEST_BATCH,
    breakers: INGEST_BREAKERS,
    streams: STREAMS,
    outcomes_per_s: round(rate),
    raw_pg_rows_per_s: round(rawRowsPerS),
    ratio_vs_raw: round(rate / rawRowsPerS, 3),
    seconds,
  };
}
