import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { BreakerConfig, BreakerConfigPatch, resolveConfig, TripPolicy } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { initialSnapshot, Permit } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { BreakerRecord, evolve } from './evolve';
import { RecoveryEventType as T } from './recovery-event-type';
import { EMPTY_METRICS } from './recovery-metrics';

/*
 * The engine against a separate, deliberately simple model of issue 11's rules. The model keeps
 * every outcome of the current CLOSED period in a plain list and recomputes the window by
 * filtering it, with exact integer (BigInt) bucket arithmetic; it keeps permits in a Map. It
 * shares no code with the engine. Random configs (both policies, slow calls on and off), random
 * inputs (permit ids from a small pool, durations, outcomes reported late, admin actions,
 * CONFIGURE), and times that often land exactly on bucket boundaries.
 */

const T0 = 1_000_000;
const S = BreakerState;

interface Recorded {
  readonly occurredAt: number;
  /** `now` when it was added: the newest bucket is never older than that of any `now` an outcome was added at. */
  readonly seenAt: number;
  readonly failed: boolean;
  readonly slow: boolean;
}

class Model {
  state: BreakerState = S.CLOSED;
  failures = 0;
  successes = 0;
  permits = new Map<string, number>();
  period: number;
  openUntil: number | null = null;
  outage: number | null = null;
  changedAt: number;
  /** The outcomes added to the window in this CLOSED period, never removed until it restarts. */
  outcomes: Recorded[] = [];
  // per step
  events: T[] = [];
  openedInfo: Record<string, unknown> | null = null;
  permitted: boolean | null = null;
  permit: Permit | null = null;

  constructor(
    public config: BreakerConfig,
    now: number,
  ) {
    this.period = config.openTimeoutMs;
    this.changedAt = now;
  }

  bucket(t: number): number {
    return Number((BigInt(t) * BigInt(this.config.windowBuckets)) / BigInt(this.config.windowMs));
  }

  /** The newest bucket: that of the latest occurredAt or `now` of any outcome added so far. */
  newest(): number | null {
    if (this.outcomes.length === 0) return null;
    return Math.max(...this.outcomes.map((o) => Math.max(this.bucket(o.occurredAt), this.bucket(o.seenAt))));
  }

  inWindow(): Recorded[] {
    const newest = this.newest();
    if (newest === null) return [];
    return this.outcomes.filter((o) => this.bucket(o.occurredAt) > newest - this.config.windowBuckets);
  }

  slow(durationMs: number | null | undefined): boolean {
    const limit = this.config.slowCallDurationMs;
    return limit !== null && durationMs !== undefined && durationMs !== null && durationMs >= limit;
  }

  enter(state: BreakerState, now: number): void {
    this.state = state;
    this.changedAt = now;
    this.successes = 0;
    this.permits.clear();
    this.outcomes = [];
  }

  open(now: number, period: number, info: Record<string, unknown>): void {
    if (this.state === S.CLOSED) this.outage = now;
    this.enter(S.OPEN, now);
    this.period = period;
    this.openUntil = now + period;
    this.events.push(T.CIRCUIT_OPENED);
    this.openedInfo = { ...info, openTimeoutMs: period, openUntil: new Date(now + period).toISOString() };
  }

  apply(input: BreakerInput, now: number): void {
    this.events = [];
    this.openedInfo = null;
    this.permitted = null;
    this.permit = null;
    // time passes
    if (this.state === S.OPEN && now >= this.openUntil!) {
      this.enter(S.HALF_OPEN, now);
      this.openUntil = null;
      this.events.push(T.CIRCUIT_HALF_OPENED, T.RECOVERY_ATTEMPTED);
    }
    for (const [id, expiresAt] of [...this.permits]) if (expiresAt <= now) this.permits.delete(id);
    switch (input.type) {
      case 'ACQUIRE':
        return this.acquire(input.permitId, now);
      case 'OUTCOME':
        return this.outcome(input, now);
      case 'RESET':
        return this.admin(S.CLOSED, T.CIRCUIT_RESET, now);
      case 'FORCE_OPEN':
        return this.admin(S.FORCED_OPEN, T.CIRCUIT_FORCED_OPEN, now);
      case 'DISABLE':
        return this.admin(S.DISABLED, T.CIRCUIT_DISABLED, now);
      case 'CONFIGURE':
        return this.configure(input.config);
      case 'ADVANCE':
        return;
    }
  }

