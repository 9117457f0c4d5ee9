import { BreakerConfig, resolveConfig } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { BreakerSnapshot, initialSnapshot } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { isDue, step, StepResult } from './engine';
import { EngineEvent } from './engine-event';
import { RecoveryEventType as T } from './recovery-event-type';

const T0 = 1_000_000;

/**
 * failureThreshold 3, first open period 1 s, cap 8 s, 2 trial permits lasting 1.5 s, 2 trial
 * successes to close; CONSECUTIVE_FAILURES, no slow calls.
 */
const CONFIG: BreakerConfig = Object.freeze(
  resolveConfig({
    failureThreshold: 3,
    openTimeoutMs: 1000,
    maxOpenTimeoutMs: 8000,
    halfOpenMaxCalls: 2,
    successThreshold: 2,
    permitTimeoutMs: 1500,
  }),
);

/** An ACQUIRE without a permit id: enough where no permit is needed, refused in HALF_OPEN. */
const ACQUIRE: BreakerInput = { type: 'ACQUIRE' };
const acquire = (permitId: string): BreakerInput => ({ type: 'ACQUIRE', permitId });
const settle = (permitId: string, success = true): BreakerInput => ({ type: 'OUTCOME', success, permitId });
const ADVANCE: BreakerInput = { type: 'ADVANCE' };
const OK: BreakerInput = { type: 'OUTCOME', success: true };
const FAIL: BreakerInput = { type: 'OUTCOME', success: false };

const iso = (ms: number) => new Date(ms).toISOString();
const types = (events: readonly EngineEvent[]) => events.map((e) => e.type);

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Drives `step` through a sequence, keeping every result; every argument handed to `step` is deep-frozen. */
class Machine {
  snapshot: BreakerSnapshot;
  config: BreakerConfig;
  last!: StepResult;
  readonly events: EngineEvent[] = [];

  constructor(config: BreakerConfig = CONFIG, now = T0) {
    this.config = config;
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

  /** Fails `failureThreshold` times in a row at `now`. */
  trip(now: number): StepResult {
    for (let i = 1; i < this.config.failureThreshold; i++) this.apply(FAIL, now);
    return this.apply(FAIL, now);
  }
}

/** A breaker opened at T0 (CONFIG), due for HALF_OPEN at T0 + 1000. */
function openedMachine(config: BreakerConfig = CONFIG): Machine {
  const m = new Machine(config);
  m.trip(T0);
  expect(m.snapshot.state).toBe(BreakerState.OPEN);
  return m;
}

/** A breaker opened at T0 and half-opened at T0 + openTimeoutMs. */
function halfOpenMachine(config: BreakerConfig = CONFIG): Machine {
  const m = openedMachine(config);
  m.apply(ADVANCE, T0 + config.openTimeoutMs);
  expect(m.snapshot.state).toBe(BreakerState.HALF_OPEN);
  return m;
}

describe('initialSnapshot', () => {
  it('starts CLOSED with clean counters and the first open period', () => {
    expect(initialSnapshot(CONFIG, T0)).toEqual({
      state: BreakerState.CLOSED,
      consecutiveFailures: 0,
      halfOpenSuccesses: 0,
      permits: [],
      window: null,
      currentOpenTimeoutMs: 1000,
      openUntil: null,
      outageStartedAt: null,
      stateChangedAt: T0,
      lastEventAt: null,
    });
  });
});

describe('step: CLOSED', () => {
  it('permits ACQUIRE without events or change', () => {
    const m = new Machine();
    const before = m.snapshot;
    const r = m.apply(ACQUIRE, T0 + 5);
    expect(r.permitted).toBe(true);
    expect(r.events).toEqual([]);
    expect(r.snapshot).toEqual(before);
    expect(r.config).toEqual(CONFIG);
  });

  it('reports permitted = null for every input but ACQUIRE', () => {
    for (const input of [
      ADVANCE,
      OK,
      FAIL,
      { type: 'RESET' } as const,
      { type: 'CONFIGURE', config: CONFIG } as const,
    ]) {
      expect(new Machine().apply(input, T0).permitted).toBeNull();
    }
  });

  it('counts failures in a row below the threshold, with no event', () => {
    const m = new Machine();
    let r = m.apply(FAIL, T0 + 1);
    expect(r.snapshot.consecutiveFailures).toBe(1);
    expect(r.snapshot.state).toBe(BreakerState.CLOSED);
    expect(r.events).toEqual([]);
    r = m.apply(FAIL, T0 + 2);
    expect(r.snapshot.consecutiveFailures).toBe(2);
    expect(r.snapshot.state).toBe(BreakerState.CLOSED);
    expect(r.events).toEqual([]);
    expect(r.snapshot.lastEventAt).toBeNull();
    expect(r.snapshot.stateChangedAt).toBe(T0);
  });

  it('resets the failure count to 0 on a success', () => {
    const m = new Machine();
    m.apply(FAIL, T0 + 1);
    m.apply(FAIL, T0 + 2);
    const r = m.apply(OK, T0 + 3);
    expect(r.snapshot.consecutiveFailures).toBe(0);
    expect(r.events).toEqual([]);
    // after the reset it takes the full threshold again
    m.apply(FAIL, T0 + 4);
    m.apply(FAIL, T0 + 5);
    expect(m.snapshot.state).toBe(BreakerState.CLOSED);
    expect(m.apply(FAIL, T0 + 6).snapshot.state).toBe(BreakerState.OPEN);
  });

  it('a success with no failures counted leaves the snapshot unchanged', () => {
    const m = new Machine();
    const before = m.snapshot;
    const r = m.apply(OK, T0 + 1);
    expect(r.snapshot).toEqual(before);
    expect(r.events).toEqual([]);
  });

  it('opens at failureThreshold with one CIRCUIT_OPENED event', () => {
    const m = new Machine();
    m.apply(FAIL, T0 + 10);
    m.apply(FAIL, T0 + 20);
    const r = m.apply(FAIL, T0 + 30);
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_OPENED,
        at: T0 + 30,
        durationSinceLastMs: null,
        fromState: BreakerState.CLOSED,
        toState: BreakerState.OPEN,
        info: {
          consecutiveFailures: 3,
          failureThreshold: 3,
          openTimeoutMs: 1000,
          openUntil: iso(T0 + 1030),
        },
      },
    ]);
    expect(r.snapshot).toMatchObject({
      state: BreakerState.OPEN,
      halfOpenSuccesses: 0,
      permits: [],
      window: null,
      currentOpenTimeoutMs: 1000,
      openUntil: T0 + 1030,
      outageStartedAt: T0 + 30,
      stateChangedAt: T0 + 30,
      lastEventAt: T0 + 30,
    });
  });

  it('opens on the first failure with failureThreshold 1', () => {
    const m = new Machine({ ...CONFIG, failureThreshold: 1 });
    const r = m.apply(FAIL, T0 + 7);
    expect(types(r.events)).toEqual([T.CIRCUIT_OPENED]);
    expect(r.events[0].info).toMatchObject({ consecutiveFailures: 1, failureThreshold: 1 });
    expect(r.snapshot.state).toBe(BreakerState.OPEN);
  });

  it('ADVANCE changes nothing', () => {
    const m = new Machine();
    m.apply(FAIL, T0);
    const before = m.snapshot;
    const r = m.apply(ADVANCE, T0 + 10_000_000);
    expect(r.snapshot).toEqual(before);
    expect(r.events).toEqual([]);
  });
});

