import { BreakerConfig, resolveConfig } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { initialSnapshot } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { EngineEvent } from './engine-event';
import { BreakerRecord, evolve } from './evolve';
import { RecoveryEventType as T } from './recovery-event-type';
import {
  applyEvents,
  averageRecoveryTimeMs,
  circuitOpenDurationMs,
  countOutcome,
  countSuccesses,
  EMPTY_METRICS,
  RecoveryMetricsState,
} from './recovery-metrics';

const T0 = 1_000_000;
const S = BreakerState;

function ev(
  type: T,
  at: number,
  fromState: BreakerState | null = null,
  toState: BreakerState | null = null,
  info: Record<string, unknown> = {},
): EngineEvent {
  return Object.freeze({ type, at, durationSinceLastMs: null, fromState, toState, info: Object.freeze(info) });
}

describe('EMPTY_METRICS', () => {
  it('is all zeros and nulls, and is never changed by a fold', () => {
    expect(EMPTY_METRICS).toEqual({
      totalCalls: 0,
      totalFailures: 0,
      recoveryAttempts: 0,
      successfulRecoveries: 0,
      failedRecoveries: 0,
      consecutiveFailedRecoveries: 0,
      totalRecoveryTimeMs: 0,
      closedEpisodesOpenMs: 0,
      awaySince: null,
      lastFailureAt: null,
      lastRecoveryAt: null,
    });
    // Not frozen (V8 copies frozen objects slowly), so check that folding into it leaves it alone.
    const before = { ...EMPTY_METRICS };
    countOutcome(EMPTY_METRICS, false, 1_000);
    expect(EMPTY_METRICS).toEqual(before);
  });
});

describe('countOutcome', () => {
  it('counts a success as a call only', () => {
    const m = countOutcome(EMPTY_METRICS, true, T0);
    expect(m).toEqual({ ...EMPTY_METRICS, totalCalls: 1 });
  });

  it('counts a failure as a call and a failure, and records when', () => {
    const m = countOutcome(EMPTY_METRICS, false, T0 + 5);
    expect(m).toEqual({ ...EMPTY_METRICS, totalCalls: 1, totalFailures: 1, lastFailureAt: T0 + 5 });
  });

  it('accumulates, keeping lastFailureAt at the latest failure', () => {
    let m = EMPTY_METRICS;
    m = countOutcome(m, false, T0 + 1);
    m = countOutcome(m, true, T0 + 2);
    m = countOutcome(m, false, T0 + 3);
    m = countOutcome(m, true, T0 + 4);
    m = countOutcome(m, true, T0 + 5);
    expect(m.totalCalls).toBe(5);
    expect(m.totalFailures).toBe(2);
    expect(m.lastFailureAt).toBe(T0 + 3);
    // EMPTY_METRICS untouched
    expect(EMPTY_METRICS.totalCalls).toBe(0);
  });
});

describe('countSuccesses', () => {
  it('equals counting each success one by one, on any metrics', () => {
    let one: RecoveryMetricsState = countOutcome(EMPTY_METRICS, false, T0);
    for (let i = 0; i < 7; i++) one = countOutcome(one, true, T0 + i);
    expect(countSuccesses(countOutcome(EMPTY_METRICS, false, T0), 7)).toEqual(one);
    expect(one.totalCalls).toBe(8);
  });

  it('returns the same object for zero successes', () => {
    const m = countOutcome(EMPTY_METRICS, false, T0);
    expect(countSuccesses(m, 0)).toBe(m);
  });
});