  acquire(id: string | undefined, now: number): void {
    if (this.state === S.CLOSED || this.state === S.DISABLED) this.permitted = true;
    else if (this.state !== S.HALF_OPEN || id === undefined) this.permitted = false;
    else if (this.permits.has(id)) {
      this.permitted = true;
      this.permit = { id, expiresAt: this.permits.get(id)! };
    } else if (this.permits.size < this.config.halfOpenMaxCalls) {
      this.permits.set(id, now + this.config.permitTimeoutMs);
      this.permitted = true;
      this.permit = { id, expiresAt: now + this.config.permitTimeoutMs };
    } else this.permitted = false;
  }

  outcome(input: Extract<BreakerInput, { type: 'OUTCOME' }>, now: number): void {
    const c = this.config;
    const at = input.occurredAt ?? now;
    const slow = this.slow(input.durationMs);
    const bad = !input.success || slow;
    if (this.state === S.CLOSED) {
      if (at < this.changedAt) return;
      if (c.tripOn === TripPolicy.CONSECUTIVE_FAILURES) {
        this.failures = bad ? this.failures + 1 : 0;
        if (this.failures >= c.failureThreshold) {
          const info: Record<string, unknown> = {
            consecutiveFailures: this.failures,
            failureThreshold: c.failureThreshold,
          };
          if (c.slowCallDurationMs !== null) info.slow = slow;
          this.open(now, c.openTimeoutMs, info);
        }
        return;
      }
      const newest = Math.max(this.newest() ?? -Infinity, this.bucket(now), this.bucket(at));
      if (this.bucket(at) <= newest - c.windowBuckets) return;
      this.outcomes.push({ occurredAt: at, seenAt: now, failed: !input.success, slow });
      const w = this.inWindow();
      const calls = w.length;
      const failures = w.filter((o) => o.failed).length;
      const slowCalls = w.filter((o) => o.slow).length;
      const trips =
        calls >= c.minimumCalls &&
        (failures * 100 >= c.failureRateThreshold * calls ||
          (c.slowCallDurationMs !== null && slowCalls * 100 >= c.slowCallRateThreshold * calls));
      if (trips) {
        this.open(now, c.openTimeoutMs, {
          calls,
          failures,
          slowCalls,
          failureRate: (failures * 100) / calls,
          slowCallRate: (slowCalls * 100) / calls,
        });
      }
      return;
    }
    if (this.state !== S.HALF_OPEN) return;
    const id = input.permitId;
    if (id !== undefined && id !== null) {
      if (!this.permits.has(id)) return;
      this.permits.delete(id);
    } else if (at < this.changedAt) return;
    if (!bad) {
      this.successes++;
      if (this.successes >= c.successThreshold) {
        this.events.push(T.RECOVERY_SUCCEEDED, T.CIRCUIT_CLOSED);
        this.enter(S.CLOSED, now);
        this.failures = 0;
        this.period = c.openTimeoutMs;
        this.outage = null;
      }
      return;
    }
    this.events.push(T.RECOVERY_FAILED);
    const info: Record<string, unknown> = { trialSuccesses: this.successes, failureThreshold: c.failureThreshold };
    if (c.slowCallDurationMs !== null) info.slow = slow;
    this.open(now, Math.min(2 * this.period, c.maxOpenTimeoutMs), info);
  }

  admin(to: BreakerState, event: T, now: number): void {
    const from = this.state;
    this.enter(to, from === to ? this.changedAt : now);
    this.failures = 0;
    this.openUntil = null;
    this.outage = null;
    if (to === S.CLOSED) this.period = this.config.openTimeoutMs;
    this.events.push(event);
  }

  configure(next: BreakerConfig): void {
    const old = this.config;
    this.period =
      this.state === S.CLOSED
        ? next.openTimeoutMs
        : Math.min(Math.max(this.period, next.openTimeoutMs), next.maxOpenTimeoutMs);
    if (old.tripOn !== next.tripOn) this.failures = 0;
    if (old.tripOn !== next.tripOn || old.windowMs !== next.windowMs || old.windowBuckets !== next.windowBuckets) {
      this.outcomes = [];
    }
    this.config = next;
    this.events.push(T.CONFIG_CHANGED);
  }
}

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

