import { CircuitBreaker } from '../../src/breakers/in-process';
import { loadSdk } from '../lib/sdk';
import { SdkClientProcess } from '../lib/sdk-fleet';
import { BENCH_KEY, gql } from '../lib/server';
import { median, quantile, round } from '../lib/stats';

/** The closed path, in this process. */
export interface ClosedFigures {
  /** `execute` on an async no-op through the connected SDK, its outcomes reported as usual. */
  closed_ops_s: number;
  /** The in-process CircuitBreaker on the same no-op, in the same rounds. */
  in_process_ops_s: number;
  ratio_vs_in_process: number;
  closed_rounds: number;
  closed_round_ms: number;
  /** Of the closed rounds' outcomes: what the platform acknowledged, and what the bounded buffer dropped. */
  closed_delivered: number;
  closed_dropped: number;
}

/** How fast a change reaches the fleet, between client processes. */
export interface PropagationFigures {
  /** From the last trip-causing failure settling in client process A to client process B refusing. */
  trip_propagation_p50_ms: number;
  trip_propagation_p99_ms: number;
  trip_propagation_max_ms: number;
  /** From the admin's forceOpenBreaker request to the last of the client processes refusing. */
  force_open_propagation_p50_ms: number;
  force_open_propagation_p99_ms: number;
  force_open_propagation_max_ms: number;
  propagation_rounds: number;
}

/** Whether the platform counts every outcome of a loaded fleet. */
export interface ReportingFigures {
  clients: number;
  /** The pace each client process was asked to keep, and the calls per second they started together. */
  target_calls_per_s_per_client: number;
  kept_calls_per_s: number;
  seconds: number;
  /** What the clients let through (their own count) and what the platform counted (totalCalls). */
  client_calls: number;
  reported: number;
  lost: number;
  reported_per_s: number;
  /** What the clients' close() left unsent, and their buffers dropped. */
  client_unsent: number;
  client_dropped: number;
}

export type SdkResult = ClosedFigures & PropagationFigures & ReportingFigures;

const noop = (): Promise<void> => Promise.resolve();
/** Calls between yields to the event loop, where the SDK's reporter sends (a service yields to I/O too). */
const CHUNK = 1000;
const TRIP_THRESHOLD = 5;
/** Long enough that a tripped breaker stays OPEN until the bench resets it. */
const HOLD_OPEN = { failureThreshold: TRIP_THRESHOLD, openTimeoutMs: 600_000, maxOpenTimeoutMs: 600_000 };
const LOAD_RATE = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The client SDK: its closed path against the in-process breaker in this process; then, with
 * two client processes, how fast a trip and an admin's force-open reach the fleet; then two
 * processes at LOAD_RATE calls/s each, and whether the platform counted every outcome.
 */
export async function sdkScenario(url: string, quick: boolean): Promise<SdkResult> {
  const closed = await closedPath(url, quick);
  const clients = await Promise.all([SdkClientProcess.start(url, BENCH_KEY), SdkClientProcess.start(url, BENCH_KEY)]);
  try {
    const propagation = await propagationRounds(url, clients, quick ? 20 : 50);
    const reporting = await reportingRun(url, clients, quick ? 3 : 10);
    return { ...closed, ...propagation, ...reporting };
  } finally {
    for (const client of clients) client.stop();
  }
}

type Runner = (ms: number) => Promise<number>;

/** Runs `execute(noop)` CHUNK calls at a time, yielding between chunks, for `ms`; answers calls per second. */
function runner(breaker: { execute(fn: () => Promise<void>): Promise<void> }): Runner {
  return async (ms) => {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < CHUNK; i++) await breaker.execute(noop);
      calls += CHUNK;
      await new Promise((resolve) => setImmediate(resolve));
      elapsed = performance.now() - start;
    } while (elapsed < ms);
    return calls / (elapsed / 1000);
  };
}

/**
 * The two breakers alternate, rotating who goes first, each round for the same time; before
 * each turn the SDK's backlog from the last one is left to drain, so that neither turn pays for
 * the other's reporting. The median of the rounds.
 */
async function closedPath(url: string, quick: boolean): Promise<ClosedFigures> {
  const rounds = quick ? 5 : 10;
  const roundMs = quick ? 500 : 1000;
  const platform = await loadSdk().connect({ url: `${url}/graphql`, apiKey: BENCH_KEY, flushIntervalMs: 100 });
  try {
    const guarded = await platform.breaker('sdk-closed');
    if (guarded.state !== 'CLOSED') throw new Error(`sdk-closed is ${guarded.state}, not CLOSED`);
    const runners: Record<'sdk' | 'inProcess', Runner> = {
      sdk: runner(guarded),
      inProcess: runner(new CircuitBreaker({ name: 'sdk-closed' })),
    };
    const drained = async () => {
      for (let waited = 0; platform.stats().buffered > 0; waited += 10) {
        if (waited > 60_000)
          throw new Error(`the SDK did not drain its buffer within 60 s: ${JSON.stringify(platform.stats())}`);
        await sleep(10);
      }
    };
    for (const run of Object.values(runners)) {
      await run(roundMs / 2); // warm-up
      await drained();
    }
    const samples: Record<keyof typeof runners, number[]> = { sdk: [], inProcess: [] };
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? (['sdk', 'inProcess'] as const) : (['inProcess', 'sdk'] as const)) {
        await drained();
        samples[name].push(await runners[name](roundMs));
      }
    }
    await drained();
    const stats = platform.stats();
    const sdk = median(samples.sdk);
    const inProcess = median(samples.inProcess);
    return {
      closed_ops_s: round(sdk),
      in_process_ops_s: round(inProcess),
      ratio_vs_in_process: round(sdk / inProcess, 3),
      closed_rounds: rounds,
      closed_round_ms: roundMs,
      closed_delivered: stats.delivered,
      closed_dropped: stats.dropped,
    };
  } finally {
    await platform.close();
  }
}