describe('step: OPEN', () => {
  it('refuses ACQUIRE until the open period is over', () => {
    const m = openedMachine();
    const before = m.snapshot;
    for (const now of [T0, T0 + 1, T0 + 999]) {
      const r = m.apply(ACQUIRE, now);
      expect(r.permitted).toBe(false);
      expect(r.events).toEqual([]);
      expect(r.snapshot).toEqual(before);
    }
  });

  it.each([
    ['a success', OK],
    ['a failure', FAIL],
    ['ADVANCE', ADVANCE],
  ])('%s before openUntil changes no state and emits nothing', (_name, input) => {
    const m = openedMachine();
    const before = m.snapshot;
    const r = m.apply(input, T0 + 999);
    expect(r.snapshot).toEqual(before);
    expect(r.events).toEqual([]);
  });

  it('isDue only for an OPEN breaker at or after openUntil', () => {
    const m = openedMachine();
    expect(isDue(m.snapshot, T0 + 999)).toBe(false);
    expect(isDue(m.snapshot, T0 + 1000)).toBe(true);
    expect(isDue(m.snapshot, T0 + 5000)).toBe(true);
    expect(isDue(new Machine().snapshot, T0 + 5000)).toBe(false);
    expect(isDue(halfOpenMachine().snapshot, T0 + 50_000)).toBe(false);
  });

  it('moves to HALF_OPEN on ADVANCE exactly at openUntil: CIRCUIT_HALF_OPENED then RECOVERY_ATTEMPTED', () => {
    const m = openedMachine();
    const r = m.apply(ADVANCE, T0 + 1000);
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_HALF_OPENED,
        at: T0 + 1000,
        durationSinceLastMs: 1000,
        fromState: BreakerState.OPEN,
        toState: BreakerState.HALF_OPEN,
        info: { openTimeoutMs: 1000 },
      },
      {
        type: T.RECOVERY_ATTEMPTED,
        at: T0 + 1000,
        durationSinceLastMs: 0,
        fromState: null,
        toState: null,
        info: { halfOpenMaxCalls: 2, successThreshold: 2, outageStartedAt: iso(T0) },
      },
    ]);
    expect(r.snapshot).toEqual({
      state: BreakerState.HALF_OPEN,
      consecutiveFailures: r.snapshot.consecutiveFailures,
      halfOpenSuccesses: 0,
      permits: [],
      window: null,
      currentOpenTimeoutMs: 1000,
      openUntil: null,
      outageStartedAt: T0,
      stateChangedAt: T0 + 1000,
      lastEventAt: T0 + 1000,
    });
  });

  it('moves to HALF_OPEN on the first input well after openUntil', () => {
    const m = openedMachine();
    const r = m.apply(ADVANCE, T0 + 123_456);
    expect(types(r.events)).toEqual([T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED]);
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
    expect(r.snapshot.stateChangedAt).toBe(T0 + 123_456);
    expect(r.events[0].durationSinceLastMs).toBe(123_456);
  });

  it('an ACQUIRE at openUntil half-opens first and is then granted a trial permit', () => {
    const m = openedMachine();
    const r = m.apply(acquire('a'), T0 + 1000);
    expect(types(r.events)).toEqual([T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED]);
    expect(r.permitted).toBe(true);
    expect(r.permit).toEqual({ id: 'a', expiresAt: T0 + 2500 });
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
    expect(r.snapshot.permits).toEqual([{ id: 'a', expiresAt: T0 + 2500 }]);
  });

  it('an ACQUIRE at openUntil without a permit id half-opens, and is refused', () => {
    const m = openedMachine();
    const r = m.apply(ACQUIRE, T0 + 1000);
    expect(types(r.events)).toEqual([T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED]);
    expect(r.permitted).toBe(false);
    expect(r.permit).toBeNull();
    expect(r.snapshot.permits).toEqual([]);
  });

  it('a failure at openUntil half-opens, then fails the recovery in the same step', () => {
    const m = openedMachine();
    const r = m.apply(FAIL, T0 + 1000);
    expect(types(r.events)).toEqual([T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED, T.RECOVERY_FAILED, T.CIRCUIT_OPENED]);
    expect(r.events[3]).toMatchObject({ fromState: BreakerState.HALF_OPEN, toState: BreakerState.OPEN });
    expect(r.snapshot.state).toBe(BreakerState.OPEN);
    expect(r.snapshot.openUntil).toBe(T0 + 3000);
  });

  it('a success at openUntil half-opens and counts as a trial success', () => {
    const m = openedMachine({ ...CONFIG, successThreshold: 1 });
    const r = m.apply(OK, T0 + 1000);
    expect(types(r.events)).toEqual([
      T.CIRCUIT_HALF_OPENED,
      T.RECOVERY_ATTEMPTED,
      T.RECOVERY_SUCCEEDED,
      T.CIRCUIT_CLOSED,
    ]);
    expect(r.snapshot.state).toBe(BreakerState.CLOSED);
  });

  it.each<[string, BreakerInput, T[]]>([
    ['CONFIGURE', { type: 'CONFIGURE', config: CONFIG }, [T.CONFIG_CHANGED]],
    ['RESET', { type: 'RESET' }, [T.CIRCUIT_RESET]],
    ['FORCE_OPEN', { type: 'FORCE_OPEN' }, [T.CIRCUIT_FORCED_OPEN]],
    ['DISABLE', { type: 'DISABLE' }, [T.CIRCUIT_DISABLED]],
  ])('%s after openUntil lets time pass first', (_name, input, tail) => {
    const m = openedMachine();
    const r = m.apply(input, T0 + 1500);
    expect(types(r.events)).toEqual([T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED, ...tail]);
  });
});

