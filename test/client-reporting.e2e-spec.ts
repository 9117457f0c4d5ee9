import {
  GraphqlHttp,
  OutcomeReporter,
  PlatformRequestError,
  recordOutcomesSender,
  ReportedOutcome,
} from '../client/src';
import { gqlOk, useTestApp } from './support/test-app';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';

const outcomes = (breakerName: string, n: number): ReportedOutcome[] =>
  Array.from({ length: n }, (_, i) => ({
    breakerName,
    success: i % 10 !== 0,
    occurredAt: new Date().toISOString(),
    durationMs: 1 + (i % 40),
    ...(i % 10 === 0 ? { error: `timeout after ${1000 + i}ms` } : {}),
  }));

/** The client's reporter against the real platform: every outcome counted once, whatever the network did. */
describe('the client reporting outcomes (e2e)', () => {
  const fixture = useTestApp();
  let reporterKey: string;

  beforeAll(async () => {
    const { createApiKey } = await gqlOk(fixture.app, `mutation { createApiKey(name: "sdk", role: REPORTER) { key } }`);
    reporterKey = createApiKey.key;
    for (const name of ['sdk-plain', 'sdk-lost', 'sdk-cut', 'sdk-after-refusal']) {
      await gqlOk(
        fixture.app,
        `mutation($n: String!) { registerBreaker(input: { name: $n, config: { failureThreshold: 10000 } }) { name } }`,
        { n: name },
      );
    }
  });

  const http = (url = fixture.app.url) =>
    new GraphqlHttp({ url: `${url}/graphql`, apiKey: reporterKey, requestTimeoutMs: 2000 });
  const metrics = async (name: string) =>
    (
      await gqlOk(fixture.app, `query($n: String!) { breaker(name: $n) { metrics { totalCalls totalFailures } } }`, {
        n: name,
      })
    ).breaker.metrics;

  it('delivers every outcome, in batches, and close() waits for them', async () => {
    const reporter = new OutcomeReporter({ send: recordOutcomesSender(http()), flushIntervalMs: 50 });
    for (const o of outcomes('sdk-plain', 2500)) reporter.add(o);
    expect(await reporter.close()).toBe(0);
    expect(reporter.stats()).toMatchObject({ delivered: 2500, flushes: 3, dropped: 0, rejected: 0, buffered: 0 });
    expect(await metrics('sdk-plain')).toEqual({ totalCalls: 2500, totalFailures: 250 });
  });

  it('counts a batch once when its answer was lost and it was sent again', async () => {
    const sender = recordOutcomesSender(http());
    let tries = 0;
    const reporter = new OutcomeReporter({
      send: async (batchId, batch) => {
        tries++;
        await sender(batchId, batch);
        if (tries === 1) throw new PlatformRequestError('the answer was lost on the way back', 'NETWORK');
      },
      flushIntervalMs: 50,
      minRetryDelayMs: 10,
    });
    for (const o of outcomes('sdk-lost', 700)) reporter.add(o);
    expect(await reporter.close()).toBe(0);
    expect(tries).toBe(2);
    expect(await metrics('sdk-lost')).toEqual({ totalCalls: 700, totalFailures: 70 });
  });

  describe('through a connection that is cut and comes back', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      const target = new URL(fixture.app.url);
      proxy = await startTcpProxy(target.hostname, Number(target.port));
    });
    afterAll(() => proxy?.close());

    it('keeps what it could not send and delivers it, exactly once, when the platform is back', async () => {
      const errors: string[] = [];
      const reporter = new OutcomeReporter({
        send: recordOutcomesSender(http(proxy.url(fixture.app.url).replace(/\/$/, ''))),
        flushIntervalMs: 20,
        minRetryDelayMs: 20,
        maxRetryDelayMs: 100,
        onError: (e) => errors.push((e as PlatformRequestError).code),
      });
      for (const o of outcomes('sdk-cut', 300)) reporter.add(o);
      expect(await reporter.flush()).toBe(0);
      await proxy.cut('reset');
      for (const o of outcomes('sdk-cut', 300)) reporter.add(o);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reporter.stats()).toMatchObject({ buffered: 300, delivered: 300 });
      await proxy.restore();
      expect(await reporter.close()).toBe(0);
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors)).toEqual(new Set(['NETWORK']));
      expect(await metrics('sdk-cut')).toEqual({ totalCalls: 600, totalFailures: 60 });
    });
  });

  it('counts a batch the platform refuses for good as rejected, and delivers the next', async () => {
    const errors: PlatformRequestError[] = [];
    const reporter = new OutcomeReporter({
      send: recordOutcomesSender(http()),
      flushIntervalMs: 60_000,
      maxBatchSize: 100,
      onError: (e) => errors.push(e as PlatformRequestError),
    });
    for (const o of outcomes('sdk-never-registered', 100)) reporter.add(o);
    for (const o of outcomes('sdk-after-refusal', 100)) reporter.add(o);
    expect(await reporter.close()).toBe(0);
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([['NOT_FOUND', false]]);
    expect(reporter.stats()).toMatchObject({ rejected: 100, delivered: 100 });
    expect(await metrics('sdk-after-refusal')).toEqual({ totalCalls: 100, totalFailures: 10 });
  });

  it('names a refused key as UNAUTHENTICATED, which is never retried', async () => {
    const wrong = new GraphqlHttp({ url: `${fixture.app.url}/graphql`, apiKey: 'not-a-key', requestTimeoutMs: 2000 });
    const error = await recordOutcomesSender(wrong)('b-1', outcomes('sdk-plain', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformRequestError);
    expect([(error as PlatformRequestError).code, (error as PlatformRequestError).retryable]).toEqual([
      'UNAUTHENTICATED',
      false,
    ]);
  });
});
