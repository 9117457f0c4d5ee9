import fc from 'fast-check';
import { BreakerConfig, resolveConfig } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { initialSnapshot } from './breaker-snapshot';
import { AWAY_STATES, BreakerState } from './breaker-state';
import { EngineEvent } from './engine-event';
import { BreakerRecord, evolve, EvolveResult } from './evolve';
import { RecoveryEventType as T } from './recovery-event-type';
import { averageRecoveryTimeMs, circuitOpenDurationMs, EMPTY_METRICS } from './recovery-metrics';

/*
 * Property tests: random valid configs and random input sequences at non-decreasing times, driven
 * through `evolve` (engine step + metrics). Three families of sequences:
 *   organic — only what callers do (ACQUIRE, OUTCOME, ADVANCE);
 *   admin   — organic plus RESET / FORCE_OPEN / DISABLE;
 *   full    — admin plus CONFIGURE with random valid configs.
 * Some invariants only hold in the narrower families; see the comments at each property.
 */

const T0 = 1_000_000;
const RUNS = 300;
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

const organicInputArb: fc.Arbitrary<BreakerInput> = fc.oneof(
  { arbitrary: fc.constant<BreakerInput>({ type: 'ACQUIRE' }), weight: 4 },
  { arbitrary: fc.constant<BreakerInput>({ type: 'OUTCOME', success: true }), weight: 3 },
  { arbitrary: fc.constant<BreakerInput>({ type: 'OUTCOME', success: false }), weight: 4 },
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

interface Scenario {
  readonly config: BreakerConfig;
  readonly steps: readonly { readonly input: BreakerInput; readonly dt: number }[];
}

function scenarioArb(inputArb: fc.Arbitrary<BreakerInput>): fc.Arbitrary<Scenario> {
  return fc.record({
    config: configArb,
    steps: fc.array(fc.record({ input: inputArb, dt: deltaArb }), { minLength: 1, maxLength: 80 }),
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
 * throws), checking that a repeated step gives the same result, and calling `check` after each step.
 */
function simulate(scenario: Scenario, check: (s: Step) => void): BreakerRecord {
  let record: BreakerRecord = {
    snapshot: initialSnapshot(scenario.config, T0),
    config: scenario.config,
    metrics: EMPTY_METRICS,
  };
  let now = T0;
  scenario.steps.forEach(({ input, dt }, index) => {
    now += dt;
    const before = deepFreeze(record);
    const frozenInput = deepFreeze(input);
    const result = evolve(before, frozenInput, now);
    check({ index, before, input: frozenInput, now, result });
    record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };
  });
  return record;
}

const types = (events: readonly EngineEvent[]) => events.map((e) => e.type);

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
          expect(a.openUntil !== null).toBe(a.state === S.OPEN);
          if (a.openUntil !== null) expect(a.openUntil).toBeGreaterThan(s.now);
          if (a.permitExpiries.length > 0) expect(a.state).toBe(S.HALF_OPEN);
          for (const expiry of a.permitExpiries) expect(expiry).toBeGreaterThan(s.now);
          if (a.state !== S.HALF_OPEN) expect(a.halfOpenSuccesses).toBe(0);
          expect(a.currentOpenTimeoutMs).toBeGreaterThanOrEqual(cfg.openTimeoutMs);
          expect(a.currentOpenTimeoutMs).toBeLessThanOrEqual(cfg.maxOpenTimeoutMs);
          if (a.state === S.CLOSED) expect(a.currentOpenTimeoutMs).toBe(cfg.openTimeoutMs);
          expect(a.outageStartedAt !== null).toBe(a.state === S.OPEN || a.state === S.HALF_OPEN);
          if (a.outageStartedAt !== null) expect(a.outageStartedAt).toBeLessThanOrEqual(s.now);
          if (ADMIN_STATES.has(a.state)) expect(a.consecutiveFailures).toBe(0);
          expect(a.stateChangedAt).toBeLessThanOrEqual(s.now);
          // the config only changes through CONFIGURE
          if (s.input.type === 'CONFIGURE') expect(s.result.config).toBe(s.input.config);
          else expect(s.result.config).toBe(s.before.config);
          // permitted answers ACQUIRE only
          if (s.input.type === 'ACQUIRE') expect(typeof s.result.permitted).toBe('boolean');
          else expect(s.result.permitted).toBeNull();
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
          if (a.state === S.CLOSED) expect(a.consecutiveFailures).toBeLessThan(cfg.failureThreshold);
          if (a.state === S.HALF_OPEN) expect(a.halfOpenSuccesses).toBeLessThan(cfg.successThreshold);
          expect(a.permitExpiries.length).toBeLessThanOrEqual(cfg.halfOpenMaxCalls);
          expect([...a.permitExpiries].sort((x, y) => x - y)).toEqual(a.permitExpiries);
          if (a.state === S.OPEN) expect(a.openUntil! - a.stateChangedAt).toBe(a.currentOpenTimeoutMs);
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
          if (mid === S.CLOSED || mid === S.DISABLED) expect(s.result.permitted).toBe(true);
          if (mid === S.OPEN || mid === S.FORCED_OPEN) expect(s.result.permitted).toBe(false);
          if (mid === S.HALF_OPEN) {
            const live = timePrefix(s).length > 0 ? [] : s.before.snapshot.permitExpiries.filter((e) => e > s.now);
            expect(s.result.permitted).toBe(live.length < s.result.config.halfOpenMaxCalls);
            expect(a.permitExpiries).toEqual(
              s.result.permitted ? [...live, s.now + s.result.config.openTimeoutMs] : live,
            );
          } else {
            expect(a).toEqual(s.before.snapshot);
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
          expect(types(events.slice(0, prefix.length))).toEqual(prefix);
          const rest = types(events.slice(prefix.length));
          const mid = midState(s);
          switch (s.input.type) {
            case 'ACQUIRE':
            case 'ADVANCE':
              expect(rest).toEqual([]);
              break;
            case 'OUTCOME':
              if (mid === S.CLOSED && !s.input.success) {
                // a failure below the threshold is no event; at the threshold it is exactly one CIRCUIT_OPENED
                const opens = b.consecutiveFailures + 1 >= s.before.config.failureThreshold;
                expect(rest).toEqual(opens ? [T.CIRCUIT_OPENED] : []);
                expect(a.state).toBe(opens ? S.OPEN : S.CLOSED);
                if (!opens) expect(a.consecutiveFailures).toBe(b.consecutiveFailures + 1);
              } else if (mid === S.CLOSED) {
                expect(rest).toEqual([]);
                expect(a.consecutiveFailures).toBe(0);
              } else if (mid === S.HALF_OPEN && !s.input.success) {
                expect(rest).toEqual([T.RECOVERY_FAILED, T.CIRCUIT_OPENED]);
              } else if (mid === S.HALF_OPEN) {
                const trials = (prefix.length > 0 ? 0 : b.halfOpenSuccesses) + 1;
                const closes = trials >= s.before.config.successThreshold;
                expect(rest).toEqual(closes ? [T.RECOVERY_SUCCEEDED, T.CIRCUIT_CLOSED] : []);
                if (!closes) expect(a.halfOpenSuccesses).toBe(trials);
              } else {
                // OPEN (not yet due), FORCED_OPEN, DISABLED: an outcome changes nothing
                expect(rest).toEqual([]);
                expect(a).toEqual(b);
              }
              for (const e of events) {
                if (e.type === T.CIRCUIT_OPENED) expect([S.CLOSED, S.HALF_OPEN]).toContain(e.fromState);
              }
              break;
            case 'RESET':
              expect(rest).toEqual([T.CIRCUIT_RESET]);
              break;
            case 'FORCE_OPEN':
              expect(rest).toEqual([T.CIRCUIT_FORCED_OPEN]);
              break;
            case 'DISABLE':
              expect(rest).toEqual([T.CIRCUIT_DISABLED]);
              break;
            case 'CONFIGURE': {
              expect(rest).toEqual([T.CONFIG_CHANGED]);
              const info = events[events.length - 1].info;
              expect(info.old).toEqual(s.before.config);
              expect(info.new).toEqual(s.input.config);
              expect(a.state).toBe(mid);
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
            expect(e.fromState === null).toBe(e.toState === null);
            if (e.toState === null) continue;
            expect(e.fromState).toBe(state);
            const movesAdminState =
              e.fromState !== e.toState && (ADMIN_STATES.has(e.fromState!) || ADMIN_STATES.has(e.toState));
            if (movesAdminState) expect(ADMIN_EVENTS.has(e.type)).toBe(true);
            state = e.toState;
          }
          // the last event with a toState is the state the step ends in
          expect(state).toBe(a.state);
          if (a.state !== b.state) {
            expect(a.stateChangedAt).toBe(s.now);
            if (ADMIN_STATES.has(a.state) || ADMIN_STATES.has(b.state))
              expect(ADMIN_INPUTS.has(s.input.type)).toBe(true);
          }
          if (s.result.events.length === 0) {
            expect(a.state).toBe(b.state);
            expect(a.stateChangedAt).toBe(b.stateChangedAt);
          }
          if (ADMIN_INPUTS.has(s.input.type)) {
            const target = { RESET: S.CLOSED, FORCE_OPEN: S.FORCED_OPEN, DISABLE: S.DISABLED }[
              s.input.type as 'RESET' | 'FORCE_OPEN' | 'DISABLE'
            ];
            expect(a.state).toBe(target);
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
            expect(e.at).toBe(s.now);
            const expected = i > 0 ? 0 : b.lastEventAt === null ? null : s.now - b.lastEventAt;
            expect(e.durationSinceLastMs).toBe(expected);
            if (seen === 0 && i === 0) expect(e.durationSinceLastMs).toBeNull();
            if (e.durationSinceLastMs !== null) expect(e.durationSinceLastMs).toBeGreaterThanOrEqual(0);
          });
          seen += events.length;
          expect(s.result.snapshot.lastEventAt).toBe(events.length > 0 ? s.now : b.lastEventAt);
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
              expect(e.info.openTimeoutMs).toBe(expected);
              expect(s.result.snapshot.currentOpenTimeoutMs).toBe(expected);
              expect(s.result.snapshot.openUntil).toBe(s.now + expected);
              expect(e.info.openUntil).toBe(new Date(s.now + expected).toISOString());
            }
            if (e.type === T.RECOVERY_FAILED) {
              expect(e.info.nextOpenTimeoutMs).toBe(
                Math.min(2 * s.before.snapshot.currentOpenTimeoutMs, cfg.maxOpenTimeoutMs),
              );
            }
            if (e.type === T.CIRCUIT_CLOSED) expect(s.result.snapshot.currentOpenTimeoutMs).toBe(cfg.openTimeoutMs);
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
              expect(outageStart).not.toBeNull();
              expect(e.info.recoveryTimeMs).toBe(s.now - outageStart!);
              // at least one whole open period passed
              expect(e.info.recoveryTimeMs).toBeGreaterThanOrEqual(s.result.config.openTimeoutMs);
            }
            if (e.toState === S.CLOSED || (e.toState !== null && ADMIN_STATES.has(e.toState))) outageStart = null;
          }
          expect(s.result.snapshot.outageStartedAt).toBe(outageStart);
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
          expect(m.totalCalls).toBe(calls);
          expect(m.totalFailures).toBe(failures);
          expect(m.lastFailureAt).toBe(lastFailureAt);
          expect(m.recoveryAttempts).toBe(attempts);
          expect(m.successfulRecoveries).toBe(succeeded);
          expect(m.failedRecoveries).toBe(failed);
          expect(m.consecutiveFailedRecoveries).toBe(consecutiveFailed);
          expect(m.totalRecoveryTimeMs).toBe(recoveryTime);
          expect(m.lastRecoveryAt).toBe(lastRecoveryAt);
          expect(averageRecoveryTimeMs(m)).toBe(succeeded === 0 ? 0 : recoveryTime / succeeded);
          // every attempt ends in a success, a failure or an admin action, or is still going on
          expect(m.successfulRecoveries + m.failedRecoveries).toBeLessThanOrEqual(m.recoveryAttempts);
          expect(m.recoveryAttempts).toBe(
            succeeded + failed + abandoned + (s.result.snapshot.state === S.HALF_OPEN ? 1 : 0),
          );
          // time away from CLOSED/DISABLED
          const duration = circuitOpenDurationMs(m, s.now);
          expect(duration).toBe(away);
          expect(duration).toBeGreaterThanOrEqual(prevDuration);
          expect(duration).toBeLessThanOrEqual(s.now - T0);
          expect(m.awaySince !== null).toBe(AWAY_STATES.has(s.result.snapshot.state));
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
          expect(done).toBeLessThanOrEqual(m.recoveryAttempts);
          expect(m.recoveryAttempts).toBeLessThanOrEqual(done + 1);
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
            expect(s.result.snapshot).toEqual(b);
            expect(s.result.events).toEqual([]);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('organic inputs agree with a reference model of the state machine', () => {
    interface Model {
      state: BreakerState;
      failures: number;
      successes: number;
      permits: number[];
      period: number;
      openUntil: number | null;
      outage: number | null;
    }
    fc.assert(
      fc.property(organicArb, (scenario) => {
        const cfg = scenario.config;
        const m: Model = {
          state: S.CLOSED,
          failures: 0,
          successes: 0,
          permits: [],
          period: cfg.openTimeoutMs,
          openUntil: null,
          outage: null,
        };
        const open = (now: number, period: number) => {
          if (m.state === S.CLOSED) m.outage = now;
          m.state = S.OPEN;
          m.period = period;
          m.openUntil = now + period;
          m.permits = [];
          m.successes = 0;
        };
        simulate(scenario, (s) => {
          const now = s.now;
          // time passes
          if (m.state === S.OPEN && now >= m.openUntil!) {
            m.state = S.HALF_OPEN;
            m.openUntil = null;
            m.successes = 0;
            m.permits = [];
          }
          m.permits = m.permits.filter((e) => e > now);
          // the input
          let permitted: boolean | null = null;
          if (s.input.type === 'ACQUIRE') {
            permitted = m.state === S.CLOSED || (m.state === S.HALF_OPEN && m.permits.length < cfg.halfOpenMaxCalls);
            if (permitted && m.state === S.HALF_OPEN) m.permits.push(now + cfg.openTimeoutMs);
          } else if (s.input.type === 'OUTCOME' && s.input.success) {
            if (m.state === S.CLOSED) m.failures = 0;
            if (m.state === S.HALF_OPEN) {
              m.successes++;
              m.permits.shift();
              if (m.successes >= cfg.successThreshold) {
                m.state = S.CLOSED;
                m.failures = 0;
                m.successes = 0;
                m.permits = [];
                m.period = cfg.openTimeoutMs;
                m.outage = null;
              }
            }
          } else if (s.input.type === 'OUTCOME') {
            if (m.state === S.CLOSED) {
              m.failures++;
              if (m.failures >= cfg.failureThreshold) open(now, cfg.openTimeoutMs);
            } else if (m.state === S.HALF_OPEN) {
              open(now, Math.min(2 * m.period, cfg.maxOpenTimeoutMs));
            }
          }
          const a = s.result.snapshot;
          expect(s.result.permitted).toBe(permitted);
          expect(a.state).toBe(m.state);
          expect(a.permitExpiries).toEqual(m.permits);
          expect(a.currentOpenTimeoutMs).toBe(m.period);
          expect(a.openUntil).toBe(m.openUntil);
          expect(a.outageStartedAt).toBe(m.outage);
          if (m.state === S.HALF_OPEN) expect(a.halfOpenSuccesses).toBe(m.successes);
          if (m.state === S.CLOSED) expect(a.consecutiveFailures).toBe(m.failures);
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
    expect([...states].sort()).toEqual(Object.values(S).sort());
    expect([...eventTypes].sort()).toEqual(Object.values(T).sort());
  });
});