describe('step: HALF_OPEN', () => {
  it('grants at most halfOpenMaxCalls permits, each expiring permitTimeoutMs after it was granted', () => {
    const m = halfOpenMachine();
    const t = T0 + 1000;
    const first = m.apply(acquire('a'), t + 10);
    expect(first.permitted).toBe(true);
    expect(first.permit).toEqual({ id: 'a', expiresAt: t + 1510 });
    expect(m.apply(acquire('b'), t + 20).permit).toEqual({ id: 'b', expiresAt: t + 1520 });
    expect(m.snapshot.permits).toEqual([
      { id: 'a', expiresAt: t + 1510 },
      { id: 'b', expiresAt: t + 1520 },
    ]);
    const r = m.apply(acquire('c'), t + 30);
    expect(r.permitted).toBe(false);
    expect(r.permit).toBeNull();
    expect(r.events).toEqual([]);
    expect(r.snapshot.permits.map((p) => p.id)).toEqual(['a', 'b']);
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
  });

  it('with halfOpenMaxCalls 1 refuses the second concurrent trial', () => {
    const m = halfOpenMachine({ ...CONFIG, halfOpenMaxCalls: 1 });
    expect(m.apply(acquire('a'), T0 + 1001).permitted).toBe(true);
    expect(m.apply(acquire('b'), T0 + 1002).permitted).toBe(false);
  });

  it('refuses an ACQUIRE without a permit id, even with slots free', () => {
    const m = halfOpenMachine();
    const r = m.apply(ACQUIRE, T0 + 1001);
    expect(r.permitted).toBe(false);
    expect(r.permit).toBeNull();
    expect(r.snapshot.permits).toEqual([]);
    expect(m.apply({ type: 'ACQUIRE', permitId: undefined }, T0 + 1002).permitted).toBe(false);
  });

  it("an ACQUIRE under a live permit's id gets that same permit back and takes no second slot", () => {
    const m = halfOpenMachine();
    const t = T0 + 1000;
    m.apply(acquire('a'), t + 10);
    const again = m.apply(acquire('a'), t + 400);
    expect(again.permitted).toBe(true);
    expect(again.permit).toEqual({ id: 'a', expiresAt: t + 1510 });
    expect(again.snapshot.permits).toEqual([{ id: 'a', expiresAt: t + 1510 }]);
    expect(m.apply(acquire('b'), t + 401).permitted).toBe(true);
  });

  it('an outcome settles exactly the permit it names, whatever the order', () => {
    const m = halfOpenMachine({ ...CONFIG, successThreshold: 3 });
    const t = T0 + 1000;
    m.apply(acquire('a'), t + 1);
    m.apply(acquire('b'), t + 2);
    const r = m.apply(settle('b'), t + 3);
    expect(r.events).toEqual([]);
    expect(r.snapshot.halfOpenSuccesses).toBe(1);
    expect(r.snapshot.permits).toEqual([{ id: 'a', expiresAt: t + 1501 }]);
    expect(m.apply(acquire('c'), t + 4).permitted).toBe(true);
    expect(m.snapshot.permits.map((p) => p.id)).toEqual(['a', 'c']);
    expect(m.apply(acquire('d'), t + 5).permitted).toBe(false);
  });

  it('an outcome naming a settled, expired or unknown permit is no trial, and changes nothing', () => {
    const m = halfOpenMachine({ ...CONFIG, successThreshold: 3 });
    const t = T0 + 1000;
    m.apply(acquire('a'), t);
    m.apply(acquire('b'), t + 1000);
    m.apply(settle('b'), t + 1001); // one trial success
    const before = m.snapshot;
    // settled already
    expect(m.apply(settle('b'), t + 1002).snapshot).toEqual(before);
    expect(m.apply(settle('b', false), t + 1003).snapshot).toEqual(before);
    // never granted
    expect(m.apply(settle('zzz', false), t + 1004).snapshot).toEqual(before);
    expect(m.last.events).toEqual([]);
    // 'a' expires at t + 1500: a failure reported under it then fails nothing
    const expired = m.apply(settle('a', false), t + 1500);
    expect(expired.events).toEqual([]);
    expect(expired.snapshot).toMatchObject({ state: BreakerState.HALF_OPEN, halfOpenSuccesses: 1, permits: [] });
    // while a live permit's failure does fail the recovery
    m.apply(acquire('c'), t + 1501);
    expect(types(m.apply(settle('c', false), t + 1502).events)).toEqual([T.RECOVERY_FAILED, T.CIRCUIT_OPENED]);
  });

  it('a permit from an earlier HALF_OPEN period is unknown to the next one', () => {
    const m = halfOpenMachine({ ...CONFIG, successThreshold: 1 });
    const t = T0 + 1000;
    m.apply(acquire('old'), t);
    m.apply(FAIL, t + 1); // permit-less trial failure: OPEN for 2 s
    m.apply(ADVANCE, t + 2001);
    expect(m.snapshot.state).toBe(BreakerState.HALF_OPEN);
    const r = m.apply(settle('old'), t + 2002);
    expect(r.events).toEqual([]);
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
  });

  it('a permit-less outcome is a trial iff it happened at or after the half-open, and settles no permit', () => {
    const m = halfOpenMachine({ ...CONFIG, successThreshold: 3 });
    const t = T0 + 1000; // the half-open
    m.apply(acquire('a'), t + 10);
    // a straggler from before the half-open: no trial, whatever it says
    const before = m.snapshot;
    expect(m.apply({ type: 'OUTCOME', success: false, occurredAt: t - 1 }, t + 20).snapshot).toEqual(before);
    expect(m.apply({ type: 'OUTCOME', success: true, occurredAt: t - 500 }, t + 21).snapshot).toEqual(before);
    expect(m.last.events).toEqual([]);
    // exactly at the half-open it is one, and leaves the permit alone
    let r = m.apply({ type: 'OUTCOME', success: true, occurredAt: t }, t + 30);
    expect(r.snapshot.halfOpenSuccesses).toBe(1);
    expect(r.snapshot.permits.map((p) => p.id)).toEqual(['a']);
    // occurredAt left out means now
    r = m.apply({ type: 'OUTCOME', success: true, permitId: null }, t + 40);
    expect(r.snapshot.halfOpenSuccesses).toBe(2);
    r = m.apply({ type: 'OUTCOME', success: false, occurredAt: t + 1 }, t + 50);
    expect(types(r.events)).toEqual([T.RECOVERY_FAILED, T.CIRCUIT_OPENED]);
  });

  it('a permit expires permitTimeoutMs after it was granted, freeing its slot', () => {
    const m = halfOpenMachine();
    const t = T0 + 1000;
    m.apply(acquire('a'), t);
    m.apply(acquire('b'), t + 100);
    expect(m.apply(acquire('c'), t + 1499).permitted).toBe(false);
    // at t + 1500 the first permit has expired; openTimeoutMs (1000) plays no part
    const r = m.apply(acquire('c'), t + 1500);
    expect(r.permitted).toBe(true);
    expect(r.snapshot.permits).toEqual([
      { id: 'b', expiresAt: t + 1600 },
      { id: 'c', expiresAt: t + 3000 },
    ]);
    expect(r.events).toEqual([]);
  });

  it('ADVANCE drops expired permits and nothing else', () => {
    const m = halfOpenMachine();
    const t = T0 + 1000;
    m.apply(acquire('a'), t);
    m.apply(acquire('b'), t + 500);
    let r = m.apply(ADVANCE, t + 1499);
    expect(r.snapshot.permits.map((p) => p.expiresAt)).toEqual([t + 1500, t + 2000]);
    r = m.apply(ADVANCE, t + 1500);
    expect(r.snapshot.permits).toEqual([{ id: 'b', expiresAt: t + 2000 }]);
    expect(r.events).toEqual([]);
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
    r = m.apply(ADVANCE, t + 10_000);
    expect(r.snapshot.permits).toEqual([]);
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
  });

  it('a failure fails the recovery: RECOVERY_FAILED then CIRCUIT_OPENED with the open period doubled', () => {
    const m = halfOpenMachine();
    const t = T0 + 1000;
    m.apply(acquire('a'), t + 5);
    m.apply(acquire('b'), t + 6);
    m.apply(OK, t + 7);
    const r = m.apply(FAIL, t + 8);
    expect(r.events).toEqual([
      {
        type: T.RECOVERY_FAILED,
        at: t + 8,
        durationSinceLastMs: 8,
        fromState: null,
        toState: null,
        info: { nextOpenTimeoutMs: 2000, outageStartedAt: iso(T0) },
      },
      {
        type: T.CIRCUIT_OPENED,
        at: t + 8,
        durationSinceLastMs: 0,
        fromState: BreakerState.HALF_OPEN,
        toState: BreakerState.OPEN,
        info: { trialSuccesses: 1, failureThreshold: 3, openTimeoutMs: 2000, openUntil: iso(t + 2008) },
      },
    ]);
    expect(r.snapshot).toMatchObject({
      state: BreakerState.OPEN,
      halfOpenSuccesses: 0,
      permits: [],
      window: null,
      currentOpenTimeoutMs: 2000,
      openUntil: t + 2008,
      outageStartedAt: T0, // the outage goes on
      stateChangedAt: t + 8,
      lastEventAt: t + 8,
    });
    // the doubled period is honoured
    expect(m.apply(ACQUIRE, t + 2007).permitted).toBe(false);
    expect(m.snapshot.state).toBe(BreakerState.OPEN);
    expect(m.apply(acquire('c'), t + 2008).permitted).toBe(true);
    expect(m.snapshot.state).toBe(BreakerState.HALF_OPEN);
  });

  it('doubles the open period after each failed recovery, capped at maxOpenTimeoutMs', () => {
    const config = { ...CONFIG, openTimeoutMs: 1000, maxOpenTimeoutMs: 5000 };
    const m = openedMachine(config);
    let now = T0;
    let period = 1000;
    const seen: number[] = [];
    for (const expected of [2000, 4000, 5000, 5000, 5000]) {
      // still OPEN one ms before the period ends
      m.apply(ADVANCE, now + period - 1);
      expect(m.snapshot.state).toBe(BreakerState.OPEN);
      now += period;
      m.apply(acquire(`p${now}`), now);
      expect(m.snapshot.state).toBe(BreakerState.HALF_OPEN);
      const r = m.apply(FAIL, now);
      expect(r.events[0]).toMatchObject({ type: T.RECOVERY_FAILED, info: { nextOpenTimeoutMs: expected } });
      expect(r.events[1]).toMatchObject({ type: T.CIRCUIT_OPENED, info: { openTimeoutMs: expected } });
      expect(r.snapshot.currentOpenTimeoutMs).toBe(expected);
      expect(r.snapshot.openUntil).toBe(now + expected);
      expect(r.snapshot.outageStartedAt).toBe(T0);
      seen.push(expected);
      period = expected;
    }
    expect(seen).toEqual([2000, 4000, 5000, 5000, 5000]);
  });

  it('with maxOpenTimeoutMs equal to openTimeoutMs the period never grows', () => {
    const m = openedMachine({ ...CONFIG, maxOpenTimeoutMs: 1000 });
    m.apply(acquire('a'), T0 + 1000);
    const r = m.apply(FAIL, T0 + 1000);
    expect(r.snapshot.currentOpenTimeoutMs).toBe(1000);
    expect(r.snapshot.openUntil).toBe(T0 + 2000);
  });

  it('closes after successThreshold successes: RECOVERY_SUCCEEDED then CIRCUIT_CLOSED', () => {
    const m = halfOpenMachine();
    const t = T0 + 1000;
    m.apply(acquire('a'), t + 1);
    m.apply(acquire('b'), t + 2);
    let r = m.apply(OK, t + 50);
    expect(r.events).toEqual([]);
    expect(r.snapshot.state).toBe(BreakerState.HALF_OPEN);
    expect(r.snapshot.halfOpenSuccesses).toBe(1);
    r = m.apply(OK, t + 70);
    expect(r.events).toEqual([
      {
        type: T.RECOVERY_SUCCEEDED,
        at: t + 70,
        durationSinceLastMs: 70,
        fromState: null,
        toState: null,
        info: { recoveryTimeMs: 1070, trialSuccesses: 2 },
      },
      {
        type: T.CIRCUIT_CLOSED,
        at: t + 70,
        durationSinceLastMs: 0,
        fromState: BreakerState.HALF_OPEN,
        toState: BreakerState.CLOSED,
        info: { recoveryTimeMs: 1070 },
      },
    ]);
    expect(r.snapshot).toEqual({
      state: BreakerState.CLOSED,
      consecutiveFailures: 0,
      halfOpenSuccesses: 0,
      permits: [],
      window: null,
      currentOpenTimeoutMs: 1000,
      openUntil: null,
      outageStartedAt: null,
      stateChangedAt: t + 70,
      lastEventAt: t + 70,
    });
  });

  it('measures recoveryTimeMs from the CIRCUIT_OPENED that left CLOSED, across failed recoveries, and restores the open period', () => {
    const m = new Machine({ ...CONFIG, successThreshold: 1 });
    m.trip(T0 + 500); // outage starts at T0 + 500
    m.apply(FAIL, T0 + 1500); // half-open, fail → 2000
    expect(m.snapshot.currentOpenTimeoutMs).toBe(2000);
    m.apply(FAIL, T0 + 3500); // half-open, fail → 4000
    expect(m.snapshot.currentOpenTimeoutMs).toBe(4000);
    m.apply(acquire('a'), T0 + 7500);
    const r = m.apply(OK, T0 + 7600);
    expect(types(r.events)).toEqual([T.RECOVERY_SUCCEEDED, T.CIRCUIT_CLOSED]);
    expect(r.events[0].info.recoveryTimeMs).toBe(7100);
    expect(r.events[1].info.recoveryTimeMs).toBe(7100);
    expect(r.snapshot.currentOpenTimeoutMs).toBe(1000);
    // the next outage starts over with the first open period
    const again = m.trip(T0 + 8000);
    expect(again.snapshot.openUntil).toBe(T0 + 9000);
    expect(again.events[0].info.openTimeoutMs).toBe(1000);
    expect(again.snapshot.outageStartedAt).toBe(T0 + 8000);
  });

  it('a success counts as a trial even without an outstanding permit', () => {
    const m = halfOpenMachine({ ...CONFIG, successThreshold: 1 });
    const r = m.apply(OK, T0 + 1001);
    expect(r.snapshot.state).toBe(BreakerState.CLOSED);
  });
});

