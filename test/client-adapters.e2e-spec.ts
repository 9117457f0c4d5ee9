import { once } from 'node:events';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { connect, Platform, reportCockatiel, reportOpossum } from '../client/src';
import { StatsFolder } from '../src/stats/stats-folder';
import { eventually, gqlOk, TEST_ADMIN_KEY, useTestApp } from './support/test-app';

type Mode = 'ok' | 'fail' | 'slow' | 'bad input';

/** The guarded dependency: answers, fails, or answers only after 200 ms (past the opossum timeout used here). */
const dependency = (mode: Mode): Promise<string> => {
  if (mode === 'fail') return Promise.reject(new Error('dependency down'));
  if (mode === 'bad input') return Promise.reject(new Error('bad input'));
  if (mode === 'slow') return new Promise((resolve) => setTimeout(resolve, 200, 'late'));
  return Promise.resolve('ok');
};

/** Real opossum and cockatiel breakers reporting to, and steered by, a real platform. */
describe('the opossum and cockatiel adapters (e2e)', () => {
  const fixture = useTestApp();
  const clients: Platform[] = [];
  const opossums: CircuitBreaker[] = [];
  let shared: Platform;

  const open = async (): Promise<Platform> => {
    const platform = await connect({ url: `${fixture.app.url}/graphql`, apiKey: TEST_ADMIN_KEY, flushIntervalMs: 20 });
    clients.push(platform);
    return platform;
  };
  /** Opossum that never trips by itself here (volumeThreshold), with a 50 ms timeout. */
  const opossum = (name: string, options: CircuitBreaker.Options = {}, action = dependency) => {
    const breaker = new CircuitBreaker(action, { name, timeout: 50, volumeThreshold: 1000, ...options });
    opossums.push(breaker);
    return breaker;
  };
  const cockatiel = () => circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(100) });
  const admin = (mutation: string, name: string) =>
    gqlOk(fixture.app, `mutation($n: String!) { ${mutation}(name: $n, reason: "adapter test") { state } }`, {
      n: name,
    });
  const metrics = async (name: string) =>
    (
      await gqlOk(fixture.app, `query($n: String!) { breaker(name: $n) { metrics { totalCalls totalFailures } } }`, {
        n: name,
      })
    ).breaker.metrics as { totalCalls: number; totalFailures: number };
  const until = (check: () => boolean) => eventually(async () => (check() ? true : undefined), 2000, 10);
  /** Folds the reported outcomes into the statistics now, rather than at the folder's next tick. */
  const fold = () => fixture.app.app.get(StatsFolder).tick();
  const outcome = (promise: Promise<unknown>) => promise.then(String, (error: Error) => error);

  beforeAll(async () => {
    shared = await open();
  });

  afterAll(async () => {
    for (const breaker of opossums) breaker.shutdown();
    for (const client of clients) await client.close(1000);
  });

  describe('reportOpossum', () => {
    it('reports each success, failure, timeout and rejection once, with its latency and error', async () => {
      const platform = await open();
      await platform.breaker('op-counts', { config: { failureThreshold: 10_000 } });
      const breaker = opossum('op-counts');
      // The name defaults to opossum's own.
      const detach = await reportOpossum(platform, breaker);
      for (let i = 0; i < 5; i++) expect(await breaker.fire('ok')).toBe('ok');
      for (let i = 0; i < 3; i++) await expect(breaker.fire('fail')).rejects.toThrow('dependency down');
      for (let i = 0; i < 2; i++) await expect(breaker.fire('slow')).rejects.toThrow('Timed out after 50ms');
      breaker.open();
      await expect(breaker.fire('ok')).rejects.toThrow('Breaker is open');
      breaker.close();
      detach();
      // After detaching, nothing more is reported.
      expect(await breaker.fire('ok')).toBe('ok');
      expect(await platform.close()).toBe(0);

      // 5 + 3 + 2 timeouts + 1 rejection: a timeout is counted once, though opossum emits `timeout` and `failure` for it.
      expect(await metrics('op-counts')).toEqual({ totalCalls: 11, totalFailures: 6 });
      await fold();
      const { breakerErrors, breakerStats } = await gqlOk(
        fixture.app,
        `query($n: String!) {
          breakerErrors(breakerName: $n) { message count }
          breakerStats(breakerName: $n) { calls maxMs }
        }`,
        { n: 'op-counts' },
      );
      expect((breakerErrors as { message: string; count: number }[]).map((e) => [e.message, e.count]).sort()).toEqual([
        ['Breaker is open', 1],
        ['Timed out after #ms', 2],
        ['dependency down', 3],
      ]);
      const points = breakerStats as { calls: number; maxMs: number | null }[];
      expect(points.reduce((sum, p) => sum + p.calls, 0)).toBe(11);
      // The longest is a timeout, measured by opossum at its 50 ms timer.
      expect(Math.max(...points.map((p) => p.maxMs ?? 0))).toBeGreaterThanOrEqual(45);
    });

    it('holds opossum open while FORCED_OPEN, through its own half-open, and closes it on a reset', async () => {
      const breaker = opossum('op-admin', { resetTimeout: 50 });
      const detach = await reportOpossum(shared, breaker);
      await admin('forceOpenBreaker', 'op-admin');
      await until(() => breaker.opened);
      // Opossum goes half-open after resetTimeout; the adapter opens it again at once.
      await once(breaker, 'halfOpen');
      expect(breaker.opened).toBe(true);
      const refused = await outcome(breaker.fire('ok'));
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error & { code?: string }).code).toBe('EOPENBREAKER');

      await admin('resetBreaker', 'op-admin');
      await until(() => breaker.closed);
      expect(await breaker.fire('ok')).toBe('ok');
      detach();
    });

    it('disables opossum while DISABLED: failing calls all run, and a reset enables it again', async () => {
      let ran = 0;
      const counted = (mode: Mode) => {
        ran++;
        return dependency(mode);
      };
      // Enabled, these settings trip opossum on its first failure.
      const breaker = opossum('op-disabled', { volumeThreshold: 0, errorThresholdPercentage: 1 }, counted);
      const detach = await reportOpossum(shared, breaker);
      await admin('disableBreaker', 'op-disabled');
      await until(() => !breaker.enabled);
      for (let i = 0; i < 4; i++) await expect(breaker.fire('fail')).rejects.toThrow('dependency down');
      expect(ran).toBe(4);
      expect(breaker.closed).toBe(true);

      await admin('resetBreaker', 'op-disabled');
      await until(() => breaker.enabled);
      await expect(breaker.fire('fail')).rejects.toThrow('dependency down');
      expect(breaker.opened).toBe(true);
      await expect(breaker.fire('ok')).rejects.toThrow('Breaker is open');
      expect(ran).toBe(5);
      detach();
    });

    it('applies the state the breaker is in when attached, and leaves OPEN to opossum', async () => {
      await shared.breaker('op-late', { config: { failureThreshold: 2, openTimeoutMs: 60_000 } });
      await admin('forceOpenBreaker', 'op-late');
      const mirrored = await shared.breaker('op-late');
      await until(() => mirrored.state === 'FORCED_OPEN');
      const breaker = opossum('op-late');
      const detach = await reportOpossum(shared, breaker);
      expect(breaker.opened).toBe(true);

      await admin('resetBreaker', 'op-late');
      await until(() => breaker.closed);
      // Two failures trip the platform breaker; opossum runs its own logic and stays closed.
      for (let i = 0; i < 2; i++) await expect(breaker.fire('fail')).rejects.toThrow('dependency down');
      await until(() => mirrored.state === 'OPEN');
      expect(breaker.closed).toBe(true);
      expect(await breaker.fire('ok')).toBe('ok');
      detach();
    });

    it('detaching removes every listener it added, and the platform steers opossum no more', async () => {
      const breaker = opossum('op-detach');
      const events = ['success', 'failure', 'timeout', 'reject', 'halfOpen', 'close', 'open'];
      const count = () => events.map((event) => breaker.listenerCount(event));
      const before = count();
      const guarded = await shared.breaker('op-detach');
      const stateListeners = guarded.listenerCount('stateChange');
      const detach = await reportOpossum(shared, breaker);
      expect(count()).not.toEqual(before);
      expect(guarded.listenerCount('stateChange')).toBe(stateListeners + 1);
      detach();
      expect(count()).toEqual(before);
      expect(guarded.listenerCount('stateChange')).toBe(stateListeners);
      await admin('forceOpenBreaker', 'op-detach');
      await until(() => guarded.state === 'FORCED_OPEN');
      expect(breaker.closed).toBe(true);
    });
  });

  describe('reportCockatiel', () => {
    it('reports each success and failure once, with its duration and error; refused calls are not outcomes', async () => {
      const platform = await open();
      await platform.breaker('ck-counts', { config: { failureThreshold: 10_000 } });
      // Only "dependency down" is held against the dependency; "bad input" is an error the policy does not handle.
      const policy = circuitBreaker(
        handleWhen((error) => error.message === 'dependency down'),
        { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(100) },
      );
      const detach = await reportCockatiel(platform, policy, 'ck-counts');
      for (let i = 0; i < 4; i++) expect(await policy.execute(() => dependency('ok'))).toBe('ok');
      for (let i = 0; i < 2; i++)
        await expect(policy.execute(() => dependency('fail'))).rejects.toThrow('dependency down');
      await expect(policy.execute(() => dependency('bad input'))).rejects.toThrow('bad input');
      const mine = policy.isolate();
      await expect(policy.execute(() => dependency('ok'))).rejects.toBeInstanceOf(IsolatedCircuitError);
      mine.dispose();
      detach();
      expect(await policy.execute(() => dependency('ok'))).toBe('ok');
      expect(await platform.close()).toBe(0);

      // 4 + 2 + 1 unhandled (a success, as cockatiel counts it); the isolated call and the one after detaching are not reported.
      expect(await metrics('ck-counts')).toEqual({ totalCalls: 7, totalFailures: 2 });
      await fold();
      const { breakerErrors } = await gqlOk(
        fixture.app,
        `query($n: String!) { breakerErrors(breakerName: $n) { message count } }`,
        { n: 'ck-counts' },
      );
      expect(breakerErrors).toEqual([{ message: 'dependency down', count: 2 }]);
    });

    it('isolates the policy while FORCED_OPEN and releases it on a reset', async () => {
      const policy = cockatiel();
      const detach = await reportCockatiel(shared, policy, 'ck-admin');
      await admin('forceOpenBreaker', 'ck-admin');
      await until(() => policy.state === CircuitState.Isolated);
      const refused = await outcome(policy.execute(() => dependency('ok')));
      expect(refused).toBeInstanceOf(IsolatedCircuitError);
      expect(refused).toBeInstanceOf(BrokenCircuitError);

      await admin('resetBreaker', 'ck-admin');
      await until(() => policy.state === CircuitState.Closed);
      expect(await policy.execute(() => dependency('ok'))).toBe('ok');
      detach();
    });

    it('releases the isolation on DISABLED and on detaching, and keeps the user’s own', async () => {
      const forced = await shared.breaker('ck-release');
      const policy: CircuitBreakerPolicy = cockatiel();
      await admin('forceOpenBreaker', 'ck-release');
      await until(() => forced.state === 'FORCED_OPEN');
      // Attached while FORCED_OPEN: isolated at once.
      const detach = await reportCockatiel(shared, policy, 'ck-release');
      expect(policy.state).toBe(CircuitState.Isolated);
      await admin('disableBreaker', 'ck-release');
      await until(() => policy.state === CircuitState.Closed);

      await admin('forceOpenBreaker', 'ck-release');
      await until(() => policy.state === CircuitState.Isolated);
      const mine = policy.isolate();
      detach();
      // The adapter's isolation is gone; the user's holds until they release it.
      expect(policy.state).toBe(CircuitState.Isolated);
      mine.dispose();
      expect(policy.state).toBe(CircuitState.Closed);
      // Detached: the platform steers it no more.
      await admin('resetBreaker', 'ck-release');
      await until(() => forced.state === 'CLOSED');
      await admin('forceOpenBreaker', 'ck-release');
      await until(() => forced.state === 'FORCED_OPEN');
      expect(policy.state).toBe(CircuitState.Closed);
    });
  });
});
