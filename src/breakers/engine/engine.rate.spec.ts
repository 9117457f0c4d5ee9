import { BreakerConfig, BreakerConfigPatch, resolveConfig, TripPolicy } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { BreakerSnapshot, initialSnapshot } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { permitsFreely, step, StepResult, successIsQuiet } from './engine';
import { EngineEvent } from './engine-event';
import { RecoveryEventType as T } from './recovery-event-type';

/*
 * FAILURE_RATE, slow calls, late reports in CLOSED, and the window's restarts, step by step.
 * HALF_OPEN's permits are in engine.spec.ts; the model-based properties in engine.model.spec.ts.
 */

const T0 = 1_000_000; // a bucket boundary for every window below
const iso = (ms: number) => new Date(ms).toISOString();
const types = (events: readonly EngineEvent[]) => events.map((e) => e.type);

/** FAILURE_RATE over 10 s in 10 buckets, 4 calls at least, 50 %; open 1 s. */
const RATE = (patch: BreakerConfigPatch = {}): BreakerConfig =>
  resolveConfig({
    tripOn: TripPolicy.FAILURE_RATE,
    windowMs: 10_000,
    windowBuckets: 10,
    minimumCalls: 4,
    failureRateThreshold: 50,
    openTimeoutMs: 1000,
    maxOpenTimeoutMs: 8000,
    permitTimeoutMs: 500,
    ...patch,
  });

const ok = (more: Partial<Extract<BreakerInput, { type: 'OUTCOME' }>> = {}): BreakerInput => ({
  type: 'OUTCOME',
  success: true,
  ...more,
});
const fail = (more: Partial<Extract<BreakerInput, { type: 'OUTCOME' }>> = {}): BreakerInput => ({
  type: 'OUTCOME',
  success: false,
  ...more,
});

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

class Machine {
  snapshot: BreakerSnapshot;
  last!: StepResult;
  readonly events: EngineEvent[] = [];

  constructor(
    public config: BreakerConfig,
    now = T0,
  ) {
    this.snapshot = initialSnapshot(config, now);
  }

  apply(input: BreakerInput, now: number): StepResult {
    const result = step(deepFreeze(this.snapshot), deepFreeze(this.config), deepFreeze(input), now);
    this.snapshot = result.snapshot;
    this.config = result.config;
    this.events.push(...result.events);
    this.last = result;
    return result;
  }

  /** Applies each input at its time; returns the step that opened the breaker, or null. */
  run(script: [BreakerInput, number][]): StepResult | null {
    for (const [input, now] of script) {
      const r = this.apply(input, now);
      if (r.events.some((e) => e.type === T.CIRCUIT_OPENED)) return r;
    }
    return null;
  }
}