describe('step: FORCED_OPEN', () => {
  it('FORCE_OPEN from CLOSED emits CIRCUIT_FORCED_OPEN and refuses every call from then on', () => {
    const m = new Machine();
    m.apply(FAIL, T0 + 1);
    const r = m.apply({ type: 'FORCE_OPEN', admin: { reason: 'maintenance', actor: 'alice' } }, T0 + 2);
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_FORCED_OPEN,
        at: T0 + 2,
        durationSinceLastMs: null,
        fromState: BreakerState.CLOSED,
        toState: BreakerState.FORCED_OPEN,
        info: { reason: 'maintenance', actor: 'alice' },
      },
    ]);
    expect(r.snapshot).toMatchObject({
      state: BreakerState.FORCED_OPEN,
      consecutiveFailures: 0,
      openUntil: null,
      outageStartedAt: null,
      permits: [],
      window: null,
      stateChangedAt: T0 + 2,
    });
    const forced = m.snapshot;
    for (const [input, now] of [
      [ACQUIRE, T0 + 3],
      [OK, T0 + 4],
      [FAIL, T0 + 5],
      [ADVANCE, T0 + 10_000_000],
      [ACQUIRE, T0 + 20_000_000],
    ] as const) {
      const step = m.apply(input, now);
      expect(step.snapshot).toEqual(forced);
      expect(step.events).toEqual([]);
      if (input.type === 'ACQUIRE') expect(step.permitted).toBe(false);
    }
  });

  it('FORCE_OPEN from OPEN never half-opens by itself, and keeps the backoff reached', () => {
    const m = openedMachine();
    m.apply(FAIL, T0 + 1000); // failed recovery → 2000
    const r = m.apply({ type: 'FORCE_OPEN' }, T0 + 1001);
    expect(r.events).toEqual([
      expect.objectContaining({
        type: T.CIRCUIT_FORCED_OPEN,
        fromState: BreakerState.OPEN,
        toState: BreakerState.FORCED_OPEN,
      }),
    ]);
    expect(r.snapshot.openUntil).toBeNull();
    expect(r.snapshot.currentOpenTimeoutMs).toBe(2000);
    const after = m.apply(ACQUIRE, T0 + 1_000_000);
    expect(after.permitted).toBe(false);
    expect(after.snapshot.state).toBe(BreakerState.FORCED_OPEN);
    expect(after.events).toEqual([]);
  });

  it('FORCE_OPEN from HALF_OPEN drops the trial permits', () => {
    const m = halfOpenMachine();
    m.apply(acquire('a'), T0 + 1000);
    expect(m.snapshot.permits).toHaveLength(1);
    const r = m.apply({ type: 'FORCE_OPEN' }, T0 + 1001);
    expect(r.snapshot).toMatchObject({ state: BreakerState.FORCED_OPEN, permits: [], halfOpenSuccesses: 0 });
    expect(r.events[0]).toMatchObject({ fromState: BreakerState.HALF_OPEN, toState: BreakerState.FORCED_OPEN });
  });

  it('FORCE_OPEN when already FORCED_OPEN is audited but keeps stateChangedAt', () => {
    const m = new Machine();
    m.apply({ type: 'FORCE_OPEN' }, T0 + 10);
    const r = m.apply({ type: 'FORCE_OPEN', admin: { reason: 'again' } }, T0 + 20);
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_FORCED_OPEN,
        at: T0 + 20,
        durationSinceLastMs: 10,
        fromState: BreakerState.FORCED_OPEN,
        toState: BreakerState.FORCED_OPEN,
        info: { reason: 'again' },
      },
    ]);
    expect(r.snapshot.stateChangedAt).toBe(T0 + 10);
    expect(r.snapshot.lastEventAt).toBe(T0 + 20);
  });
});