// ---------------------------------------------------------------- arbitraries

const configArb: fc.Arbitrary<BreakerConfig> = fc
  .record({
    failureThreshold: fc.integer({ min: 1, max: 4 }),
    openTimeoutMs: fc.integer({ min: 100, max: 1500 }),
    capFactor: fc.integer({ min: 1, max: 8 }),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    tripOn: fc.constantFrom(TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE, TripPolicy.FAILURE_RATE),
    // 7000 ms in 6 or 3 buckets: bucket lengths that are no whole number, where naive division misplaces boundaries
    shape: fc.constantFrom([1000, 1], [1000, 4], [2000, 5], [3000, 3], [4000, 2], [7000, 6], [7000, 3], [7000, 6]),
    minimumCalls: fc.integer({ min: 1, max: 6 }),
    failureRateThreshold: fc.constantFrom(20, 33.3, 50, 57, 100),
    slowCallDurationMs: fc.option(fc.integer({ min: 50, max: 300 })),
    slowCallRateThreshold: fc.constantFrom(25, 50, 100),
    permitTimeoutMs: fc.integer({ min: 100, max: 2500 }),
  })
  .map(({ capFactor, shape: [windowMs, windowBuckets], ...c }) =>
    resolveConfig({ ...c, windowMs, windowBuckets, maxOpenTimeoutMs: c.openTimeoutMs * capFactor }),
  );

const permitIdArb = fc.constantFrom('p0', 'p1', 'p2', 'p3');

/**
 * An input, with what depends on the run left symbolic: an outcome's age when reported, and
 * whether it names the oldest permit outstanding (whatever its id).
 */
type Planned = { input: BreakerInput; back?: number; oldest?: boolean; retune?: BreakerConfigPatch };

const outcomeArb: fc.Arbitrary<Planned> = fc
  .record({
    success: fc.boolean(),
    durationMs: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    permitId: fc.option(permitIdArb, { nil: undefined }),
    back: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 5 },
      { arbitrary: fc.integer({ min: 0, max: 300 }), weight: 2 },
      { arbitrary: fc.integer({ min: 0, max: 8000 }), weight: 1 },
      // from a clock ahead: up to 3 s in the future
      { arbitrary: fc.integer({ min: -3000, max: -1 }), weight: 1 },
    ),
  })
  .map(({ success, durationMs, permitId, back }) => {
    const input: { type: 'OUTCOME'; success: boolean; durationMs?: number; permitId?: string } = {
      type: 'OUTCOME',
      success,
    };
    if (durationMs !== undefined) input.durationMs = durationMs;
    if (permitId !== undefined) input.permitId = permitId;
    return { input, back };
  });

const plannedArb: fc.Arbitrary<Planned> = fc.oneof(
  { arbitrary: outcomeArb, weight: 10 },
  { arbitrary: outcomeArb.map((p): Planned => ({ ...p, oldest: true })), weight: 2 },
  { arbitrary: permitIdArb.map((permitId): Planned => ({ input: { type: 'ACQUIRE', permitId } })), weight: 4 },
  { arbitrary: fc.constant<Planned>({ input: { type: 'ACQUIRE' } }), weight: 1 },
  { arbitrary: fc.constant<Planned>({ input: { type: 'ADVANCE' } }), weight: 1 },
  {
    arbitrary: fc.constantFrom<Planned>(
      { input: { type: 'RESET' } },
      { input: { type: 'FORCE_OPEN' } },
      { input: { type: 'DISABLE' } },
    ),
    weight: 1,
  },
  { arbitrary: configArb.map((config): Planned => ({ input: { type: 'CONFIGURE', config } })), weight: 1 },
  // a CONFIGURE that changes one setting of the config in force, mostly leaving the window be
  {
    arbitrary: fc
      .oneof(
        fc.record({ slowCallDurationMs: fc.option(fc.integer({ min: 50, max: 300 })) }),
        fc.record({ minimumCalls: fc.integer({ min: 1, max: 6 }) }),
        fc.record({ failureRateThreshold: fc.constantFrom(20, 50, 100) }),
        fc.record({ slowCallRateThreshold: fc.constantFrom(25, 50, 100) }),
        fc.record({ halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }) }),
        fc.record({ permitTimeoutMs: fc.integer({ min: 100, max: 2500 }) }),
        fc.record({ tripOn: fc.constantFrom(TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE) }),
      )
      .map((retune): Planned => ({ input: { type: 'ADVANCE' }, retune })),
    weight: 2,
  },
);