describe('applyEvents: recovery counters', () => {
  it('RECOVERY_ATTEMPTED counts an attempt', () => {
    const m = applyEvents(EMPTY_METRICS, [ev(T.RECOVERY_ATTEMPTED, T0), ev(T.RECOVERY_ATTEMPTED, T0 + 1)]);
    expect(m).toEqual({ ...EMPTY_METRICS, recoveryAttempts: 2 });
  });

  it('RECOVERY_FAILED counts a failed and a consecutive failed recovery', () => {
    const m = applyEvents(EMPTY_METRICS, [ev(T.RECOVERY_FAILED, T0), ev(T.RECOVERY_FAILED, T0 + 1)]);
    expect(m).toEqual({ ...EMPTY_METRICS, failedRecoveries: 2, consecutiveFailedRecoveries: 2 });
  });

  it('RECOVERY_SUCCEEDED counts a success, adds its recovery time, records when, and clears the consecutive failures', () => {
    let m = applyEvents(EMPTY_METRICS, [ev(T.RECOVERY_FAILED, T0), ev(T.RECOVERY_FAILED, T0 + 1)]);
    m = applyEvents(m, [ev(T.RECOVERY_SUCCEEDED, T0 + 10, null, null, { recoveryTimeMs: 300 })]);
    expect(m).toEqual({
      ...EMPTY_METRICS,
      failedRecoveries: 2,
      consecutiveFailedRecoveries: 0,
      successfulRecoveries: 1,
      totalRecoveryTimeMs: 300,
      lastRecoveryAt: T0 + 10,
    });
    m = applyEvents(m, [
      ev(T.RECOVERY_FAILED, T0 + 20),
      ev(T.RECOVERY_SUCCEEDED, T0 + 30, null, null, { recoveryTimeMs: 500 }),
    ]);
    expect(m.successfulRecoveries).toBe(2);
    expect(m.failedRecoveries).toBe(3);
    expect(m.consecutiveFailedRecoveries).toBe(0);
    expect(m.totalRecoveryTimeMs).toBe(800);
    expect(m.lastRecoveryAt).toBe(T0 + 30);
  });

  it('events that are not about recovery change no counter', () => {
    const m = applyEvents(EMPTY_METRICS, [
      ev(T.CONFIG_CHANGED, T0),
      ev(T.CIRCUIT_RESET, T0 + 1, S.CLOSED, S.CLOSED),
      ev(T.CIRCUIT_DISABLED, T0 + 2, S.CLOSED, S.DISABLED),
    ]);
    expect(m).toEqual(EMPTY_METRICS);
  });

  it('applies nothing for an empty list and never mutates its input', () => {
    expect(applyEvents(EMPTY_METRICS, [])).toBe(EMPTY_METRICS);
    const frozen = Object.freeze({ ...EMPTY_METRICS, recoveryAttempts: 3 });
    const m = applyEvents(frozen, [ev(T.RECOVERY_ATTEMPTED, T0)]);
    expect(m.recoveryAttempts).toBe(4);
    expect(frozen.recoveryAttempts).toBe(3);
  });
});

describe('averageRecoveryTimeMs', () => {
  it('is 0 before the first recovery', () => {
    expect(averageRecoveryTimeMs(EMPTY_METRICS)).toBe(0);
    expect(averageRecoveryTimeMs(applyEvents(EMPTY_METRICS, [ev(T.RECOVERY_FAILED, T0)]))).toBe(0);
  });

  it('is the mean recovery time of the successful recoveries', () => {
    const m = applyEvents(EMPTY_METRICS, [
      ev(T.RECOVERY_SUCCEEDED, T0, null, null, { recoveryTimeMs: 300 }),
      ev(T.RECOVERY_FAILED, T0 + 1),
      ev(T.RECOVERY_SUCCEEDED, T0 + 2, null, null, { recoveryTimeMs: 600 }),
    ]);
    expect(averageRecoveryTimeMs(m)).toBe(450);
  });
});

