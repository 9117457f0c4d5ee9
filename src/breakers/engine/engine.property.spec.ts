import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { BreakerConfig, resolveConfig, TripPolicy } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { initialSnapshot } from './breaker-snapshot';
import { AWAY_STATES, BreakerState } from './breaker-state';
import { EngineEvent } from './engine-event';
import { BreakerRecord, evolve, EvolveResult } from './evolve';
import { RecoveryEventType as T } from './recovery-event-type';
import { averageRecoveryTimeMs, circuitOpenDurationMs, EMPTY_METRICS } from './recovery-metrics';
import { windowTrips } from './trip-window';

/*
 * Property tests: random valid configs (both trip policies, with and without slow calls) and
 * random input sequences at non-decreasing times, driven through `evolve` (engine step +
 * metrics). Permit ids come from a small pool, so that outcomes name live, settled, expired and
 * unknown permits alike; outcomes carry durations, and some happened before they are reported.
 * The exact decisions are checked against a separate model in `engine.model.spec.ts`; these are
 * the invariants. Three families of sequences:
 *   organic — only what callers do (ACQUIRE, OUTCOME, ADVANCE);
 *   admin   — organic plus RESET / FORCE_OPEN / DISABLE;
 *   full    — admin plus CONFIGURE with random valid configs.
 * Some invariants only hold in the narrower families; see the comments at each property.
 */

const T0 = 1_000_000;
const RUNS = 500;
const S = BreakerState;
const ADMIN_STATES: ReadonlySet<BreakerState> = new Set([S.FORCED_OPEN, S.DISABLED]);
const ADMIN_INPUTS = new Set<BreakerInput['type']>(['RESET', 'FORCE_OPEN', 'DISABLE']);
const ADMIN_EVENTS = new Set<T>([T.CIRCUIT_RESET, T.CIRCUIT_FORCED_OPEN, T.CIRCUIT_DISABLED]);

// ---------------------------------------------------------------- arbitraries

/** Small valid configs, so that every transition happens often. */
const configArb: fc.Arbitrary<BreakerConfig> = fc
  .record({
    failureThreshold: fc.integer({ min: 1, max: 4 }),
    openTimeoutMs: fc.integer({ min: 100, max: 2000 }),
    capFactor: fc.integer({ min: 1, max: 10 }),
    capExtra: fc.integer({ min: 0, max: 999 }),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    tripOn: fc.constantFrom(TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE),
    windowMs: fc.integer({ min: 1000, max: 4000 }),
    windowBuckets: fc.integer({ min: 1, max: 5 }),
    minimumCalls: fc.integer({ min: 1, max: 5 }),
    failureRateThreshold: fc.constantFrom(20, 33.3, 50, 66.7, 100),
    slowCallDurationMs: fc.option(fc.integer({ min: 50, max: 300 })),
    slowCallRateThreshold: fc.constantFrom(25, 50, 100),
    permitTimeoutMs: fc.integer({ min: 100, max: 3000 }),
  })
  .map(({ capFactor, capExtra, ...c }) =>
    resolveConfig({ ...c, maxOpenTimeoutMs: c.openTimeoutMs * capFactor + capExtra }),
  );

const adminContextArb = fc.option(
  fc.record({
    reason: fc.option(fc.constantFrom('maintenance', 'incident', 'tuning')),
    actor: fc.option(fc.constantFrom('alice', 'bob')),
  }),
  { nil: undefined },
);

/** A small pool, so that ids repeat: the same permit is asked for again, settled twice, or named after it expired. */
const permitIdArb = fc.constantFrom('p0', 'p1', 'p2', 'p3');

const outcomeArb: fc.Arbitrary<BreakerInput> = fc
  .record({
    success: fc.boolean(),
    durationMs: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    permitId: fc.option(permitIdArb, { nil: undefined }),
  })
  .map(({ success, durationMs, permitId }) => {
    const input: { type: 'OUTCOME'; success: boolean; durationMs?: number; permitId?: string } = {
      type: 'OUTCOME',
      success,
    };
    if (durationMs !== undefined) input.durationMs = durationMs;
    if (permitId !== undefined) input.permitId = permitId;
    return input;
  });

