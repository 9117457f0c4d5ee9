import { BreakerConfigPatch, BreakerState, RecoveryEventType as T, TripPolicy } from '../engine';
import { BreakerOpenError } from './breaker-open.error';
import { CircuitBreaker } from './circuit-breaker';
import { MonitoredEvent } from './recovery-monitor';
import { deferred } from '../../../test/support/deferred';

/*
 * The in-process breaker under issue 11's rules: it measures durations itself (on the injected
 * clock), runs each HALF_OPEN call under a permit of its own, and reports calls from an earlier
 * state period so that the engine ignores them.
 */

const T0 = 1_000_000;

function setup(config: BreakerConfigPatch) {
  const clock = { now: T0, reads: 0 };
  const events: MonitoredEvent[] = [];
  const breaker = new CircuitBreaker({
    name: 'svc',
    config: { openTimeoutMs: 1000, maxOpenTimeoutMs: 8000, ...config },
    clock: () => {
      clock.reads++;
      return clock.now;
    },
    monitor: { onEvent: (e) => events.push(e) },
  });
  return { breaker, clock, events, types: () => events.map((e) => e.type) };
}

/** A call that takes `ms` on the fake clock, then succeeds or fails. */
function takes(clock: { now: number }, ms: number, ok = true) {
  return async () => {
    clock.now += ms;
    if (!ok) throw new Error('down');
    return 'done';
  };
}

const down = () => Promise.reject(new Error('down'));

describe('CircuitBreaker: slow calls', () => {
  it('measures each call on the injected clock; a slow success counts as a failure', async () => {
    const { breaker, clock, events } = setup({ failureThreshold: 2, slowCallDurationMs: 200 });
    await expect(breaker.execute(takes(clock, 199))).resolves.toBe('done');
    expect(breaker.snapshot.consecutiveFailures).toBe(0);
    await breaker.execute(takes(clock, 200));
    expect(breaker.snapshot.consecutiveFailures).toBe(1);
    const start = clock.now;
    await expect(breaker.execute(takes(clock, 5000))).resolves.toBe('done');
    expect(breaker.state).toBe(BreakerState.OPEN);
    expect(events[0]).toMatchObject({
      type: T.CIRCUIT_OPENED,
      at: start + 5000,
      info: { consecutiveFailures: 2, failureThreshold: 2, slow: true },
    });
    // the metrics count what the calls returned: three successes
    expect(breaker.metrics).toMatchObject({ totalCalls: 3, totalFailures: 0 });
  });

  it('with the default config reads no clock for a call in CLOSED, unless it fails', async () => {
    const { breaker, clock } = setup({});
    const before = clock.reads;
    for (let i = 0; i < 50; i++) await breaker.execute(() => i);
    expect(clock.reads).toBe(before);
    await expect(breaker.execute(down)).rejects.toThrow('down');
    expect(clock.reads).toBe(before + 1);
    // with slow calls on, a call reads it at its start and at its end
    const slow = setup({ slowCallDurationMs: 100 });
    const at = slow.clock.reads;
    await slow.breaker.execute(() => 1);
    expect(slow.clock.reads).toBe(at + 2);
  });

  it('a slow trial fails the recovery', async () => {
    const { breaker, clock, types } = setup({ failureThreshold: 1, slowCallDurationMs: 100 });
    await expect(breaker.execute(down)).rejects.toThrow('down');
    clock.now = T0 + 1000;
    await expect(breaker.execute(takes(clock, 150))).resolves.toBe('done');
    expect(types()).toEqual([
      T.CIRCUIT_OPENED,
      T.CIRCUIT_HALF_OPENED,
      T.RECOVERY_ATTEMPTED,
      T.RECOVERY_FAILED,
      T.CIRCUIT_OPENED,
    ]);
    expect(breaker.snapshot).toMatchObject({ state: BreakerState.OPEN, currentOpenTimeoutMs: 2000 });
  });
});