describe('FAILURE_RATE in CLOSED', () => {
  it('trips at exactly the call that brings calls to minimumCalls with the rate at its threshold, with the numbers', () => {
    const m = new Machine(RATE());
    const script: [BreakerInput, number][] = [
      [fail(), T0 + 100],
      [ok(), T0 + 200],
      [fail(), T0 + 300],
    ];
    expect(m.run(script)).toBeNull();
    expect(m.snapshot.window).toMatchObject({ calls: 3, failures: 2, slowCalls: 0 });
    const r = m.apply(ok(), T0 + 400); // 4 calls, 2 failures: 50 %
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_OPENED,
        at: T0 + 400,
        durationSinceLastMs: null,
        fromState: BreakerState.CLOSED,
        toState: BreakerState.OPEN,
        info: {
          calls: 4,
          failures: 2,
          slowCalls: 0,
          failureRate: 50,
          slowCallRate: 0,
          minimumCalls: 4,
          failureRateThreshold: 50,
          slowCallRateThreshold: 100,
          openTimeoutMs: 1000,
          openUntil: iso(T0 + 1400),
        },
      },
    ]);
    expect(r.snapshot).toMatchObject({
      state: BreakerState.OPEN,
      window: null,
      consecutiveFailures: 0,
      openUntil: T0 + 1400,
      outageStartedAt: T0 + 400,
    });
  });

  it('one call below minimumCalls never trips, even at 100 % failures', () => {
    const m = new Machine(RATE({ minimumCalls: 5 }));
    expect(m.run([1, 2, 3, 4].map((i): [BreakerInput, number] => [fail(), T0 + i]))).toBeNull();
    expect(m.snapshot.state).toBe(BreakerState.CLOSED);
    expect(m.snapshot.window).toMatchObject({ calls: 4, failures: 4 });
    expect(types(m.apply(fail(), T0 + 5).events)).toEqual([T.CIRCUIT_OPENED]);
  });

  it('below the threshold it keeps counting; a success does not reset anything', () => {
    const m = new Machine(RATE({ minimumCalls: 2, failureRateThreshold: 60 }));
    const script: [BreakerInput, number][] = [
      [fail(), T0],
      [ok(), T0 + 1], // 1 of 2: 50 %
      [fail(), T0 + 2], // 2 of 3: 66.7 %: trips
    ];
    const r = m.run(script);
    expect(r?.events[0].info).toMatchObject({ calls: 3, failures: 2, failureRate: 200 / 3 });
  });

  it('counts only the buckets still in the window: failures a whole bucket old drop out together', () => {
    const m = new Machine(RATE({ minimumCalls: 4 }));
    // three failures in bucket 0 (T0 … T0+999), then silence
    m.run([
      [fail(), T0],
      [fail(), T0 + 500],
      [fail(), T0 + 999],
    ]);
    // at T0 + 9999 they are all still in: one more failure trips
    const still = new Machine(m.config);
    still.snapshot = m.snapshot;
    expect(types(still.apply(fail(), T0 + 9999).events)).toEqual([T.CIRCUIT_OPENED]);
    // at T0 + 10000 bucket 0 has dropped out whole: the failure starts over, alone
    const r = m.apply(fail(), T0 + 10_000);
    expect(r.events).toEqual([]);
    expect(r.snapshot.window).toMatchObject({ calls: 1, failures: 1, head: (T0 + 10_000) / 1000 });
  });

  it('an outcome whose bucket has already left the window is not added and trips nothing', () => {
    const m = new Machine(RATE({ minimumCalls: 4 }));
    m.run([
      [fail(), T0 + 20_000],
      [fail(), T0 + 20_001],
      [fail(), T0 + 20_002],
    ]);
    const before = m.snapshot;
    // reported now, but happened 10 s before the newest bucket began
    const r = m.apply(fail({ occurredAt: T0 + 10_999 }), T0 + 20_003);
    expect(r.events).toEqual([]);
    expect(r.snapshot).toBe(before);
    // one that happened 9 s before is still in, lands in its own bucket, and trips
    const late = m.apply(fail({ occurredAt: T0 + 11_000 }), T0 + 20_004);
    expect(late.events[0].info).toMatchObject({ calls: 4, failures: 4 });
  });

  it('a slow call counts toward the slow-call rate; a slow failure counts as both', () => {
    const config = RATE({
      minimumCalls: 4,
      failureRateThreshold: 100,
      slowCallDurationMs: 200,
      slowCallRateThreshold: 75,
    });
    const m = new Machine(config);
    m.run([
      [ok({ durationMs: 200 }), T0], // slow (at the threshold)
      [fail({ durationMs: 500 }), T0 + 1], // slow failure
      [ok({ durationMs: 199 }), T0 + 2], // fast
    ]);
    expect(m.snapshot.window).toMatchObject({ calls: 3, failures: 1, slowCalls: 2 });
    const r = m.apply(ok({ durationMs: 1000 }), T0 + 3); // 3 slow of 4: 75 %
    expect(r.events[0].info).toMatchObject({
      calls: 4,
      failures: 1,
      slowCalls: 3,
      failureRate: 25,
      slowCallRate: 75,
      slowCallRateThreshold: 75,
    });
  });

  it('with slowCallDurationMs unset no call is slow, whatever its duration', () => {
    const m = new Machine(RATE({ minimumCalls: 2, slowCallRateThreshold: 1 }));
    m.run([
      [ok({ durationMs: 1e6 }), T0],
      [ok({ durationMs: 1e6 }), T0 + 1],
    ]);
    expect(m.snapshot.state).toBe(BreakerState.CLOSED);
    expect(m.snapshot.window).toMatchObject({ calls: 2, slowCalls: 0 });
  });

  it('keeps consecutiveFailures at 0: only the window decides', () => {
    const m = new Machine(RATE({ minimumCalls: 100, failureThreshold: 1 }));
    m.run([
      [fail(), T0],
      [fail(), T0 + 1],
    ]);
    expect(m.snapshot).toMatchObject({ state: BreakerState.CLOSED, consecutiveFailures: 0 });
  });
});