const organicInputArb: fc.Arbitrary<BreakerInput> = fc.oneof(
  { arbitrary: fc.constant<BreakerInput>({ type: 'ACQUIRE' }), weight: 1 },
  { arbitrary: permitIdArb.map<BreakerInput>((permitId) => ({ type: 'ACQUIRE', permitId })), weight: 3 },
  { arbitrary: outcomeArb, weight: 7 },
  { arbitrary: fc.constant<BreakerInput>({ type: 'ADVANCE' }), weight: 1 },
);

const adminInputArb: fc.Arbitrary<BreakerInput> = fc
  .tuple(fc.constantFrom('RESET' as const, 'FORCE_OPEN' as const, 'DISABLE' as const), adminContextArb)
  .map(([type, admin]) => (admin === undefined ? { type } : { type, admin }));

const configureInputArb: fc.Arbitrary<BreakerInput> = fc
  .tuple(configArb, adminContextArb)
  .map(([config, admin]) =>
    admin === undefined ? { type: 'CONFIGURE', config } : { type: 'CONFIGURE', config, admin },
  );

/** Time between inputs: often nothing, often a little, sometimes past an open period, now and then a long pause. */
const deltaArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 200 }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 2500 }), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 25_000 }), weight: 1 },
);

/** How long before it is reported an outcome happened: mostly not said (now), sometimes a little or a lot before. */
const backArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 5 },
  { arbitrary: fc.integer({ min: 0, max: 300 }), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 6000 }), weight: 1 },
);

interface Scenario {
  readonly config: BreakerConfig;
  readonly steps: readonly { readonly input: BreakerInput; readonly dt: number; readonly back?: number }[];
}

function scenarioArb(inputArb: fc.Arbitrary<BreakerInput>): fc.Arbitrary<Scenario> {
  return fc.record({
    config: configArb,
    // 'medium': some 25 steps on average (fast-check's default size would give about 6)
    steps: fc.array(fc.record({ input: inputArb, dt: deltaArb, back: backArb }), {
      minLength: 1,
      maxLength: 80,
      size: 'medium',
    }),
  });
}

const organicArb = scenarioArb(organicInputArb);
const adminArb = scenarioArb(
  fc.oneof({ arbitrary: organicInputArb, weight: 12 }, { arbitrary: adminInputArb, weight: 1 }),
);
const fullArb = scenarioArb(
  fc.oneof(
    { arbitrary: organicInputArb, weight: 12 },
    { arbitrary: adminInputArb, weight: 1 },
    { arbitrary: configureInputArb, weight: 1 },
  ),
);

// ---------------------------------------------------------------- driving

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

interface Step {
  readonly index: number;
  readonly before: BreakerRecord;
  readonly input: BreakerInput;
  readonly now: number;
  readonly result: EvolveResult;
}

/**
 * Runs a scenario through `evolve`, handing each step deep-frozen arguments (so that any mutation
 * throws), checking that a repeated step gives the same result, and calling `inspect` after each step.
 */
function simulate(scenario: Scenario, inspect: (s: Step) => void): BreakerRecord {
  let record: BreakerRecord = {
    snapshot: initialSnapshot(scenario.config, T0),
    config: scenario.config,
    metrics: EMPTY_METRICS,
  };
  let now = T0;
  scenario.steps.forEach(({ input: given, dt, back }, index) => {
    now += dt;
    const input: BreakerInput =
      given.type === 'OUTCOME' && back !== undefined ? { ...given, occurredAt: now - back } : given;
    const before = deepFreeze(record);
    const frozenInput = deepFreeze(input);
    const result = evolve(before, frozenInput, now);
    check(evolve(before, frozenInput, now)).toEqual(result);
    inspect({ index, before, input: frozenInput, now, result });
    record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };
  });
  return record;
}

const types = (events: readonly EngineEvent[]) => events.map((e) => e.type);

/**
 * `expect`, for checks made at every step of thousands of sequences: it decides cheaply and
 * calls jest's `expect` only to explain a failure (jest's costs some 40 µs a call here, which
 * made these properties take tens of seconds).
 */
