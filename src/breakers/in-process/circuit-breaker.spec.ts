import {
  BreakerConfig,
  BreakerInput,
  BreakerRecord,
  BreakerState,
  EMPTY_METRICS,
  EngineEvent,
  evolve,
  initialSnapshot,
  InvalidConfigError,
  RecoveryEventType as T,
  TripPolicy,
} from '../engine';
import { BreakerOpenError } from './breaker-open.error';
import { CircuitBreaker } from './circuit-breaker';
import { MonitoredEvent, RecoveryMonitor } from './recovery-monitor';
import { deferred } from '../../../test/support/deferred';

const T0 = 1_000_000;

/** A mutable fake clock: tests move `clock.now`; nothing ever sleeps. */
function fakeClock(start = T0) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

class RecordingMonitor implements RecoveryMonitor {
  readonly events: MonitoredEvent[] = [];
  onEvent(event: MonitoredEvent): void {
    this.events.push(event);
  }
  types(): T[] {
    return this.events.map((e) => e.type);
  }
}

const boom = () => {
  throw new Error('boom');
};
const rejecting = () => Promise.reject(new Error('down'));

/** The defaults of the settings these tests leave alone. */
const REST = {
  tripOn: TripPolicy.CONSECUTIVE_FAILURES,
  windowMs: 60_000,
  windowBuckets: 10,
  minimumCalls: 20,
  failureRateThreshold: 50,
  slowCallDurationMs: null,
  slowCallRateThreshold: 100,
  permitTimeoutMs: 30_000,
};

/** threshold 3, first open period 1 s, cap 8 s, one trial at a time, one trial success closes. */
const CONFIG = { failureThreshold: 3, openTimeoutMs: 1000, maxOpenTimeoutMs: 8000 };

function makeBreaker(options: { monitor?: RecoveryMonitor; name?: string; config?: Partial<BreakerConfig> } = {}) {
  const clock = fakeClock();
  const breaker = new CircuitBreaker({
    name: options.name ?? 'payments',
    config: { ...CONFIG, ...options.config },
    monitor: options.monitor,
    clock: clock.read,
  });
  return { breaker, clock };
}

async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await expect(breaker.execute(rejecting)).rejects.toThrow('down');
}

describe('CircuitBreaker construction', () => {
  it('defaults to the name "default" and the platform defaults', () => {
    const breaker = new CircuitBreaker({ clock: () => T0 });
    expect(breaker.name).toBe('default');
    expect(breaker.config).toEqual({
      failureThreshold: 5,
      openTimeoutMs: 30_000,
      maxOpenTimeoutMs: 60_000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      ...REST,
    });
    expect(breaker.snapshot).toEqual(initialSnapshot(breaker.config, T0));
    expect(breaker.metrics).toEqual(EMPTY_METRICS);
  });

  it('takes a partial config over the defaults and validates it', () => {
    const { breaker } = makeBreaker();
    expect(breaker.config).toEqual({
      failureThreshold: 3,
      openTimeoutMs: 1000,
      maxOpenTimeoutMs: 8000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      ...REST,
    });
    expect(() => new CircuitBreaker({ config: { failureThreshold: 0 } })).toThrow(InvalidConfigError);
    expect(() => new CircuitBreaker({ config: { openTimeoutMs: 99 } })).toThrow(InvalidConfigError);
  });
});