describe('CONSECUTIVE_FAILURES with slow calls', () => {
  const SLOW = resolveConfig({ failureThreshold: 3, openTimeoutMs: 1000, slowCallDurationMs: 300 });

  it('a slow success counts as a failure; the event says whether the call that tripped it was slow', () => {
    const m = new Machine(SLOW);
    m.apply(fail(), T0);
    m.apply(ok({ durationMs: 300 }), T0 + 1);
    expect(m.snapshot.consecutiveFailures).toBe(2);
    const r = m.apply(ok({ durationMs: 5000 }), T0 + 2);
    expect(r.events[0].info).toEqual({
      consecutiveFailures: 3,
      failureThreshold: 3,
      slow: true,
      openTimeoutMs: 1000,
      openUntil: iso(T0 + 1002),
    });
    const plain = new Machine(SLOW);
    plain.run([
      [ok({ durationMs: 400 }), T0],
      [ok({ durationMs: 400 }), T0 + 1],
    ]);
    expect(plain.apply(fail({ durationMs: 10 }), T0 + 2).events[0].info).toMatchObject({ slow: false });
    // a slow failure is slow too
    const slowFail = new Machine(SLOW);
    slowFail.run([
      [fail(), T0],
      [fail(), T0 + 1],
    ]);
    expect(slowFail.apply(fail({ durationMs: 301 }), T0 + 2).events[0].info).toMatchObject({ slow: true });
  });

  it('a fast success, or one of unknown duration, still resets the count', () => {
    const m = new Machine(SLOW);
    m.run([
      [fail(), T0],
      [fail(), T0 + 1],
    ]);
    expect(m.apply(ok({ durationMs: 299 }), T0 + 2).snapshot.consecutiveFailures).toBe(0);
    m.run([
      [fail(), T0 + 3],
      [fail(), T0 + 4],
    ]);
    expect(m.apply(ok({ durationMs: null }), T0 + 5).snapshot.consecutiveFailures).toBe(0);
  });

  it('without slowCallDurationMs the info is as it always was, with no slow field', () => {
    const m = new Machine(resolveConfig({ failureThreshold: 1 }));
    const info = m.apply(fail({ durationMs: 1e6 }), T0).events[0].info;
    expect(Object.keys(info).sort()).toEqual(['consecutiveFailures', 'failureThreshold', 'openTimeoutMs', 'openUntil']);
  });
});

describe('HALF_OPEN with slow calls (either policy)', () => {
  it.each([TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE])(
    '%s: a slow trial success fails the recovery, and the event says so',
    (tripOn) => {
      const config = resolveConfig({
        tripOn,
        failureThreshold: 1,
        minimumCalls: 1,
        openTimeoutMs: 1000,
        maxOpenTimeoutMs: 8000,
        successThreshold: 2,
        halfOpenMaxCalls: 2,
        slowCallDurationMs: 100,
      });
      const m = new Machine(config);
      expect(types(m.apply(fail(), T0).events)).toEqual([T.CIRCUIT_OPENED]);
      m.apply({ type: 'ACQUIRE', permitId: 'a' }, T0 + 1000);
      m.apply({ type: 'ACQUIRE', permitId: 'b' }, T0 + 1000);
      expect(m.apply(ok({ permitId: 'a', durationMs: 99 }), T0 + 1100).snapshot.halfOpenSuccesses).toBe(1);
      const r = m.apply(ok({ permitId: 'b', durationMs: 100 }), T0 + 1200);
      expect(types(r.events)).toEqual([T.RECOVERY_FAILED, T.CIRCUIT_OPENED]);
      expect(r.events[1].info).toEqual({
        trialSuccesses: 1,
        failureThreshold: 1,
        slow: true,
        openTimeoutMs: 2000,
        openUntil: iso(T0 + 3200),
      });
    },
  );
});