describe('circuitOpenDurationMs', () => {
  it('is 0 for a breaker that never left CLOSED', () => {
    expect(circuitOpenDurationMs(EMPTY_METRICS, T0 + 1_000_000)).toBe(0);
  });

  it('counts the current episode up to now', () => {
    const m = applyEvents(EMPTY_METRICS, [ev(T.CIRCUIT_OPENED, T0 + 1000, S.CLOSED, S.OPEN)]);
    expect(m.awaySince).toBe(T0 + 1000);
    expect(circuitOpenDurationMs(m, T0 + 1000)).toBe(0);
    expect(circuitOpenDurationMs(m, T0 + 1500)).toBe(500);
    expect(circuitOpenDurationMs(m, T0 + 9000)).toBe(8000);
    // a `now` before the episode began adds nothing
    expect(circuitOpenDurationMs(m, T0)).toBe(0);
  });

  it('counts OPEN and HALF_OPEN as one episode, ended by CLOSED', () => {
    const m = applyEvents(EMPTY_METRICS, [
      ev(T.CIRCUIT_OPENED, T0 + 1000, S.CLOSED, S.OPEN),
      ev(T.CIRCUIT_HALF_OPENED, T0 + 2000, S.OPEN, S.HALF_OPEN),
      ev(T.RECOVERY_ATTEMPTED, T0 + 2000),
      ev(T.CIRCUIT_OPENED, T0 + 2100, S.HALF_OPEN, S.OPEN),
      ev(T.CIRCUIT_HALF_OPENED, T0 + 2300, S.OPEN, S.HALF_OPEN),
      ev(T.CIRCUIT_CLOSED, T0 + 2500, S.HALF_OPEN, S.CLOSED),
    ]);
    expect(m.awaySince).toBeNull();
    expect(m.closedEpisodesOpenMs).toBe(1500);
    expect(circuitOpenDurationMs(m, T0 + 2500)).toBe(1500);
    expect(circuitOpenDurationMs(m, T0 + 100_000)).toBe(1500);
  });

  it('counts FORCED_OPEN but not DISABLED, across episodes', () => {
    let m = applyEvents(EMPTY_METRICS, [
      ev(T.CIRCUIT_OPENED, T0 + 1000, S.CLOSED, S.OPEN),
      ev(T.CIRCUIT_RESET, T0 + 1200, S.OPEN, S.CLOSED), // 200
      ev(T.CIRCUIT_FORCED_OPEN, T0 + 3000, S.CLOSED, S.FORCED_OPEN),
      ev(T.CIRCUIT_DISABLED, T0 + 3400, S.FORCED_OPEN, S.DISABLED), // 400
    ]);
    expect(m.closedEpisodesOpenMs).toBe(600);
    expect(m.awaySince).toBeNull();
    // time DISABLED does not count
    expect(circuitOpenDurationMs(m, T0 + 50_000)).toBe(600);
    m = applyEvents(m, [
      ev(T.CIRCUIT_RESET, T0 + 60_000, S.DISABLED, S.CLOSED),
      ev(T.CIRCUIT_DISABLED, T0 + 61_000, S.CLOSED, S.DISABLED),
      ev(T.CIRCUIT_FORCED_OPEN, T0 + 70_000, S.DISABLED, S.FORCED_OPEN),
      ev(T.CIRCUIT_FORCED_OPEN, T0 + 70_500, S.FORCED_OPEN, S.FORCED_OPEN), // re-asserted: same episode
    ]);
    expect(m.awaySince).toBe(T0 + 70_000);
    expect(circuitOpenDurationMs(m, T0 + 71_000)).toBe(600 + 1000);
  });

  it('an OPEN → FORCED_OPEN → CLOSED outage is one episode', () => {
    const m = applyEvents(EMPTY_METRICS, [
      ev(T.CIRCUIT_OPENED, T0, S.CLOSED, S.OPEN),
      ev(T.CIRCUIT_FORCED_OPEN, T0 + 700, S.OPEN, S.FORCED_OPEN),
      ev(T.CIRCUIT_RESET, T0 + 1000, S.FORCED_OPEN, S.CLOSED),
    ]);
    expect(m.closedEpisodesOpenMs).toBe(1000);
  });

  it('events without a toState never start or end an episode', () => {
    const m = applyEvents(EMPTY_METRICS, [
      ev(T.CIRCUIT_OPENED, T0, S.CLOSED, S.OPEN),
      ev(T.CONFIG_CHANGED, T0 + 10),
      ev(T.RECOVERY_FAILED, T0 + 20),
    ]);
    expect(m.awaySince).toBe(T0);
    expect(circuitOpenDurationMs(m, T0 + 30)).toBe(30);
  });
});