describe('CircuitBreaker: FAILURE_RATE', () => {
  it('trips at exactly the call that brings the window to minimumCalls at the threshold', async () => {
    const { breaker, clock, events } = setup({
      tripOn: TripPolicy.FAILURE_RATE,
      minimumCalls: 4,
      failureRateThreshold: 50,
      windowMs: 10_000,
      windowBuckets: 10,
    });
    await breaker.execute(() => 'a');
    await expect(breaker.execute(down)).rejects.toThrow();
    await expect(breaker.execute(down)).rejects.toThrow();
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(breaker.snapshot.window).toMatchObject({ calls: 3, failures: 2 });
    clock.now += 500;
    await breaker.execute(() => 'b'); // 4 calls, 2 failures
    expect(breaker.state).toBe(BreakerState.OPEN);
    expect(events[0].info).toMatchObject({ calls: 4, failures: 2, slowCalls: 0, failureRate: 50, slowCallRate: 0 });
    await expect(breaker.execute(() => 'c')).rejects.toBeInstanceOf(BreakerOpenError);
  });

  it('forgets failures once their bucket has left the window', async () => {
    const { breaker, clock } = setup({
      tripOn: TripPolicy.FAILURE_RATE,
      minimumCalls: 3,
      windowMs: 2000,
      windowBuckets: 2,
    });
    await expect(breaker.execute(down)).rejects.toThrow();
    await expect(breaker.execute(down)).rejects.toThrow();
    clock.now = T0 + 2000; // the bucket of T0 has dropped out
    await expect(breaker.execute(down)).rejects.toThrow('down');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(breaker.snapshot.window).toMatchObject({ calls: 1, failures: 1 });
  });

  it('with slow calls, measures them into the window', async () => {
    const { breaker, clock, events } = setup({
      tripOn: TripPolicy.FAILURE_RATE,
      minimumCalls: 2,
      slowCallDurationMs: 100,
      slowCallRateThreshold: 100,
    });
    await breaker.execute(takes(clock, 120));
    await breaker.execute(takes(clock, 300));
    expect(events[0].info).toMatchObject({ calls: 2, failures: 0, slowCalls: 2, slowCallRate: 100 });
  });
});

describe('CircuitBreaker: trial permits', () => {
  /** Opened at T0 with threshold 1; at T0 + 1000 it is due for HALF_OPEN. */
  async function opened(config: BreakerConfigPatch) {
    const s = setup({ failureThreshold: 1, ...config });
    await expect(s.breaker.execute(down)).rejects.toThrow();
    s.clock.now = T0 + 1000;
    return s;
  }

  it('runs each trial under a permit of its own, which its outcome settles, whatever the order', async () => {
    const { breaker, types } = await opened({ halfOpenMaxCalls: 2, successThreshold: 2 });
    const first = deferred<string>();
    const second = deferred<string>();
    const a = breaker.execute(() => first.promise);
    const b = breaker.execute(() => second.promise);
    expect(breaker.snapshot.permits.map((p) => p.id)).toEqual(['1', '2']);
    await expect(breaker.execute(() => 'third')).rejects.toMatchObject({ state: BreakerState.HALF_OPEN });
    second.resolve('second');
    await expect(b).resolves.toBe('second');
    expect(breaker.snapshot).toMatchObject({ halfOpenSuccesses: 1, permits: [{ id: '1' }] });
    first.resolve('first');
    await expect(a).resolves.toBe('first');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(types().slice(-2)).toEqual([T.RECOVERY_SUCCEEDED, T.CIRCUIT_CLOSED]);
  });

  it('a trial that outlives its permit decides nothing, and its slot goes to the next caller', async () => {
    const { breaker, clock, types } = await opened({ permitTimeoutMs: 200 });
    const slow = deferred<string>();
    const late = breaker.execute(() => slow.promise);
    expect(breaker.snapshot.permits).toEqual([{ id: '1', expiresAt: T0 + 1200 }]);
    clock.now = T0 + 1199;
    await expect(breaker.execute(() => 'x')).rejects.toBeInstanceOf(BreakerOpenError);
    clock.now = T0 + 1200; // the permit has expired: a new trial may run
    const next = deferred<string>();
    const fresh = breaker.execute(() => next.promise);
    // a fresh permit (the refused ask above used up id 2)
    expect(breaker.snapshot.permits).toEqual([{ id: '3', expiresAt: T0 + 1400 }]);
    slow.reject(new Error('timed out'));
    await expect(late).rejects.toThrow('timed out');
    expect(breaker.snapshot.state).toBe(BreakerState.HALF_OPEN); // the late failure failed nothing
    next.resolve('ok');
    await expect(fresh).resolves.toBe('ok');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(types()).not.toContain(T.RECOVERY_FAILED);
  });
});