describe('CLOSED: outcomes from before the state began', () => {
  it.each([TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE])(
    '%s: a late report from before the recovery decides nothing; one at the recovery counts',
    (tripOn) => {
      const config = resolveConfig({ tripOn, failureThreshold: 1, minimumCalls: 1, openTimeoutMs: 1000 });
      const m = new Machine(config);
      m.apply(fail(), T0);
      m.apply(ok(), T0 + 1000); // half-opens and closes: CLOSED since T0 + 1000
      expect(m.snapshot).toMatchObject({ state: BreakerState.CLOSED, stateChangedAt: T0 + 1000 });
      const before = m.snapshot;
      const r = m.apply(fail({ occurredAt: T0 + 999 }), T0 + 1500);
      expect(r.events).toEqual([]);
      expect(r.snapshot).toEqual(before);
      expect(types(m.apply(fail({ occurredAt: T0 + 1000 }), T0 + 1501).events)).toEqual([T.CIRCUIT_OPENED]);
    },
  );
});

describe('the window restarts', () => {
  /** A FAILURE_RATE breaker with 3 calls, 2 failures in its window (minimumCalls 4). */
  function withCounts(patch: BreakerConfigPatch = {}): Machine {
    const m = new Machine(RATE(patch));
    m.run([
      [fail(), T0],
      [fail(), T0 + 1],
      [ok(), T0 + 2],
    ]);
    expect(m.snapshot.window).toMatchObject({ calls: 3, failures: 2 });
    return m;
  }

  it('is null in CONSECUTIVE_FAILURES mode, and in every state but CLOSED', () => {
    const m = new Machine(resolveConfig({ failureThreshold: 2 }));
    m.apply(fail(), T0);
    expect(m.snapshot.window).toBeNull();
    const rate = withCounts();
    rate.apply(fail(), T0 + 3); // trips
    expect(rate.snapshot).toMatchObject({ state: BreakerState.OPEN, window: null });
    rate.apply(ok(), T0 + 500); // OPEN: counted by the metrics only
    expect(rate.snapshot.window).toBeNull();
    rate.apply({ type: 'ADVANCE' }, T0 + 1003);
    expect(rate.snapshot).toMatchObject({ state: BreakerState.HALF_OPEN, window: null });
  });

  it('on the close after a recovery: the new CLOSED period counts from zero', () => {
    const m = withCounts();
    m.apply(fail(), T0 + 3); // trips, OPEN until T0 + 1003
    m.apply(ok(), T0 + 1003); // half-opens, trial success closes
    expect(m.snapshot).toMatchObject({ state: BreakerState.CLOSED, window: null });
    m.run([
      [fail(), T0 + 1004],
      [fail(), T0 + 1005],
      [fail(), T0 + 1006],
    ]);
    expect(m.snapshot).toMatchObject({ state: BreakerState.CLOSED, window: { calls: 3, failures: 3 } });
  });

  it.each<[string, BreakerInput]>([
    ['RESET (CLOSED to CLOSED)', { type: 'RESET' }],
    ['CONFIGURE changing tripOn', { type: 'CONFIGURE', config: RATE({ tripOn: TripPolicy.CONSECUTIVE_FAILURES }) }],
    ['CONFIGURE changing windowMs', { type: 'CONFIGURE', config: RATE({ windowMs: 20_000 }) }],
    ['CONFIGURE changing windowBuckets', { type: 'CONFIGURE', config: RATE({ windowBuckets: 5 }) }],
  ])('on %s', (_name, input) => {
    const m = withCounts();
    const r = m.apply(input, T0 + 3);
    expect(r.snapshot.window).toBeNull();
    expect(r.snapshot.state).toBe(BreakerState.CLOSED);
  });

  it('on DISABLE and FORCE_OPEN, and it stays empty after a RESET', () => {
    for (const type of ['DISABLE', 'FORCE_OPEN'] as const) {
      const m = withCounts();
      expect(m.apply({ type }, T0 + 3).snapshot.window).toBeNull();
      expect(m.apply({ type: 'RESET' }, T0 + 4).snapshot.window).toBeNull();
      expect(m.apply(fail(), T0 + 5).snapshot.window).toMatchObject({ calls: 1, failures: 1 });
    }
  });

  it('but not on a CONFIGURE that leaves the policy and the window shape alone: the new threshold applies at once', () => {
    const m = withCounts();
    const r = m.apply({ type: 'CONFIGURE', config: RATE({ minimumCalls: 3, failureRateThreshold: 60 }) }, T0 + 3);
    expect(r.snapshot.window).toMatchObject({ calls: 3, failures: 2 });
    expect(types(m.apply(ok(), T0 + 4).events)).toEqual([]); // 2 of 4: 50 % < 60 %
    expect(m.apply(fail(), T0 + 5).events[0].info).toMatchObject({ calls: 5, failures: 3, failureRate: 60 });
  });

  it('nor on one turning slow calls off: those counted stay in the window, but trip nothing any more', () => {
    const slow = RATE({ minimumCalls: 4, slowCallDurationMs: 100, slowCallRateThreshold: 50 });
    const m = new Machine(slow);
    m.run([
      [ok({ durationMs: 500 }), T0],
      [ok({ durationMs: 500 }), T0 + 1],
      [ok(), T0 + 2],
    ]);
    expect(m.snapshot.window).toMatchObject({ calls: 3, slowCalls: 2 });
    const off = { ...slow, slowCallDurationMs: null };
    expect(m.apply({ type: 'CONFIGURE', config: off }, T0 + 3).snapshot.window).toMatchObject({ slowCalls: 2 });
    const r = m.apply(ok({ durationMs: 500 }), T0 + 4); // 4 calls, 2 slow (50 %), but slow calls are off
    expect(r.events).toEqual([]);
    expect(r.snapshot.window).toMatchObject({ calls: 4, slowCalls: 2 });
    // had they stayed on, that call would have tripped it
    const on = new Machine(slow);
    on.snapshot = m.snapshot;
    expect(on.apply(ok({ durationMs: 500 }), T0 + 5).events[0].info).toMatchObject({ slowCalls: 3, calls: 5 });
  });

  it('CONFIGURE changing tripOn starts the failure count afresh too', () => {
    const m = new Machine(resolveConfig({ failureThreshold: 3 }));
    m.run([
      [fail(), T0],
      [fail(), T0 + 1],
    ]);
    const r = m.apply(
      { type: 'CONFIGURE', config: resolveConfig({ failureThreshold: 3, tripOn: TripPolicy.FAILURE_RATE }) },
      T0 + 2,
    );
    expect(r.snapshot.consecutiveFailures).toBe(0);
    expect(r.events[0].info.new).toMatchObject({ tripOn: TripPolicy.FAILURE_RATE });
    expect(r.events[0].info.old).toMatchObject({ tripOn: TripPolicy.CONSECUTIVE_FAILURES, slowCallDurationMs: null });
  });
});