function check(actual: unknown) {
  const explain = () => expect(actual);
  const num = actual as number;
  return {
    toBe: (expected: unknown) => Object.is(actual, expected) || explain().toBe(expected),
    toEqual: (expected: unknown) => isDeepStrictEqual(actual, expected) || explain().toEqual(expected),
    toBeNull: () => actual === null || explain().toBeNull(),
    toBeLessThan: (n: number) => num < n || explain().toBeLessThan(n),
    toBeLessThanOrEqual: (n: number) => num <= n || explain().toBeLessThanOrEqual(n),
    toBeGreaterThan: (n: number) => num > n || explain().toBeGreaterThan(n),
    toBeGreaterThanOrEqual: (n: number) => num >= n || explain().toBeGreaterThanOrEqual(n),
    toHaveLength: (n: number) => (actual as unknown[]).length === n || explain().toHaveLength(n),
    toContain: (item: unknown) => (actual as unknown[]).includes(item) || explain().toContain(item),
    toContainEqual: (item: unknown) =>
      (actual as unknown[]).some((x) => isDeepStrictEqual(x, item)) || explain().toContainEqual(item),
    toMatchObject: (expected: Record<string, unknown>) => explain().toMatchObject(expected),
    not: { toBeNull: () => actual !== null || explain().not.toBeNull() },
  };
}

/** Whether time alone moves the breaker at `now`: the events a step must start with. */
function timePrefix(s: Step): T[] {
  const b = s.before.snapshot;
  return b.state === S.OPEN && b.openUntil !== null && s.now >= b.openUntil
    ? [T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED]
    : [];
}

/** The state after time has passed, before the input applies. */
function midState(s: Step): BreakerState {
  return timePrefix(s).length > 0 ? S.HALF_OPEN : s.before.snapshot.state;
}

// ---------------------------------------------------------------- properties