describe('step: DISABLED', () => {
  it('DISABLE emits CIRCUIT_DISABLED, then permits everything and never trips', () => {
    const m = new Machine();
    const r = m.apply({ type: 'DISABLE', admin: { reason: 'noisy' } }, T0 + 1);
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_DISABLED,
        at: T0 + 1,
        durationSinceLastMs: null,
        fromState: BreakerState.CLOSED,
        toState: BreakerState.DISABLED,
        info: { reason: 'noisy' },
      },
    ]);
    const disabled = m.snapshot;
    for (let i = 0; i < 50; i++) {
      const a = m.apply(ACQUIRE, T0 + 10 + i);
      expect(a.permitted).toBe(true);
      const f = m.apply(FAIL, T0 + 10 + i);
      expect(f.events).toEqual([]);
      expect(f.snapshot).toEqual(disabled);
    }
    const later = m.apply(ADVANCE, T0 + 100_000_000);
    expect(later.snapshot).toEqual(disabled);
    expect(later.events).toEqual([]);
    expect(m.apply(OK, T0 + 100_000_001).snapshot).toEqual(disabled);
  });

  it('DISABLE from OPEN permits calls immediately and clears the open period', () => {
    const m = openedMachine();
    const r = m.apply({ type: 'DISABLE' }, T0 + 10);
    expect(r.events[0]).toMatchObject({ fromState: BreakerState.OPEN, toState: BreakerState.DISABLED });
    expect(r.snapshot).toMatchObject({ state: BreakerState.DISABLED, openUntil: null, outageStartedAt: null });
    expect(m.apply(ACQUIRE, T0 + 11).permitted).toBe(true);
    expect(m.apply(ACQUIRE, T0 + 5000).snapshot.state).toBe(BreakerState.DISABLED);
  });
});

