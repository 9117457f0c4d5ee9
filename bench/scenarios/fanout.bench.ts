import { fork } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_KEY, BenchServer, gql } from '../lib/server';
import { quantile, round } from '../lib/stats';

export interface FanoutResult {
  subscribers: number;
  transitions: number;
  expected: number;
  delivered: number;
  p50_ms: number;
  p99_ms: number;
}

/** Transitions driven before measuring (an even number, so the measured ones start from CLOSED). */
const WARM_UP_TRANSITIONS = 4;

/**
 * `subscribers` graphql-ws subscribers in a separate process; transitions driven through the API;
 * the delay from each event's time (taken in its transaction) to each delivery, after a warm-up of
 * WARM_UP_TRANSITIONS. Answers the
 * server's RSS with the subscribers attached, too.
 */
export async function fanoutScenario(
  server: BenchServer,
  subscribers: number,
  transitions: number,
): Promise<{ result: FanoutResult; rssMb: number }> {
  await gql(server.url, `mutation { registerBreaker(input: { name: "fanout" }) { name } }`);
  const client = fork(join(__dirname, '..', 'fanout-client.js'), [server.url, BENCH_KEY, String(subscribers)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<any>((resolve, reject) => {
      const onMessage = (m: any) => {
        if (m.type === type) {
          client.off('message', onMessage);
          resolve(m);
        } else if (m.type === 'error') reject(new Error(m.message));
      };
      client.on('message', onMessage);
    });
  /** Drives `count` transitions 50 ms apart, then waits (up to 10 s) for every delivery; answers their delays. */
  const drive = async (count: number): Promise<number[]> => {
    for (let i = 0; i < count; i++) {
      const mutation = i % 2 === 0 ? 'forceOpenBreaker' : 'resetBreaker';
      await gql(server.url, `mutation { ${mutation}(name: "fanout", reason: "bench") { state } }`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let latencies: number[] = [];
    for (let wait = 0; wait < 100; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.send({ type: 'report' });
      latencies = (await next('report')).latencies;
      if (latencies.length >= subscribers * count) break;
    }
    return latencies;
  };
  try {
    await next('ready');
    const rssMb = await server.rssMb();
    // Warm-up, not counted: the first deliveries run through code the JIT has not compiled yet.
    await drive(WARM_UP_TRANSITIONS);
    client.send({ type: 'reset' });
    await next('reset');
    const expected = subscribers * transitions;
    const latencies = await drive(transitions);
    return {
      rssMb,
      result: {
        subscribers,
        transitions,
        expected,
        delivered: latencies.length,
        p50_ms: round(quantile(latencies, 0.5)),
        p99_ms: round(quantile(latencies, 0.99)),
      },
    };
  } finally {
    client.disconnect();
  }
}