describe('evolve: metrics of a real breaker', () => {
  const CONFIG: BreakerConfig = Object.freeze(
    resolveConfig({
      failureThreshold: 2,
      openTimeoutMs: 1000,
      maxOpenTimeoutMs: 4000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
    }),
  );
  const FAIL: BreakerInput = { type: 'OUTCOME', success: false };
  const OK: BreakerInput = { type: 'OUTCOME', success: true };
  const ADVANCE: BreakerInput = { type: 'ADVANCE' };

  function run(script: [BreakerInput, number][]): { record: BreakerRecord; now: number } {
    let record: BreakerRecord = { snapshot: initialSnapshot(CONFIG, T0), config: CONFIG, metrics: EMPTY_METRICS };
    let now = T0;
    for (const [input, at] of script) {
      now = at;
      const r = evolve(record, input, at);
      record = { snapshot: r.snapshot, config: r.config, metrics: r.metrics };
    }
    return { record, now };
  }

  it('counts outcomes in every state, and recoveries from the events', () => {
    const { record } = run([
      [OK, T0], // 1 call
      [FAIL, T0 + 100],
      [FAIL, T0 + 200], // opens at T0+200 until T0+1200
      [OK, T0 + 300], // counted though OPEN
      [FAIL, T0 + 400], // counted though OPEN
      [FAIL, T0 + 1200], // half-open, recovery fails → 2000, until T0+3200
      [{ type: 'ACQUIRE' }, T0 + 3200], // half-open
      [OK, T0 + 3300], // recovery succeeds, recoveryTime 3100
      [{ type: 'DISABLE' }, T0 + 3400],
      [FAIL, T0 + 3500], // counted though DISABLED
    ]);
    const m = record.metrics;
    expect(m).toEqual({
      totalCalls: 8,
      totalFailures: 5,
      recoveryAttempts: 2,
      successfulRecoveries: 1,
      failedRecoveries: 1,
      consecutiveFailedRecoveries: 0,
      totalRecoveryTimeMs: 3100,
      closedEpisodesOpenMs: 3100,
      awaySince: null,
      lastFailureAt: T0 + 3500,
      lastRecoveryAt: T0 + 3300,
    });
    expect(averageRecoveryTimeMs(m)).toBe(3100);
    expect(circuitOpenDurationMs(m, T0 + 100_000)).toBe(3100);
  });

  it('counts consecutive failed recoveries until a success', () => {
    const { record, now } = run([
      [FAIL, T0],
      [FAIL, T0], // open until T0+1000
      [FAIL, T0 + 1000], // fail → 2000, until T0+3000
      [FAIL, T0 + 3000], // fail → 4000, until T0+7000
      [FAIL, T0 + 7000], // fail → 4000 (cap), until T0+11000
      [ADVANCE, T0 + 11_500], // half-open, still away
    ]);
    expect(record.snapshot.state).toBe(S.HALF_OPEN);
    expect(record.metrics).toMatchObject({
      recoveryAttempts: 4,
      failedRecoveries: 3,
      consecutiveFailedRecoveries: 3,
      successfulRecoveries: 0,
      awaySince: T0,
      closedEpisodesOpenMs: 0,
    });
    expect(circuitOpenDurationMs(record.metrics, now)).toBe(11_500);
    expect(averageRecoveryTimeMs(record.metrics)).toBe(0);
  });

  it('evolve does not touch metrics for inputs without outcome or events', () => {
    const record: BreakerRecord = { snapshot: initialSnapshot(CONFIG, T0), config: CONFIG, metrics: EMPTY_METRICS };
    const r = evolve(record, { type: 'ACQUIRE' }, T0 + 5);
    expect(r.metrics).toBe(EMPTY_METRICS);
    expect(r.permitted).toBe(true);
  });

  it('keeps metrics as pure running totals (no history scan needed)', () => {
    const m: RecoveryMetricsState = run([
      [FAIL, T0],
      [FAIL, T0],
      [{ type: 'RESET' }, T0 + 250],
    ]).record.metrics;
    expect(m.closedEpisodesOpenMs).toBe(250);
    expect(m.awaySince).toBeNull();
  });
});