describe('step: RESET', () => {
  type Builder = () => Machine;
  const builders: [BreakerState, string, Builder][] = [
    [
      BreakerState.CLOSED,
      'CLOSED with failures counted',
      () => {
        const m = new Machine();
        m.apply(FAIL, T0 + 1);
        m.apply(FAIL, T0 + 2);
        return m;
      },
    ],
    [
      BreakerState.OPEN,
      'OPEN after failed recoveries',
      () => {
        const m = openedMachine();
        m.apply(FAIL, T0 + 1000); // → 2000
        m.apply(FAIL, T0 + 3000); // → 4000
        expect(m.snapshot.currentOpenTimeoutMs).toBe(4000);
        return m;
      },
    ],
    [
      BreakerState.HALF_OPEN,
      'HALF_OPEN with permits and a trial success',
      () => {
        const m = openedMachine({ ...CONFIG, successThreshold: 3 });
        m.apply(FAIL, T0 + 1000); // → OPEN 2000
        m.apply(acquire('a'), T0 + 3000);
        m.apply(acquire('b'), T0 + 3001);
        m.apply(OK, T0 + 3002);
        m.apply(acquire('c'), T0 + 3003);
        expect(m.snapshot).toMatchObject({ halfOpenSuccesses: 1, currentOpenTimeoutMs: 2000 });
        expect(m.snapshot.permits).toHaveLength(2);
        return m;
      },
    ],
    [
      BreakerState.FORCED_OPEN,
      'FORCED_OPEN with backoff',
      () => {
        const m = openedMachine();
        m.apply(FAIL, T0 + 1000);
        m.apply({ type: 'FORCE_OPEN' }, T0 + 1001);
        return m;
      },
    ],
    [
      BreakerState.DISABLED,
      'DISABLED',
      () => {
        const m = new Machine();
        m.apply({ type: 'DISABLE' }, T0 + 1);
        return m;
      },
    ],
  ];

  it.each(builders)('RESET from %s (%s) returns to CLOSED with everything restored', (from, _desc, build) => {
    const m = build();
    expect(m.snapshot.state).toBe(from);
    const lastEventAt = m.snapshot.lastEventAt;
    const now = T0 + 3500;
    const r = m.apply({ type: 'RESET', admin: { reason: 'fixed', actor: 'bob' } }, now);
    expect(r.events).toEqual([
      {
        type: T.CIRCUIT_RESET,
        at: now,
        durationSinceLastMs: lastEventAt === null ? null : now - lastEventAt,
        fromState: from,
        toState: BreakerState.CLOSED,
        info: { reason: 'fixed', actor: 'bob' },
      },
    ]);
    expect(r.snapshot).toEqual({
      state: BreakerState.CLOSED,
      consecutiveFailures: 0,
      halfOpenSuccesses: 0,
      permits: [],
      window: null,
      currentOpenTimeoutMs: r.config.openTimeoutMs,
      openUntil: null,
      outageStartedAt: null,
      stateChangedAt: from === BreakerState.CLOSED ? T0 : now,
      lastEventAt: now,
    });
    expect(r.config.openTimeoutMs).toBe(1000);
    // a fresh CLOSED breaker: the full threshold is needed again, and the first open period applies
    expect(m.apply(ACQUIRE, now + 1).permitted).toBe(true);
    m.apply(FAIL, now + 2);
    m.apply(FAIL, now + 3);
    expect(m.snapshot.state).toBe(BreakerState.CLOSED);
    const opened = m.apply(FAIL, now + 4);
    expect(opened.snapshot.openUntil).toBe(now + 4 + 1000);
  });
});

