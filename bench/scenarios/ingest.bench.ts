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
  /** The same two streams with no durationMs and no error: nothing for the latency histograms or the error counts. */
  bare_outcomes_per_s: number;
  /** The same two streams with a spread of durations on every outcome and an error text on every failure (10 %). */
  stats_outcomes_per_s: number;
  /** stats ÷ outcomes_per_s, measured in the same rounds. */
  stats_ratio: number;
  /** stats ÷ bare, measured in the same rounds: what keeping latency and errors costs together. */
  stats_ratio_vs_bare: number;
  /** As stats, with an error text on every outcome, successes too. */
  stats_all_errors_outcomes_per_s: number;
  /** stats_all_errors ÷ outcomes_per_s, measured in the same rounds. */
  stats_all_errors_ratio: number;
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

interface BenchOutcome {
  breakerName: string;
  success: boolean;
  durationMs?: number;
  error?: string;
}

function batch(seed: number): BenchOutcome[] {
  return Array.from({ length: INGEST_BATCH }, (_, i) => ({
    breakerName: `ingest-${(seed + i) % INGEST_BREAKERS}`,
    success: (seed + i) % 7 !== 0,
    durationMs: (i % 50) + 0.5,
  }));
}

/** The same outcomes with neither a duration nor an error. */
function bareBatch(seed: number): BenchOutcome[] {
  return batch(seed).map(({ breakerName, success }) => ({ breakerName, success }));
}

/** An error text of a few kinds, each with numbers that vary: nearly every text is distinct before normalisation. */
function errorText(n: number): string {
  switch (n % 4) {
    case 0:
      return `timeout after ${1000 + (n % 3000)}ms on 10.0.${n % 256}.${(n >> 8) % 256}`;
    case 1:
      return `HTTP ${500 + (n % 4)} from upstream pod-${(n * 7919) % 1_000_000}`;
    case 2:
      return `connection reset by peer (errno ${n % 120})`;
    default:
      return `request ${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')} failed`;
  }
}

/**
 * The statistics' load: a spread of durations (0.1 to 500 ms) on every outcome, one in ten a
 * failure, and each failure with an error text. With `everyOutcome`, every outcome carries an
 * error text, successes too: the worst case for normalisation and error counting.
 */
function statsBatch(seed: number, everyOutcome = false): BenchOutcome[] {
  return batch(seed).map(({ breakerName }, i) => {
    const n = seed + i;
    const success = n % 10 !== 0;
    const outcome: BenchOutcome = { breakerName, success, durationMs: ((n * 7919) % 5000) / 10 + 0.1 };
    if (!success || everyOutcome) outcome.error = errorText(n);
    return outcome;
  });
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

async function postBatch(url: string, seed: number, make: (seed: number) => BenchOutcome[] = batch): Promise<number> {
  const data = await gql<{ recordOutcomes: { accepted: number } }>(url, QUERY, { o: make(seed) });
  return data.recordOutcomes.accepted;
}

/**
 * recordOutcomes over HTTP GraphQL: batches of 1000 outcomes over 100 breakers, from INGEST_STREAMS
 * concurrent streams, then from WIDE_STREAMS; and from INGEST_STREAMS again with bare outcomes, with
 * the statistics' load, and with an error on every outcome, in the same alternating rounds, so that
 * the ratios compare figures taken under the same conditions.
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
  await postBatch(url, 0, (seed) => statsBatch(seed, true));
  const each = seconds / INGEST_ROUNDS;
  const { rate, wideRate, bareRate, statsRate, allErrorsRate } = await medianRates({
    rate: () => streams(INGEST_STREAMS, each, (seed) => postBatch(url, seed)),
    wideRate: () => streams(WIDE_STREAMS, each, (seed) => postBatch(url, seed)),
    bareRate: () => streams(INGEST_STREAMS, each, (seed) => postBatch(url, seed, bareBatch)),
    statsRate: () => streams(INGEST_STREAMS, each, (seed) => postBatch(url, seed, statsBatch)),
    allErrorsRate: () => streams(INGEST_STREAMS, each, (seed) => postBatch(url, seed, (s) => statsBatch(s, true))),
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
    bare_outcomes_per_s: round(bareRate),
    stats_outcomes_per_s: round(statsRate),
    stats_ratio: round(statsRate / rate, 3),
    stats_ratio_vs_bare: round(statsRate / bareRate, 3),
    stats_all_errors_outcomes_per_s: round(allErrorsRate),
    stats_all_errors_ratio: round(allErrorsRate / rate, 3),
    seconds,
  };
}