/**
 * Each round: client A makes TRIP_THRESHOLD failing calls; the delay runs from the moment the
 * last of them settled in A until B saw the change and refused a call. Then an admin's
 * force-open, until both refuse. Both clocks are this machine's (Date.now()). The breaker is
 * reset between rounds, and each round starts after a random pause, so that the failures fall
 * anywhere in A's flush interval.
 */
async function propagationRounds(url: string, [a, b]: SdkClientProcess[], rounds: number): Promise<PropagationFigures> {
  const name = 'sdk-trip';
  const input = { name, config: HOLD_OPEN };
  await gql(url, 'mutation($input: RegisterBreakerInput!) { registerBreaker(input: $input) { name } }', { input });
  for (const client of [a, b]) {
    const { state } = await client.call<{ state: string }>('attach', { name, config: HOLD_OPEN });
    if (state !== 'CLOSED') throw new Error(`${name} is ${state} in a client process, not CLOSED`);
  }
  const both = (to: string) => Promise.all([a.nextState(name, to), b.nextState(name, to)]);
  const reset = async () => {
    const closed = both('CLOSED');
    await gql(url, `mutation { resetBreaker(name: "${name}", reason: "bench") { state } }`);
    await closed;
  };
  const refusing = (seen: { to: string; refused: boolean }[]) => {
    for (const s of seen) if (!s.refused) throw new Error(`a client process saw ${s.to} but did not refuse a call`);
  };
  const trip: number[] = [];
  const forceOpen: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await sleep(Math.random() * 100);
    const opened = both('OPEN');
    const { settledAt } = await a.call<{ settledAt: number }>('fail', { name, count: TRIP_THRESHOLD });
    const seen = await opened;
    refusing(seen);
    trip.push(seen[1].at - settledAt);
    await reset();
  }
  for (let r = 0; r < rounds; r++) {
    await sleep(Math.random() * 100);
    const forced = both('FORCED_OPEN');
    const asked = Date.now();
    await gql(url, `mutation { forceOpenBreaker(name: "${name}", reason: "bench") { state } }`);
    const seen = await forced;
    refusing(seen);
    forceOpen.push(Math.max(...seen.map((s) => s.at)) - asked);
    await reset();
  }
  return {
    trip_propagation_p50_ms: round(quantile(trip, 0.5)),
    trip_propagation_p99_ms: round(quantile(trip, 0.99)),
    trip_propagation_max_ms: round(Math.max(...trip)),
    force_open_propagation_p50_ms: round(quantile(forceOpen, 0.5)),
    force_open_propagation_p99_ms: round(quantile(forceOpen, 0.99)),
    force_open_propagation_max_ms: round(Math.max(...forceOpen)),
    propagation_rounds: rounds,
  };
}

interface LoadAnswer {
  admitted: number;
  refused: number;
  started: number;
  kept_per_s: number;
}

/**
 * Both client processes guard LOAD_RATE calls/s each on one breaker for `seconds`, then close
 * (which flushes); the platform's totalCalls against the sum of what the clients let through.
 */
async function reportingRun(url: string, clients: SdkClientProcess[], seconds: number): Promise<ReportingFigures> {
  const name = 'sdk-load';
  await gql(url, `mutation { registerBreaker(input: { name: "${name}" }) { name } }`);
  for (const client of clients) await client.call('attach', { name });
  const loads = await Promise.all(clients.map((c) => c.call<LoadAnswer>('load', { name, rate: LOAD_RATE, seconds })));
  const closes = await Promise.all(clients.map((c) => c.call<{ unsent: number; stats: { dropped: number } }>('close')));
  const data = await gql<{ breaker: { metrics: { totalCalls: number } } }>(
    url,
    `{ breaker(name: "${name}") { metrics { totalCalls } } }`,
  );
  const reported = data.breaker.metrics.totalCalls;
  const clientCalls = loads.reduce((sum, l) => sum + l.admitted, 0);
  return {
    clients: clients.length,
    target_calls_per_s_per_client: LOAD_RATE,
    kept_calls_per_s: round(loads.reduce((sum, l) => sum + l.kept_per_s, 0)),
    seconds,
    client_calls: clientCalls,
    reported,
    lost: clientCalls - reported,
    reported_per_s: round(reported / seconds),
    client_unsent: closes.reduce((sum, c) => sum + c.unsent, 0),
    client_dropped: closes.reduce((sum, c) => sum + c.stats.dropped, 0),
  };
}