/**
 * Time to the next input: nothing, a little, up to a window, exactly to the next bucket boundary
 * (or the first whole millisecond after it), or exactly to the moment the oldest permit expires.
 */
const deltaArb: fc.Arbitrary<number | 'edge' | 'expiry'> = fc.oneof(
  { arbitrary: fc.constant(0), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 300 }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 4000 }), weight: 2 },
  { arbitrary: fc.constant<'edge'>('edge'), weight: 2 },
  { arbitrary: fc.constant<'expiry'>('expiry'), weight: 1 },
);

const scenarioArb = fc.record({
  config: configArb,
  // 'large': some 45 steps on average (fast-check's default size would give about 6)
  steps: fc.array(fc.record({ planned: plannedArb, dt: deltaArb }), { minLength: 1, maxLength: 100, size: 'large' }),
});

/** The first bucket boundary after `now` under `config`. */
function nextEdge(now: number, config: BreakerConfig): number {
  const w = BigInt(config.windowMs);
  const b = BigInt(config.windowBuckets);
  const next = (BigInt(now) * b) / w + 1n;
  return Number((next * w + b - 1n) / b); // ceil(next × windowMs / windowBuckets)
}

// ---------------------------------------------------------------- the property

/** How often each rule came into play, so that the property cannot pass vacuously. */
const seen: Record<string, number> = {};
const note = (what: string) => (seen[what] = (seen[what] ?? 0) + 1);