describe('step: CONFIGURE', () => {
  const NEXT: BreakerConfig = Object.freeze({
    ...CONFIG,
    failureThreshold: 2,
    openTimeoutMs: 500,
    maxOpenTimeoutMs: 3000,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
  });

  it('emits CONFIG_CHANGED with the old and new config and puts the new config in force', () => {
    const m = new Machine();
    const r = m.apply({ type: 'CONFIGURE', config: NEXT, admin: { reason: 'tune', actor: 'carol' } }, T0 + 5);
    expect(r.events).toEqual([
      {
        type: T.CONFIG_CHANGED,
        at: T0 + 5,
        durationSinceLastMs: null,
        fromState: null,
        toState: null,
        info: { reason: 'tune', actor: 'carol', old: { ...CONFIG }, new: { ...NEXT } },
      },
    ]);
    expect(r.config).toEqual(NEXT);
    expect(r.snapshot.state).toBe(BreakerState.CLOSED);
    expect(r.snapshot.currentOpenTimeoutMs).toBe(500);
    // the new threshold applies
    m.apply(FAIL, T0 + 6);
    const opened = m.apply(FAIL, T0 + 7);
    expect(opened.snapshot.state).toBe(BreakerState.OPEN);
    expect(opened.snapshot.openUntil).toBe(T0 + 507);
  });

  it('keeps the state of an OPEN breaker and clamps its open period into the new range', () => {
    const m = openedMachine();
    m.apply(FAIL, T0 + 1000); // 2000
    m.apply(FAIL, T0 + 3000); // 4000, open until T0 + 7000
    const r = m.apply({ type: 'CONFIGURE', config: NEXT }, T0 + 3001);
    expect(r.snapshot.state).toBe(BreakerState.OPEN);
    expect(r.snapshot.currentOpenTimeoutMs).toBe(3000);
    expect(r.snapshot.openUntil).toBe(T0 + 7000);

    const m2 = openedMachine();
    const bigger = { ...CONFIG, openTimeoutMs: 5000, maxOpenTimeoutMs: 10_000 };
    expect(m2.apply({ type: 'CONFIGURE', config: bigger }, T0 + 1).snapshot.currentOpenTimeoutMs).toBe(5000);
  });

  it('records reason null and no actor when no admin context is given', () => {
    const r = new Machine().apply({ type: 'CONFIGURE', config: NEXT }, T0);
    expect(r.events[0].info.reason).toBeNull();
    expect('actor' in r.events[0].info).toBe(false);
  });
});

