import { Sql } from './direct-db';
import { gql } from '../lib/server';
import { elapsedMs, median, round } from '../lib/stats';

export interface IngestResult {
  batch_size: number;
  breakers: number;
  streams: number;
  outcomes_per_s: number;
  raw_pg_rows_per_s: number;
  ratio_vs_raw: number;
  /** The same request on bare Apollo + Express with a resolver that only counts (bench/floor-server.ts). */
  graphql_floor_outcomes_per_s: number;
  ratio_vs_floor: number;
  /** The same, from WIDE_STREAMS streams: how group commit carries more concurrent reporters. */
  wide_streams: number;
  wide_outcomes_per_s: number;
  wide_raw_pg_rows_per_s: number;
  wide_ratio_vs_raw: number;
  seconds: number;
}

/** What the raw baseline did, with the two streams and with WIDE_STREAMS. */
export interface RawIngest {
  readonly rowsPerS: number;
  readonly wideRowsPerS: number;
}

export const INGEST_BATCH = 1000;
export const INGEST_BREAKERS = 100;
export const INGEST_STREAMS = 2;
export const WIDE_STREAMS = 4;
const QUERY = `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`;

function batch(seed: number): { breakerName: string; success: boolean; durationMs: number }[] {
  return Array.from({ length: INGEST_BATCH }, (_, i) => ({
    breakerName: `ingest-${(seed + i) % INGEST_BREAKERS}`,
    success: (seed + i) % 7 !== 0,
    durationMs: (i % 50) + 0.5,
  }));
}

/** Measurement rounds per figure; each figure is the median of its rounds, so one stall does not decide it. */
export const INGEST_ROUNDS = 3;

/**
 * Runs each of `runs` INGEST_ROUNDS times, alternating between them; answers the median rate of each.
 */
async function medianRates<K extends string>(runs: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const keys = Object.keys(runs) as K[];
  const samples = new Map<K, number[]>(keys.map((k) => [k, []]));
  for (let r = 0; r < INGEST_ROUNDS; r++) for (const k of keys) samples.get(k)!.push(await runs[k]());
  return Object.fromEntries(keys.map((k) => [k, median(samples.get(k)!)])) as Record<K, number>;
}

/** Runs `count` loops of `work` for `seconds`; answers how many items they did per second. */
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

/**
 * The raw baseline: the same outcomes inserted as rows, one multi-row INSERT (VALUES list) per
 * batch, straight through pg; from INGEST_STREAMS streams, then from WIDE_STREAMS.
 */
export async function rawIngestBaseline(query: Sql, seconds: number): Promise<RawIngest> {
  await query(`CREATE TABLE IF NOT EXISTS bench_raw_outcomes (
    breaker_name text NOT NULL, success boolean NOT NULL, duration_ms double precision, recorded_at timestamptz NOT NULL DEFAULT now())`);
  const insert = async (seed: number) => {
    const rows = batch(seed);
    // A conventional multi-row INSERT: one VALUES tuple of parameters per row.
    const values = rows.map((_, r) => `($${3 * r + 1}, $${3 * r + 2}, $${3 * r + 3})`).join(', ');
    await query(
      `INSERT INTO bench_raw_outcomes (breaker_name, success, duration_ms) VALUES ${values}`,
      rows.flatMap((r) => [r.breakerName, r.success, r.durationMs]),
    );
    return rows.length;
  };
  const each = seconds / INGEST_ROUNDS;
  const rates = await medianRates({
    rowsPerS: () => streams(INGEST_STREAMS, each, insert),
    wideRowsPerS: () => streams(WIDE_STREAMS, each, insert),
  });
  await query('DROP TABLE bench_raw_outcomes');
  return rates;
}

/** The ingest floor: the same requests from INGEST_STREAMS streams against bench/floor-server.ts. */
export async function graphqlFloor(floorUrl: string, seconds: number): Promise<number> {
  await postBatch(floorUrl, 0); // warm-up
  const each = seconds / INGEST_ROUNDS;
  const { rate } = await medianRates({
    rate: () => streams(INGEST_STREAMS, each, (seed) => postBatch(floorUrl, seed)),
  });
  return rate;
}

async function postBatch(url: string, seed: number): Promise<number> {
  const data = await gql<{ recordOutcomes: { accepted: number } }>(url, QUERY, { o: batch(seed) });
  return data.recordOutcomes.accepted;
}

/**
 * recordOutcomes over HTTP GraphQL: batches of 1000 outcomes over 100 breakers, from INGEST_STREAMS
 * concurrent streams, then from WIDE_STREAMS.
 */
export async function ingestScenario(
  url: string,
  raw: RawIngest,
  floorOutcomesPerS: number,
  seconds: number,
): Promise<IngestResult> {
  for (let i = 0; i < INGEST_BREAKERS; i += 50) {
    const aliases = Array.from(
      { length: Math.min(50, INGEST_BREAKERS - i) },
      (_, j) =>
        `r${j}: registerBreaker(input: { name: "ingest-${i + j}", config: { failureThreshold: 10000 } }) { name }`,
    );
    await gql(url, `mutation { ${aliases.join(' ')} }`);
  }
  await postBatch(url, 0); // warm-up
  const each = seconds / INGEST_ROUNDS;
  const { rate, wideRate } = await medianRates({
    rate: () => streams(INGEST_STREAMS, each, (seed) => postBatch(url, seed)),
    wideRate: () => streams(WIDE_STREAMS, each, (seed) => postBatch(url, seed)),
  });
  return {
    batch_size: INGEST_BATCH,
    breakers: INGEST_BREAKERS,
    streams: INGEST_STREAMS,
    outcomes_per_s: round(rate),
    raw_pg_rows_per_s: round(raw.rowsPerS),
    ratio_vs_raw: round(rate / raw.rowsPerS, 3),
    graphql_floor_outcomes_per_s: round(floorOutcomesPerS),
    ratio_vs_floor: round(rate / floorOutcomesPerS, 3),
    wide_streams: WIDE_STREAMS,
    wide_outcomes_per_s: round(wideRate),
    wide_raw_pg_rows_per_s: round(raw.wideRowsPerS),
    wide_ratio_vs_raw: round(wideRate / raw.wideRowsPerS, 3),
    seconds,
  };
}