describe('the engine against a simple model', () => {
  it('agrees on every answer, snapshot field, window count and event, step by step', () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, steps }) => {
        let record: BreakerRecord = { snapshot: initialSnapshot(config, T0), config, metrics: EMPTY_METRICS };
        const model = new Model(config, T0);
        let now = T0;
        for (const { planned, dt } of steps) {
          if (dt === 'edge') now = nextEdge(now, model.config);
          else if (dt === 'expiry' && model.permits.size > 0) now = Math.max(now, Math.min(...model.permits.values()));
          else if (typeof dt === 'number') now += dt;
          let input: BreakerInput = planned.input;
          if (planned.retune) input = { type: 'CONFIGURE', config: resolveConfig(planned.retune, model.config) };
          if (input.type === 'OUTCOME' && planned.back !== undefined)
            input = { ...input, occurredAt: now - planned.back };
          if (input.type === 'OUTCOME' && planned.oldest && model.permits.size > 0) {
            input = { ...input, permitId: model.permits.keys().next().value };
          }
          const before = { state: model.state, permits: new Map(model.permits), changedAt: model.changedAt };
          const calls = model.inWindow().length;
          const result = evolve(record, input, now);
          model.apply(input, now);
          record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };

          // answers
          check(result.permitted).toBe(model.permitted);
          check(result.permit).toEqual(model.permit);
          // snapshot
          const a = result.snapshot;
          check(a.state).toBe(model.state);
          check(a.permits).toEqual([...model.permits].map(([id, expiresAt]) => ({ id, expiresAt })));
          check(a.currentOpenTimeoutMs).toBe(model.period);
          check(a.openUntil).toBe(model.openUntil);
          check(a.outageStartedAt).toBe(model.outage);
          check(a.stateChangedAt).toBe(model.changedAt);
          if (a.state === S.HALF_OPEN) check(a.halfOpenSuccesses).toBe(model.successes);
          if (a.state === S.CLOSED) check(a.consecutiveFailures).toBe(model.failures);
          check(a.permits.length).toBeLessThanOrEqual(Math.max(before.permits.size, result.config.halfOpenMaxCalls));
          // the window, bucket by bucket
          if (model.outcomes.length === 0) {
            check(a.window).toBeNull();
          } else {
            const w = a.window!;
            const inWindow = model.inWindow();
            check(w.head).toBe(model.newest());
            check([w.calls, w.failures, w.slowCalls]).toEqual([
              inWindow.length,
              inWindow.filter((o) => o.failed).length,
              inWindow.filter((o) => o.slow).length,
            ]);
            const perBucket = (head: number, i: number) =>
              inWindow.filter((o) => model.bucket(o.occurredAt) === head - i);
            const n = result.config.windowBuckets;
            check([w.headCalls, ...[...w.olderCalls].reverse()]).toEqual(
              Array.from({ length: n }, (_, i) => perBucket(w.head, i).length),
            );
            check([w.headFailures, ...[...w.olderFailures].reverse()]).toEqual(
              Array.from({ length: n }, (_, i) => perBucket(w.head, i).filter((o) => o.failed).length),
            );
            check([w.headSlowCalls, ...[...w.olderSlowCalls].reverse()]).toEqual(
              Array.from({ length: n }, (_, i) => perBucket(w.head, i).filter((o) => o.slow).length),
            );
          }
          // events
          check(result.events.map((e) => e.type)).toEqual(model.events);
          const opened = result.events.find((e) => e.type === T.CIRCUIT_OPENED);
          if (opened) check(opened.info).toMatchObject(model.openedInfo!);

          // coverage
          if (input.type === 'OUTCOME') {
            const at = input.occurredAt ?? now;
            const id = input.permitId;
            const mid = result.events[0]?.type === T.CIRCUIT_HALF_OPENED ? S.HALF_OPEN : before.state;
            const ms = model.config.windowMs;
            if ((BigInt(at) * BigInt(model.config.windowBuckets)) % BigInt(ms) === 0n) {
              note('outcome on a boundary');
              if (ms % model.config.windowBuckets !== 0) note('outcome on a boundary of a fractional bucket');
            }
            if (mid === S.HALF_OPEN && id !== undefined && id !== null) {
              if (before.permits.has(id) && before.permits.get(id)! > now) note('trial settling its permit');
              else if (before.permits.get(id) === now) note('outcome under a permit expiring that very moment');
              else if (before.permits.has(id)) note('outcome under an expired permit');
              else note('outcome under an unknown or settled permit');
            }
            if (mid === S.HALF_OPEN && id === undefined && at < (before.state === S.HALF_OPEN ? before.changedAt : now))
              note('straggler in HALF_OPEN');
            if (mid === S.CLOSED && at < before.changedAt) note('late report in CLOSED');
            if (opened?.info.slowCalls !== undefined) {
              note('FAILURE_RATE trip');
              if (opened.info.calls === model.config.minimumCalls) note('trip at exactly minimumCalls');
              if ((opened.info.slowCalls as number) > 0) note('FAILURE_RATE trip with slow calls');
            }
            if (opened?.info.slow === true) note(opened.fromState === S.CLOSED ? 'slow trip' : 'slow trial');
            if (
              mid === S.CLOSED &&
              model.config.tripOn === TripPolicy.FAILURE_RATE &&
              !input.success &&
              !opened &&
              calls + 1 === model.config.minimumCalls - 1 &&
              model.inWindow().every((o) => o.failed)
            )
              note('all failures, one below minimumCalls');
            if (
              mid === S.CLOSED &&
              model.config.tripOn === TripPolicy.FAILURE_RATE &&
              model.outcomes.length > 0 &&
              model.inWindow().length < model.outcomes.length
            )
              note('outcomes dropped out of the window');
          }
          if (before.state !== model.state && before.state === S.CLOSED && calls > 0) note('window restarted');
          if (input.type === 'CONFIGURE' && model.outcomes.length > 0) note('window kept across a CONFIGURE');
          if (input.type === 'OUTCOME' && (input.occurredAt ?? now) > now) note('outcome from a clock ahead');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the property above met every rule it is about', () => {
    // Runs after the property (jest keeps the order within a file): guards against a vacuous generator.
    check(Object.keys(seen).sort()).toEqual(
      [
        'FAILURE_RATE trip',
        'FAILURE_RATE trip with slow calls',
        'all failures, one below minimumCalls',
        'late report in CLOSED',
        'outcome on a boundary',
        'outcome from a clock ahead',
        'window kept across a CONFIGURE',
        'outcome on a boundary of a fractional bucket',
        'outcome under a permit expiring that very moment',
        'outcome under an expired permit',
        'outcome under an unknown or settled permit',
        'outcomes dropped out of the window',
        'slow trial',
        'slow trip',
        'straggler in HALF_OPEN',
        'trial settling its permit',
        'trip at exactly minimumCalls',
        'window restarted',
      ].sort(),
    );
  });
});