describe('CircuitBreaker: calls from an earlier state period', () => {
  it.each([
    ['unmeasured', {}],
    ['measured', { slowCallDurationMs: 10_000 }],
  ])('%s: a call admitted while CLOSED that fails during HALF_OPEN does not decide the recovery', async (_n, extra) => {
    const { breaker, clock, types } = setup({ failureThreshold: 1, ...extra });
    const straggler = deferred<string>();
    const old = breaker.execute(() => straggler.promise);
    await expect(breaker.execute(down)).rejects.toThrow(); // trips at T0
    clock.now = T0 + 1000;
    expect(breaker.state).toBe(BreakerState.HALF_OPEN);
    straggler.reject(new Error('from before'));
    await expect(old).rejects.toThrow('from before');
    expect(breaker.snapshot.state).toBe(BreakerState.HALF_OPEN);
    expect(types()).not.toContain(T.RECOVERY_FAILED);
    await expect(breaker.execute(() => 'trial')).resolves.toBe('trial');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    // counted all the same
    expect(breaker.metrics).toMatchObject({ totalCalls: 3, totalFailures: 2 });
  });

  it.each([
    ['CONSECUTIVE_FAILURES', { tripOn: TripPolicy.CONSECUTIVE_FAILURES }],
    ['FAILURE_RATE', { tripOn: TripPolicy.FAILURE_RATE, minimumCalls: 1 }],
  ])('%s: a failure from before the breaker last closed does not trip it again', async (_n, extra) => {
    const { breaker, clock } = setup({ failureThreshold: 1, ...extra });
    const straggler = deferred<string>();
    const old = breaker.execute(() => straggler.promise);
    await expect(breaker.execute(down)).rejects.toThrow(); // trips at T0
    clock.now = T0 + 1000;
    await breaker.execute(() => 'trial'); // closes at T0 + 1000
    expect(breaker.snapshot).toMatchObject({ state: BreakerState.CLOSED, stateChangedAt: T0 + 1000 });
    clock.now = T0 + 1500;
    straggler.reject(new Error('from before'));
    await expect(old).rejects.toThrow('from before');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    // a failure of this period does trip it
    await expect(breaker.execute(down)).rejects.toThrow();
    expect(breaker.state).toBe(BreakerState.OPEN);
  });

  it('a trial that ends after another trial closed the breaker is from before, and trips nothing', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, halfOpenMaxCalls: 2 });
    await expect(breaker.execute(down)).rejects.toThrow();
    clock.now = T0 + 1000;
    const slow = deferred<string>();
    const lagging = breaker.execute(() => slow.promise);
    await breaker.execute(() => 'fast'); // closes
    expect(breaker.snapshot.state).toBe(BreakerState.CLOSED);
    clock.now = T0 + 1001;
    slow.reject(new Error('late'));
    await expect(lagging).rejects.toThrow('late');
    expect(breaker.state).toBe(BreakerState.CLOSED);
  });
});