describe('CircuitBreaker.execute', () => {
  it('passes through results, sync and async, while CLOSED', async () => {
    const { breaker } = makeBreaker();
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(breaker.execute(async () => 'async')).resolves.toBe('async');
    await expect(breaker.execute(() => Promise.resolve({ a: 1 }))).resolves.toEqual({ a: 1 });
    expect(breaker.metrics.totalCalls).toBe(3);
    expect(breaker.metrics.totalFailures).toBe(0);
  });

  it('passes through the very error thrown or rejected, and counts it', async () => {
    const { breaker } = makeBreaker();
    const error = new TypeError('precise');
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.snapshot.consecutiveFailures).toBe(2);
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(breaker.metrics).toMatchObject({ totalCalls: 2, totalFailures: 2, lastFailureAt: T0 });
  });

  it('a success resets the failure count', async () => {
    const { breaker } = makeBreaker();
    await failTimes(breaker, 2);
    await breaker.execute(() => 'ok');
    expect(breaker.snapshot.consecutiveFailures).toBe(0);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe(BreakerState.CLOSED);
  });

  it('opens after the threshold and then refuses calls with BreakerOpenError without calling fn', async () => {
    const { breaker, clock } = makeBreaker();
    await failTimes(breaker, 3);
    expect(breaker.state).toBe(BreakerState.OPEN);
    expect(breaker.snapshot.openUntil).toBe(T0 + 1000);
    const fn = jest.fn(() => 'never');
    clock.now = T0 + 999;
    const refused = breaker.execute(fn);
    await expect(refused).rejects.toBeInstanceOf(BreakerOpenError);
    await expect(refused).rejects.toMatchObject({
      name: 'BreakerOpenError',
      breakerName: 'payments',
      state: BreakerState.OPEN,
      message: 'circuit breaker "payments" is OPEN: call refused',
    });
    expect(fn).not.toHaveBeenCalled();
    // a refused call is no outcome
    expect(breaker.metrics.totalCalls).toBe(3);
  });

  it('starts from a snapshot taken elsewhere: OPEN until its openUntil, then a trial as usual', async () => {
    const clock = fakeClock();
    const config = { failureThreshold: 3, openTimeoutMs: 1000 };
    const open = {
      ...initialSnapshot({ ...new CircuitBreaker({ config }).config }, T0 - 500),
      state: BreakerState.OPEN,
      openUntil: T0 + 200,
      outageStartedAt: T0 - 500,
    };
    const breaker = new CircuitBreaker({ name: 'seeded', config, snapshot: open, clock: clock.read });
    const fn = jest.fn(() => 'ok');
    await expect(breaker.execute(fn)).rejects.toBeInstanceOf(BreakerOpenError);
    expect(fn).not.toHaveBeenCalled();
    clock.now = T0 + 200;
    await expect(breaker.execute(fn)).resolves.toBe('ok');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(breaker.metrics).toMatchObject({ successfulRecoveries: 1, totalRecoveryTimeMs: 700 });
  });

  it('goes HALF_OPEN at the first call after the open period and closes after a successful trial', async () => {
    const { breaker, clock } = makeBreaker();
    await failTimes(breaker, 3);
    clock.now = T0 + 1000;
    const fn = jest.fn(() => 'recovered');
    await expect(breaker.execute(fn)).resolves.toBe('recovered');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(breaker.snapshot.currentOpenTimeoutMs).toBe(1000);
    expect(breaker.metrics).toMatchObject({
      recoveryAttempts: 1,
      successfulRecoveries: 1,
      totalRecoveryTimeMs: 1000,
      lastRecoveryAt: T0 + 1000,
    });
  });

  it('reading state after the open period moves the breaker to HALF_OPEN', async () => {
    const { breaker, clock } = makeBreaker();
    await failTimes(breaker, 3);
    clock.now = T0 + 999;
    expect(breaker.state).toBe(BreakerState.OPEN);
    clock.now = T0 + 1000;
    expect(breaker.snapshot.state).toBe(BreakerState.OPEN); // the snapshot getter lets no time pass
    expect(breaker.state).toBe(BreakerState.HALF_OPEN);
    expect(breaker.snapshot.state).toBe(BreakerState.HALF_OPEN);
  });

  it('re-opens with a doubled open period after a failed trial, capped at maxOpenTimeoutMs', async () => {
    const { breaker, clock } = makeBreaker({ config: { maxOpenTimeoutMs: 5000 } });
    await failTimes(breaker, 3);
    let period = 1000;
    for (const expected of [2000, 4000, 5000, 5000]) {
      clock.now += period;
      await expect(breaker.execute(rejecting)).rejects.toThrow('down');
      expect(breaker.state).toBe(BreakerState.OPEN);
      expect(breaker.snapshot.currentOpenTimeoutMs).toBe(expected);
      expect(breaker.snapshot.openUntil).toBe(clock.now + expected);
      // refused until the new period is over
      clock.now += expected - 1;
      await expect(breaker.execute(() => 1)).rejects.toBeInstanceOf(BreakerOpenError);
      clock.now -= expected - 1;
      period = expected;
    }
    expect(breaker.metrics).toMatchObject({ recoveryAttempts: 4, failedRecoveries: 4, consecutiveFailedRecoveries: 4 });
  });

  it('lets only halfOpenMaxCalls trials run at once', async () => {
    const { breaker, clock } = makeBreaker();
    await failTimes(breaker, 3);
    clock.now = T0 + 1000;
    const trial = deferred<string>();
    const first = breaker.execute(() => trial.promise);
    // awaited below; the handler only keeps a failing run from crashing on an unhandled rejection
    first.catch(() => undefined);
    expect(breaker.snapshot.state).toBe(BreakerState.HALF_OPEN);
    const second = jest.fn(() => 'second');
    await expect(breaker.execute(second)).rejects.toMatchObject({
      name: 'BreakerOpenError',
      state: BreakerState.HALF_OPEN,
    });
    expect(second).not.toHaveBeenCalled();
    trial.resolve('first');
    await expect(first).resolves.toBe('first');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    await expect(breaker.execute(second)).resolves.toBe('second');
  });

  it('needs successThreshold successful trials to close', async () => {
    const { breaker, clock } = makeBreaker({ config: { successThreshold: 2 } });
    await failTimes(breaker, 3);
    clock.now = T0 + 1000;
    await breaker.execute(() => 'a');
    expect(breaker.state).toBe(BreakerState.HALF_OPEN);
    await breaker.execute(() => 'b');
    expect(breaker.state).toBe(BreakerState.CLOSED);
  });
});