describe('engine properties', () => {
  it('snapshot shape: openUntil iff OPEN, permits only in HALF_OPEN, open period within range, outage iff OPEN/HALF_OPEN', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        simulate(scenario, (s) => {
          const a = s.result.snapshot;
          const cfg = s.result.config;
          check(a.openUntil !== null).toBe(a.state === S.OPEN);
          if (a.openUntil !== null) check(a.openUntil).toBeGreaterThan(s.now);
          if (a.permits.length > 0) check(a.state).toBe(S.HALF_OPEN);
          for (const permit of a.permits) check(permit.expiresAt).toBeGreaterThan(s.now);
          check(new Set(a.permits.map((p) => p.id)).size).toBe(a.permits.length);
          // the window exists only while CLOSED under FAILURE_RATE, and its totals add up
          if (a.window !== null) {
            check(a.state).toBe(S.CLOSED);
            check(cfg.tripOn).toBe(TripPolicy.FAILURE_RATE);
            const w = a.window;
            check(w.olderCalls).toHaveLength(cfg.windowBuckets - 1);
            const sum = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0);
            check(w.calls).toBe(w.headCalls + sum(w.olderCalls));
            check(w.failures).toBe(w.headFailures + sum(w.olderFailures));
            check(w.slowCalls).toBe(w.headSlowCalls + sum(w.olderSlowCalls));
            check(w.calls).toBeGreaterThan(0);
            check(w.failures).toBeLessThanOrEqual(w.calls);
            check(w.slowCalls).toBeLessThanOrEqual(w.calls);
            if (cfg.slowCallDurationMs === null) check(w.slowCalls).toBe(0);
          }
          if (a.state !== S.HALF_OPEN) check(a.halfOpenSuccesses).toBe(0);
          check(a.currentOpenTimeoutMs).toBeGreaterThanOrEqual(cfg.openTimeoutMs);
          check(a.currentOpenTimeoutMs).toBeLessThanOrEqual(cfg.maxOpenTimeoutMs);
          if (a.state === S.CLOSED) check(a.currentOpenTimeoutMs).toBe(cfg.openTimeoutMs);
          check(a.outageStartedAt !== null).toBe(a.state === S.OPEN || a.state === S.HALF_OPEN);
          if (a.outageStartedAt !== null) check(a.outageStartedAt).toBeLessThanOrEqual(s.now);
          if (ADMIN_STATES.has(a.state)) check(a.consecutiveFailures).toBe(0);
          check(a.stateChangedAt).toBeLessThanOrEqual(s.now);
          // the config only changes through CONFIGURE
          if (s.input.type === 'CONFIGURE') check(s.result.config).toBe(s.input.config);
          else check(s.result.config).toBe(s.before.config);
          // permitted answers ACQUIRE only; a permit is granted only in HALF_OPEN, under the id asked for
          if (s.input.type === 'ACQUIRE') check(typeof s.result.permitted).toBe('boolean');
          else check(s.result.permitted).toBeNull();
          if (s.result.permit !== null) {
            check(s.input).toMatchObject({ type: 'ACQUIRE', permitId: s.result.permit.id });
            check(s.result.permitted).toBe(true);
            check(a.state).toBe(S.HALF_OPEN);
            check(a.permits).toContainEqual(s.result.permit);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('without CONFIGURE, counters stay below their thresholds and permits within halfOpenMaxCalls', () => {
    fc.assert(
      fc.property(adminArb, (scenario) => {
        simulate(scenario, (s) => {
          const a = s.result.snapshot;
          const cfg = s.result.config;
          if (a.state === S.CLOSED) check(a.consecutiveFailures).toBeLessThan(cfg.failureThreshold);
          if (cfg.tripOn === TripPolicy.FAILURE_RATE) check(a.consecutiveFailures).toBe(0);
          if (a.window !== null) check(windowTrips(a.window, cfg)).toBe(false);
          if (a.state === S.HALF_OPEN) check(a.halfOpenSuccesses).toBeLessThan(cfg.successThreshold);
          check(a.permits.length).toBeLessThanOrEqual(cfg.halfOpenMaxCalls);
          const expiries = a.permits.map((p) => p.expiresAt);
          check([...expiries].sort((x, y) => x - y)).toEqual(expiries);
          if (a.state === S.OPEN) check(a.openUntil! - a.stateChangedAt).toBe(a.currentOpenTimeoutMs);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('with CONFIGURE too, a permit is granted only while fewer than halfOpenMaxCalls are outstanding', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        simulate(scenario, (s) => {
          if (s.input.type !== 'ACQUIRE') return;
          const a = s.result.snapshot;
          const mid = midState(s);
          if (mid === S.CLOSED || mid === S.DISABLED) check(s.result.permitted).toBe(true);
          if (mid === S.OPEN || mid === S.FORCED_OPEN) check(s.result.permitted).toBe(false);
          if (mid === S.HALF_OPEN) {
            const id = s.input.permitId;
            const live = timePrefix(s).length > 0 ? [] : s.before.snapshot.permits.filter((p) => p.expiresAt > s.now);
            const held = live.find((p) => p.id === id);
            if (id === undefined) {
              check(s.result.permitted).toBe(false);
              check(a.permits).toEqual(live);
            } else if (held !== undefined) {
              // asked again under a live permit's id: that permit, no second slot
              check(s.result.permitted).toBe(true);
              check(s.result.permit).toEqual(held);
              check(a.permits).toEqual(live);
            } else {
              check(s.result.permitted).toBe(live.length < s.result.config.halfOpenMaxCalls);
              const granted = { id, expiresAt: s.now + s.result.config.permitTimeoutMs };
              check(s.result.permit).toEqual(s.result.permitted ? granted : null);
              check(a.permits).toEqual(s.result.permitted ? [...live, granted] : live);
            }
          } else {
            check(a).toEqual(s.before.snapshot);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('events mark transitions only: each input yields exactly its allowed event sequence', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        simulate(scenario, (s) => {
          const events = s.result.events;
          const b = s.before.snapshot;
          const a = s.result.snapshot;
          const prefix = timePrefix(s);
          check(types(events.slice(0, prefix.length))).toEqual(prefix);
          const rest = types(events.slice(prefix.length));
          const mid = midState(s);
          switch (s.input.type) {
            case 'ACQUIRE':
            case 'ADVANCE':
              check(rest).toEqual([]);
              break;
            case 'OUTCOME':
              // the exact decisions are the model's (engine.model.spec.ts); here, only the allowed shapes
              if (mid === S.CLOSED) {
                check([[], [T.CIRCUIT_OPENED]]).toContainEqual(rest);
                check(a.state).toBe(rest.length > 0 ? S.OPEN : S.CLOSED);
                // an outcome from before the CLOSED period began decides nothing
                if ((s.input.occurredAt ?? s.now) < b.stateChangedAt) check(a).toEqual(b);
              } else if (mid === S.HALF_OPEN) {
                check([
                  [],
                  [T.RECOVERY_FAILED, T.CIRCUIT_OPENED],
                  [T.RECOVERY_SUCCEEDED, T.CIRCUIT_CLOSED],
                ]).toContainEqual(rest);
                const trials = (prefix.length > 0 ? 0 : b.halfOpenSuccesses) + 1;
                if (rest.length === 0 && a.halfOpenSuccesses !== (prefix.length > 0 ? 0 : b.halfOpenSuccesses)) {
                  check(a.halfOpenSuccesses).toBe(trials);
                  check(trials).toBeLessThan(s.before.config.successThreshold);
                }
                if (rest[0] === T.RECOVERY_SUCCEEDED)
                  check(trials).toBeGreaterThanOrEqual(s.before.config.successThreshold);
                // naming no live permit, or none and happened before the half-open: no trial at all
                const live = prefix.length > 0 ? [] : b.permits.filter((p) => p.expiresAt > s.now);
                const halfOpenedAt = prefix.length > 0 ? s.now : b.stateChangedAt;
                const id = s.input.permitId;
                const trial =
                  id !== undefined && id !== null
                    ? live.some((p) => p.id === id)
                    : (s.input.occurredAt ?? s.now) >= halfOpenedAt;
                if (!trial) {
                  check(rest).toEqual([]);
                  check(a.halfOpenSuccesses).toBe(prefix.length > 0 ? 0 : b.halfOpenSuccesses);
                  check(a.permits).toEqual(live);
                }
              } else {
                // OPEN (not yet due), FORCED_OPEN, DISABLED: an outcome changes nothing
                check(rest).toEqual([]);
                check(a).toEqual(b);
              }
              for (const e of events) {
                if (e.type === T.CIRCUIT_OPENED) check([S.CLOSED, S.HALF_OPEN]).toContain(e.fromState);
              }
              break;
            case 'RESET':
              check(rest).toEqual([T.CIRCUIT_RESET]);
              break;
            case 'FORCE_OPEN':
              check(rest).toEqual([T.CIRCUIT_FORCED_OPEN]);
              break;
            case 'DISABLE':
              check(rest).toEqual([T.CIRCUIT_DISABLED]);
              break;
            case 'CONFIGURE': {
              check(rest).toEqual([T.CONFIG_CHANGED]);
              const info = events[events.length - 1].info;
              check(info.old).toEqual(s.before.config);
              check(info.new).toEqual(s.input.config);
              check(a.state).toBe(mid);
              break;
            }
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('events chain: fromState is the state before, toState the state after; admin states move only by admin actions', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        simulate(scenario, (s) => {
          const b = s.before.snapshot;
          const a = s.result.snapshot;
          let state = b.state;
          for (const e of s.result.events) {
            check(e.fromState === null).toBe(e.toState === null);
            if (e.toState === null) continue;
            check(e.fromState).toBe(state);
            const movesAdminState =
              e.fromState !== e.toState && (ADMIN_STATES.has(e.fromState!) || ADMIN_STATES.has(e.toState));
            if (movesAdminState) check(ADMIN_EVENTS.has(e.type)).toBe(true);
            state = e.toState;
          }
          // the last event with a toState is the state the step ends in
          check(state).toBe(a.state);
          if (a.state !== b.state) {
            check(a.stateChangedAt).toBe(s.now);
            if (ADMIN_STATES.has(a.state) || ADMIN_STATES.has(b.state))
              check(ADMIN_INPUTS.has(s.input.type)).toBe(true);
          }
          if (s.result.events.length === 0) {
            check(a.state).toBe(b.state);
            check(a.stateChangedAt).toBe(b.stateChangedAt);
          }
          if (ADMIN_INPUTS.has(s.input.type)) {
            const target = { RESET: S.CLOSED, FORCE_OPEN: S.FORCED_OPEN, DISABLE: S.DISABLED }[
              s.input.type as 'RESET' | 'FORCE_OPEN' | 'DISABLE'
            ];
            check(a.state).toBe(target);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('event times: every event is at now; durationSinceLastMs is null first, then the delta (0 within a step)', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        let seen = 0;
        simulate(scenario, (s) => {
          const events = s.result.events;
          const b = s.before.snapshot;
          events.forEach((e, i) => {
            check(e.at).toBe(s.now);
            const expected = i > 0 ? 0 : b.lastEventAt === null ? null : s.now - b.lastEventAt;
            check(e.durationSinceLastMs).toBe(expected);
            if (seen === 0 && i === 0) check(e.durationSinceLastMs).toBeNull();
            if (e.durationSinceLastMs !== null) check(e.durationSinceLastMs).toBeGreaterThanOrEqual(0);
          });
          seen += events.length;
          check(s.result.snapshot.lastEventAt).toBe(events.length > 0 ? s.now : b.lastEventAt);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('backoff: CIRCUIT_OPENED from CLOSED uses openTimeoutMs, from HALF_OPEN doubles the period up to maxOpenTimeoutMs', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        simulate(scenario, (s) => {
          const cfg = s.result.config;
          for (const e of s.result.events) {
            if (e.type === T.CIRCUIT_OPENED) {
              const expected =
                e.fromState === S.CLOSED
                  ? cfg.openTimeoutMs
                  : Math.min(2 * s.before.snapshot.currentOpenTimeoutMs, cfg.maxOpenTimeoutMs);
              check(e.info.openTimeoutMs).toBe(expected);
              check(s.result.snapshot.currentOpenTimeoutMs).toBe(expected);
              check(s.result.snapshot.openUntil).toBe(s.now + expected);
              check(e.info.openUntil).toBe(new Date(s.now + expected).toISOString());
            }
            if (e.type === T.RECOVERY_FAILED) {
              check(e.info.nextOpenTimeoutMs).toBe(
                Math.min(2 * s.before.snapshot.currentOpenTimeoutMs, cfg.maxOpenTimeoutMs),
              );
            }
            if (e.type === T.CIRCUIT_CLOSED) check(s.result.snapshot.currentOpenTimeoutMs).toBe(cfg.openTimeoutMs);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('recoveryTimeMs is the time since the CIRCUIT_OPENED that left CLOSED', () => {
    fc.assert(
      fc.property(adminArb, (scenario) => {
        let outageStart: number | null = null;
        simulate(scenario, (s) => {
          for (const e of s.result.events) {
            if (e.type === T.CIRCUIT_OPENED && e.fromState === S.CLOSED) outageStart = e.at;
            if (e.type === T.RECOVERY_SUCCEEDED || e.type === T.CIRCUIT_CLOSED) {
              check(outageStart).not.toBeNull();
              check(e.info.recoveryTimeMs).toBe(s.now - outageStart!);
              // at least one whole open period passed
              check(e.info.recoveryTimeMs).toBeGreaterThanOrEqual(s.result.config.openTimeoutMs);
            }
            if (e.toState === S.CLOSED || (e.toState !== null && ADMIN_STATES.has(e.toState))) outageStart = null;
          }
          check(s.result.snapshot.outageStartedAt).toBe(outageStart);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('metrics: outcome counts, recovery counts and time away match the history', () => {
    fc.assert(
      fc.property(fullArb, (scenario) => {
        let calls = 0;
        let failures = 0;
        let lastFailureAt: number | null = null;
        let attempts = 0;
        let succeeded = 0;
        let failed = 0;
        let abandoned = 0; // trials ended by an admin action: neither a success nor a failure
        let consecutiveFailed = 0;
        let recoveryTime = 0;
        let lastRecoveryAt: number | null = null;
        let away = 0;
        let prevNow = T0;
        let prevState: BreakerState = S.CLOSED;
        let prevDuration = 0;
        simulate(scenario, (s) => {
          const m = s.result.metrics;
          // time since the previous step, spent in the state that step left the breaker in
          if (AWAY_STATES.has(prevState)) away += s.now - prevNow;
          if (s.input.type === 'OUTCOME') {
            calls++;
            if (!s.input.success) {
              failures++;
              lastFailureAt = s.now;
            }
          }
          for (const e of s.result.events) {
            if (e.type === T.RECOVERY_ATTEMPTED) attempts++;
            if (e.type === T.RECOVERY_FAILED) {
              failed++;
              consecutiveFailed++;
            }
            if (e.type === T.RECOVERY_SUCCEEDED) {
              succeeded++;
              consecutiveFailed = 0;
              recoveryTime += e.info.recoveryTimeMs as number;
              lastRecoveryAt = e.at;
            }
            if (ADMIN_EVENTS.has(e.type) && e.fromState === S.HALF_OPEN) abandoned++;
          }
          const duration = circuitOpenDurationMs(m, s.now);
          check({
            totalCalls: m.totalCalls,
            totalFailures: m.totalFailures,
            lastFailureAt: m.lastFailureAt,
            recoveryAttempts: m.recoveryAttempts,
            successfulRecoveries: m.successfulRecoveries,
            failedRecoveries: m.failedRecoveries,
            consecutiveFailedRecoveries: m.consecutiveFailedRecoveries,
            totalRecoveryTimeMs: m.totalRecoveryTimeMs,
            lastRecoveryAt: m.lastRecoveryAt,
            averageRecoveryTimeMs: averageRecoveryTimeMs(m),
            // every attempt ends in a success, a failure or an admin action, or is still going on
            endedWithinAttempts: m.successfulRecoveries + m.failedRecoveries <= m.recoveryAttempts,
            // time away from CLOSED/DISABLED
            circuitOpenDurationMs: duration,
            neverShrinks: duration >= prevDuration,
            withinElapsed: duration <= s.now - T0,
            away: m.awaySince !== null,
          }).toEqual({
            totalCalls: calls,
            totalFailures: failures,
            lastFailureAt,
            recoveryAttempts: succeeded + failed + abandoned + (s.result.snapshot.state === S.HALF_OPEN ? 1 : 0),
            successfulRecoveries: succeeded,
            failedRecoveries: failed,
            consecutiveFailedRecoveries: consecutiveFailed,
            totalRecoveryTimeMs: recoveryTime,
            lastRecoveryAt,
            averageRecoveryTimeMs: succeeded === 0 ? 0 : recoveryTime / succeeded,
            endedWithinAttempts: true,
            circuitOpenDurationMs: away,
            neverShrinks: true,
            withinElapsed: true,
            away: AWAY_STATES.has(s.result.snapshot.state),
          });
          check(m.recoveryAttempts).toBe(attempts);
          prevDuration = duration;
          prevNow = s.now;
          prevState = s.result.snapshot.state;
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('metrics without admin actions: successes + failures <= attempts <= successes + failures + 1', () => {
    fc.assert(
      fc.property(organicArb, (scenario) => {
        simulate(scenario, (s) => {
          const m = s.result.metrics;
          const done = m.successfulRecoveries + m.failedRecoveries;
          check(done).toBeLessThanOrEqual(m.recoveryAttempts);
          check(m.recoveryAttempts).toBeLessThanOrEqual(done + 1);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('DISABLED and FORCED_OPEN never move without an admin action, however much time passes', () => {
    fc.assert(
      fc.property(adminArb, (scenario) => {
        simulate(scenario, (s) => {
          const b = s.before.snapshot;
          if (ADMIN_STATES.has(b.state) && !ADMIN_INPUTS.has(s.input.type)) {
            check(s.result.snapshot).toEqual(b);
            check(s.result.events).toEqual([]);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('the generators reach every state and every event type', () => {
    // guards the properties above against vacuous generators
    const states = new Set<BreakerState>();
    const eventTypes = new Set<T>();
    fc.assert(
      fc.property(fullArb, (scenario) => {
        simulate(scenario, (s) => {
          states.add(s.result.snapshot.state);
          for (const e of s.result.events) eventTypes.add(e.type);
        });
      }),
      { numRuns: 200, seed: 42 },
    );
    check([...states].sort()).toEqual(Object.values(S).sort());
    check([...eventTypes].sort()).toEqual(Object.values(T).sort());
  });
});