describe('step: admin info', () => {
  it.each<[string, BreakerInput['type']]>([
    ['RESET', 'RESET'],
    ['FORCE_OPEN', 'FORCE_OPEN'],
    ['DISABLE', 'DISABLE'],
  ])('%s puts reason and actor into info', (_name, type) => {
    const m = new Machine();
    const input = { type, admin: { reason: 'because', actor: 'dave' } } as BreakerInput;
    expect(m.apply(input, T0).events[0].info).toEqual({ reason: 'because', actor: 'dave' });
    const bare = { type } as BreakerInput;
    const info = m.apply(bare, T0 + 1).events[0].info;
    expect(info).toEqual({ reason: null });
    expect(Object.keys(info)).toEqual(['reason']);
    const nulls = { type, admin: { reason: null, actor: null } } as BreakerInput;
    expect(Object.keys(m.apply(nulls, T0 + 2).events[0].info)).toEqual(['reason']);
  });
});

describe('step: durationSinceLastMs', () => {
  it('is null for the first event and the time since the previous event after that', () => {
    const m = new Machine({ ...CONFIG, successThreshold: 1 });
    m.trip(T0 + 100);
    expect(m.events[0].durationSinceLastMs).toBeNull();
    m.apply(ADVANCE, T0 + 1350); // 1250 after the CIRCUIT_OPENED
    m.apply(OK, T0 + 1400);
    m.apply({ type: 'FORCE_OPEN' }, T0 + 2000);
    expect(m.events.map((e) => [e.type, e.at, e.durationSinceLastMs])).toEqual([
      [T.CIRCUIT_OPENED, T0 + 100, null],
      [T.CIRCUIT_HALF_OPENED, T0 + 1350, 1250],
      [T.RECOVERY_ATTEMPTED, T0 + 1350, 0],
      [T.RECOVERY_SUCCEEDED, T0 + 1400, 50],
      [T.CIRCUIT_CLOSED, T0 + 1400, 0],
      [T.CIRCUIT_FORCED_OPEN, T0 + 2000, 600],
    ]);
  });

  it('steps without events do not move lastEventAt', () => {
    const m = new Machine();
    m.apply({ type: 'DISABLE' }, T0 + 10);
    m.apply(FAIL, T0 + 20);
    m.apply(ACQUIRE, T0 + 30);
    expect(m.snapshot.lastEventAt).toBe(T0 + 10);
    expect(m.apply({ type: 'RESET' }, T0 + 45).events[0].durationSinceLastMs).toBe(35);
  });
});

describe('step: purity', () => {
  const script: [BreakerInput, number][] = [
    [ACQUIRE, T0],
    [FAIL, T0 + 1],
    [OK, T0 + 2],
    [FAIL, T0 + 3],
    [FAIL, T0 + 4],
    [FAIL, T0 + 5],
    [ACQUIRE, T0 + 6],
    [acquire('a'), T0 + 1005],
    [acquire('b'), T0 + 1006],
    [acquire('c'), T0 + 1007],
    [ADVANCE, T0 + 2005],
    [OK, T0 + 2006],
    [FAIL, T0 + 2007],
    [ADVANCE, T0 + 4007],
    [acquire('d'), T0 + 4008],
    [OK, T0 + 4009],
    [OK, T0 + 4010],
    [{ type: 'FORCE_OPEN', admin: { reason: 'r', actor: 'a' } }, T0 + 4011],
    [{ type: 'CONFIGURE', config: { ...CONFIG, failureThreshold: 1 }, admin: { reason: 'c' } }, T0 + 4012],
    [{ type: 'DISABLE' }, T0 + 4013],
    [{ type: 'RESET' }, T0 + 4014],
    [FAIL, T0 + 4015],
  ];

  it('never mutates its (deep-frozen) arguments and is deterministic', () => {
    let snapshot = initialSnapshot(CONFIG, T0);
    let config = CONFIG;
    for (const [input, now] of script) {
      const copies = structuredClone({ snapshot, config, input });
      const frozen = deepFreeze({ snapshot, config, input });
      const a = step(frozen.snapshot, frozen.config, frozen.input, now);
      const b = step(frozen.snapshot, frozen.config, frozen.input, now);
      expect({ snapshot, config, input }).toEqual(copies);
      expect(b).toEqual(a);
      snapshot = a.snapshot;
      config = a.config;
    }
    // the script covers every state
    expect(snapshot.state).toBe(BreakerState.OPEN);
  });

  it('the result does not share mutable permit arrays with its input', () => {
    const m = halfOpenMachine();
    const before = m.snapshot;
    const r = m.apply(acquire('a'), T0 + 1000);
    expect(before.permits).toEqual([]);
    expect(r.snapshot.permits).toEqual([{ id: 'a', expiresAt: T0 + 2500 }]);
    expect(r.snapshot.permits).not.toBe(before.permits);
  });
});

describe('resolveConfig defaults feed the engine', () => {
  it('a default breaker opens after 5 failures for 30 s', () => {
    const config = resolveConfig(undefined);
    const m = new Machine(config);
    for (let i = 0; i < 4; i++) m.apply(FAIL, T0 + i);
    expect(m.snapshot.state).toBe(BreakerState.CLOSED);
    const r = m.apply(FAIL, T0 + 4);
    expect(r.snapshot.openUntil).toBe(T0 + 4 + 30_000);
  });
});