describe('CircuitBreaker monitoring', () => {
  it('hands the monitor the engine events, in order, with breakerName', async () => {
    const monitor = new RecordingMonitor();
    const { breaker, clock } = makeBreaker({ monitor, name: 'inventory' });
    await failTimes(breaker, 3); // CIRCUIT_OPENED at T0
    clock.now = T0 + 1000;
    await expect(breaker.execute(rejecting)).rejects.toThrow(); // half-open, recovery fails, → 2000
    clock.now = T0 + 3000;
    await breaker.execute(() => 'ok'); // half-open, recovery succeeds
    expect(monitor.types()).toEqual([
      T.CIRCUIT_OPENED,
      T.CIRCUIT_HALF_OPENED,
      T.RECOVERY_ATTEMPTED,
      T.RECOVERY_FAILED,
      T.CIRCUIT_OPENED,
      T.CIRCUIT_HALF_OPENED,
      T.RECOVERY_ATTEMPTED,
      T.RECOVERY_SUCCEEDED,
      T.CIRCUIT_CLOSED,
    ]);
    expect(monitor.events.every((e) => e.breakerName === 'inventory')).toBe(true);
    expect(monitor.events.map((e) => e.at)).toEqual([
      T0,
      T0 + 1000,
      T0 + 1000,
      T0 + 1000,
      T0 + 1000,
      T0 + 3000,
      T0 + 3000,
      T0 + 3000,
      T0 + 3000,
    ]);
    expect(monitor.events[8]).toMatchObject({
      fromState: BreakerState.HALF_OPEN,
      toState: BreakerState.CLOSED,
      info: { recoveryTimeMs: 3000 },
    });

    // exactly what the pure engine produces for the same inputs at the same times; in HALF_OPEN
    // each call runs under a permit of its own, numbered from 1
    const F: BreakerInput = { type: 'OUTCOME', success: false };
    const A: BreakerInput = { type: 'ACQUIRE' };
    const script: [BreakerInput, number][] = [
      [A, T0],
      [F, T0],
      [A, T0],
      [F, T0],
      [A, T0],
      [F, T0],
      [{ type: 'ACQUIRE', permitId: '1' }, T0 + 1000],
      [{ type: 'OUTCOME', success: false, permitId: '1' }, T0 + 1000],
      [{ type: 'ACQUIRE', permitId: '2' }, T0 + 3000],
      [{ type: 'OUTCOME', success: true, permitId: '2' }, T0 + 3000],
    ];
    let record: BreakerRecord = {
      snapshot: initialSnapshot(breaker.config, T0),
      config: breaker.config,
      metrics: EMPTY_METRICS,
    };
    const expected: EngineEvent[] = [];
    for (const [input, now] of script) {
      const r = evolve(record, input, now);
      record = { snapshot: r.snapshot, config: r.config, metrics: r.metrics };
      expected.push(...r.events);
    }
    expect(monitor.events).toEqual(expected.map((e) => ({ ...e, breakerName: 'inventory' })));
    expect(breaker.snapshot).toEqual(record.snapshot);
    expect(breaker.metrics).toEqual(record.metrics);
  });

  it('a monitor that throws breaks neither results nor errors nor state keeping', async () => {
    const onEvent = jest.fn(() => {
      throw new Error('monitor down');
    });
    const { breaker, clock } = makeBreaker({ monitor: { onEvent } });
    await failTimes(breaker, 2);
    // the third failure emits CIRCUIT_OPENED: the caller still sees the call's own error
    await expect(breaker.execute(rejecting)).rejects.toThrow('down');
    expect(onEvent).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe(BreakerState.OPEN);
    clock.now = T0 + 1000;
    // the trial success emits four events; the result still comes back
    await expect(breaker.execute(() => 'fine')).resolves.toBe('fine');
    expect(onEvent).toHaveBeenCalledTimes(5);
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(() => breaker.forceOpen('x')).not.toThrow();
    expect(breaker.snapshot.state).toBe(BreakerState.FORCED_OPEN);
    expect(onEvent).toHaveBeenCalledTimes(6);
  });

  it('withMonitoring(threshold, timeout, monitor, name) builds a monitored breaker', async () => {
    const monitor = new RecordingMonitor();
    const breaker = CircuitBreaker.withMonitoring(2, 60_000, monitor, 'legacy-service');
    expect(breaker.name).toBe('legacy-service');
    expect(breaker.config).toEqual({
      failureThreshold: 2,
      openTimeoutMs: 60_000,
      maxOpenTimeoutMs: 120_000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      ...REST,
    });
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    await expect(breaker.execute(rejecting)).rejects.toThrow('down');
    expect(monitor.events).toEqual([]);
    await expect(breaker.execute(rejecting)).rejects.toThrow('down');
    expect(monitor.events).toHaveLength(1);
    expect(monitor.events[0]).toMatchObject({
      type: T.CIRCUIT_OPENED,
      breakerName: 'legacy-service',
      fromState: BreakerState.CLOSED,
      toState: BreakerState.OPEN,
      info: { consecutiveFailures: 2, failureThreshold: 2, openTimeoutMs: 60_000 },
    });
    // real clock: a minute is far away, so the breaker refuses now
    const fn = jest.fn();
    await expect(breaker.execute(fn)).rejects.toMatchObject({
      breakerName: 'legacy-service',
      state: BreakerState.OPEN,
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it('withMonitoring rejects an invalid config', () => {
    expect(() => CircuitBreaker.withMonitoring(0, 60_000, new RecordingMonitor(), 'x')).toThrow(InvalidConfigError);
  });
});

describe('CircuitBreaker admin actions', () => {
  it('reset closes an open breaker, keeps the metrics, and is reported with its reason', async () => {
    const monitor = new RecordingMonitor();
    const { breaker, clock } = makeBreaker({ monitor });
    await failTimes(breaker, 3);
    clock.now = T0 + 10;
    breaker.reset('dependency fixed');
    expect(breaker.state).toBe(BreakerState.CLOSED);
    expect(breaker.snapshot).toMatchObject({
      consecutiveFailures: 0,
      openUntil: null,
      currentOpenTimeoutMs: 1000,
      stateChangedAt: T0 + 10,
    });
    expect(breaker.metrics).toMatchObject({ totalCalls: 3, totalFailures: 3, closedEpisodesOpenMs: 10 });
    expect(monitor.events[monitor.events.length - 1]).toMatchObject({
      type: T.CIRCUIT_RESET,
      fromState: BreakerState.OPEN,
      toState: BreakerState.CLOSED,
      info: { reason: 'dependency fixed' },
      breakerName: 'payments',
    });
    await expect(breaker.execute(() => 'again')).resolves.toBe('again');
  });

  it('forceOpen refuses every call however much time passes, until reset', async () => {
    const { breaker, clock } = makeBreaker();
    breaker.forceOpen('maintenance');
    const fn = jest.fn(() => 'x');
    for (const later of [0, 1000, 10_000_000]) {
      clock.now = T0 + later;
      await expect(breaker.execute(fn)).rejects.toMatchObject({
        name: 'BreakerOpenError',
        state: BreakerState.FORCED_OPEN,
      });
      expect(breaker.state).toBe(BreakerState.FORCED_OPEN);
    }
    expect(fn).not.toHaveBeenCalled();
    breaker.reset();
    await expect(breaker.execute(fn)).resolves.toBe('x');
  });

  it('disable lets every call through and never trips', async () => {
    const monitor = new RecordingMonitor();
    const { breaker } = makeBreaker({ monitor });
    breaker.disable('too noisy');
    expect(monitor.types()).toEqual([T.CIRCUIT_DISABLED]);
    await failTimes(breaker, 20);
    expect(breaker.state).toBe(BreakerState.DISABLED);
    await expect(breaker.execute(() => 'through')).resolves.toBe('through');
    expect(monitor.types()).toEqual([T.CIRCUIT_DISABLED]);
    expect(breaker.metrics).toMatchObject({ totalCalls: 21, totalFailures: 20 });
  });

  it('configure patches the config in force, reports CONFIG_CHANGED, and applies at once', async () => {
    const monitor = new RecordingMonitor();
    const { breaker } = makeBreaker({ monitor });
    breaker.configure({ failureThreshold: 1 }, 'stricter');
    expect(breaker.config).toEqual({
      failureThreshold: 1,
      openTimeoutMs: 1000,
      maxOpenTimeoutMs: 8000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      ...REST,
    });
    expect(monitor.events).toHaveLength(1);
    expect(monitor.events[0]).toMatchObject({
      type: T.CONFIG_CHANGED,
      breakerName: 'payments',
      info: {
        reason: 'stricter',
        old: {
          failureThreshold: 3,
          openTimeoutMs: 1000,
          maxOpenTimeoutMs: 8000,
          halfOpenMaxCalls: 1,
          successThreshold: 1,
          ...REST,
        },
        new: {
          failureThreshold: 1,
          openTimeoutMs: 1000,
          maxOpenTimeoutMs: 8000,
          halfOpenMaxCalls: 1,
          successThreshold: 1,
          ...REST,
        },
      },
    });
    await failTimes(breaker, 1);
    expect(breaker.state).toBe(BreakerState.OPEN);
  });

  it('configure rejects an invalid patch and keeps the config', () => {
    const monitor = new RecordingMonitor();
    const { breaker } = makeBreaker({ monitor });
    let caught: unknown;
    try {
      breaker.configure({ openTimeoutMs: 9000 }); // above the kept cap of 8000
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigError);
    expect((caught as InvalidConfigError).field).toBe('maxOpenTimeoutMs');
    expect(breaker.config.openTimeoutMs).toBe(1000);
    expect(monitor.events).toEqual([]);
  });
});
