import { ConsecutiveBreaker, SamplingBreaker, circuitBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { TripPolicy } from '../../src/breakers/engine';
import { CircuitBreaker } from '../../src/breakers/in-process';
import { elapsedMs, median, round } from '../lib/stats';

export interface EngineResult {
  ours_ops_s: number;
  opossum_ops_s: number;
  cockatiel_ops_s: number;
  bare_ops_s: number;
  ratio_vs_opossum: number;
  ratio_vs_cockatiel: number;
  ratio_vs_bare: number;
  ours_open_ops_s: number;
  opossum_open_ops_s: number;
  cockatiel_open_ops_s: number;
  /** The closed path again, each breaker tripping on a failure rate over a sliding window. */
  ours_rate_ops_s: number;
  opossum_rate_ops_s: number;
  cockatiel_rate_ops_s: number;
  rate_ratio_vs_opossum: number;
  rate_ratio_vs_cockatiel: number;
  rounds: number;
  calls_per_round: number;
}

type Runner = (calls: number) => Promise<void>;

const noop = async (): Promise<number> => 1;

/**
 * `CircuitBreaker.execute` against opossum's `fire()` and cockatiel's `execute()` on the same
 * async no-op, and a bare call, interleaved in one process (rotating who goes first), after
 * warm-up; the median of the rounds. Then the open (rejecting) path of each, and the closed path
 * once more with each breaker tripping on a failure rate over a sliding window.
 */
export async function engineScenario(quick: boolean): Promise<EngineResult> {
  const calls = quick ? 50_000 : 500_000;
  const rounds = quick ? 5 : 15;
  const closed = await measure(closedRunners(), calls, rounds);
  const open = await measure(openRunners(), Math.floor(calls / 5), rounds);
  const rate = await measure(rateRunners(), calls, rounds);
  return {
    ours_ops_s: round(closed.ours),
    opossum_ops_s: round(closed.opossum),
    cockatiel_ops_s: round(closed.cockatiel),
    bare_ops_s: round(closed.bare),
    ratio_vs_opossum: round(closed.ours / closed.opossum, 3),
    ratio_vs_cockatiel: round(closed.ours / closed.cockatiel, 3),
    ratio_vs_bare: round(closed.ours / closed.bare, 3),
    ours_open_ops_s: round(open.ours),
    opossum_open_ops_s: round(open.opossum),
    cockatiel_open_ops_s: round(open.cockatiel),
    ours_rate_ops_s: round(rate.ours),
    opossum_rate_ops_s: round(rate.opossum),
    cockatiel_rate_ops_s: round(rate.cockatiel),
    rate_ratio_vs_opossum: round(rate.ours / rate.opossum, 3),
    rate_ratio_vs_cockatiel: round(rate.ours / rate.cockatiel, 3),
    rounds,
    calls_per_round: calls,
  };
}

function closedRunners(): Record<string, Runner> {
  const ours = new CircuitBreaker({ name: 'bench', config: { failureThreshold: 5, openTimeoutMs: 10_000 } });
  // No per-call timeout for opossum: ours and cockatiel's have none either.
  const opossum = new Opossum(noop, { timeout: false, errorThresholdPercentage: 50, resetTimeout: 10_000 });
  const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  return {
    bare: async (n) => {
      for (let i = 0; i < n; i++) await noop();
    },
    ours: async (n) => {
      for (let i = 0; i < n; i++) await ours.execute(noop);
    },
    opossum: async (n) => {
      for (let i = 0; i < n; i++) await opossum.fire();
    },
    cockatiel: async (n) => {
      for (let i = 0; i < n; i++) await cockatiel.execute(noop);
    },
  };
}

/**
 * The same closed path, tripping on a failure rate: 50 % over 60 s with at least 20 calls in the
 * window. Ours is FAILURE_RATE with its default window (10 buckets); opossum counts in 10
 * buckets over 60 s (its latency percentiles off: ours measures no durations here either);
 * cockatiel's SamplingBreaker samples 60 s, its minimum volume given as a rate (20 calls a minute).
 */
function rateRunners(): Record<string, Runner> {
  const ours = new CircuitBreaker({
    name: 'bench-rate',
    config: { tripOn: TripPolicy.FAILURE_RATE, failureRateThreshold: 50, minimumCalls: 20, openTimeoutMs: 10_000 },
  });
  const opossum = new Opossum(noop, {
    timeout: false,
    errorThresholdPercentage: 50,
    volumeThreshold: 20,
    rollingCountTimeout: 60_000,
    rollingCountBuckets: 10,
    rollingPercentilesEnabled: false,
    resetTimeout: 10_000,
  });
  const cockatiel = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new SamplingBreaker({ threshold: 0.5, duration: 60_000, minimumRps: 20 / 60 }),
  });
  return {
    ours: async (n) => {
      for (let i = 0; i < n; i++) await ours.execute(noop);
    },
    opossum: async (n) => {
      for (let i = 0; i < n; i++) await opossum.fire();
    },
    cockatiel: async (n) => {
      for (let i = 0; i < n; i++) await cockatiel.execute(noop);
    },
  };
}

function openRunners(): Record<string, Runner> {
  const ours = new CircuitBreaker({ name: 'bench-open' });
  ours.forceOpen('bench');
  const opossum = new Opossum(noop, { timeout: false, resetTimeout: 1e9 });
  opossum.open();
  const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 1e9, breaker: new ConsecutiveBreaker(5) });
  cockatiel.isolate();
  const refused = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch {
      return;
    }
    throw new Error('an open breaker let a call through');
  };
  return {
    ours: async (n) => {
      for (let i = 0; i < n; i++) await refused(() => ours.execute(noop));
    },
    opossum: async (n) => {
      for (let i = 0; i < n; i++) await refused(() => opossum.fire());
    },
    cockatiel: async (n) => {
      for (let i = 0; i < n; i++) await refused(() => cockatiel.execute(noop));
    },
  };
}

async function measure(
  runners: Record<string, Runner>,
  calls: number,
  rounds: number,
): Promise<Record<string, number>> {
  const names = Object.keys(runners);
  for (const name of names) await runners[name](Math.floor(calls / 2)); // warm-up
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const start = process.hrtime.bigint();
      await runners[name](calls);
      samples[name].push(calls / (elapsedMs(start) / 1000));
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}