describe('the quiet predicates', () => {
  const closed = (config: BreakerConfig) => initialSnapshot(config, T0);

  it('successIsQuiet: only DISABLED, or CLOSED counting in a row with none and no slow calls', () => {
    const plain = resolveConfig({});
    expect(successIsQuiet(closed(plain), plain)).toBe(true);
    expect(successIsQuiet({ ...closed(plain), consecutiveFailures: 1 }, plain)).toBe(false);
    const slow = resolveConfig({ slowCallDurationMs: 100 });
    expect(successIsQuiet(closed(slow), slow)).toBe(false);
    const rate = RATE();
    expect(successIsQuiet(closed(rate), rate)).toBe(false);
    for (const config of [plain, slow, rate]) {
      expect(successIsQuiet({ ...closed(config), state: BreakerState.DISABLED }, config)).toBe(true);
      expect(successIsQuiet({ ...closed(config), state: BreakerState.HALF_OPEN }, config)).toBe(false);
    }
  });

  it('what successIsQuiet calls quiet really changes nothing, and what it does not can change something', () => {
    const slow = resolveConfig({ slowCallDurationMs: 100, failureThreshold: 1 });
    expect(step(closed(slow), slow, ok({ durationMs: 100 }), T0).snapshot.state).toBe(BreakerState.OPEN);
    const rate = RATE();
    expect(step(closed(rate), rate, ok(), T0).snapshot.window).toMatchObject({ calls: 1 });
    const plain = resolveConfig({});
    const s = closed(plain);
    const r = step(s, plain, ok({ durationMs: 1e6, occurredAt: T0 - 1 }), T0 + 5);
    expect(r.snapshot).toBe(s);
    expect(r.events).toEqual([]);
  });

  it('permitsFreely: CLOSED and DISABLED, in either mode; ACQUIRE there carries no permit', () => {
    const rate = RATE();
    expect(permitsFreely(closed(rate))).toBe(true);
    const r = step(closed(rate), rate, { type: 'ACQUIRE', permitId: 'x' }, T0);
    expect(r).toMatchObject({ permitted: true, permit: null, events: [] });
    expect(r.snapshot).toEqual(closed(rate));
  });
});
