import fc from 'fast-check';
import {
  BreakerConfigPatch,
  BreakerInput,
  BreakerRecord,
  BreakerState,
  EMPTY_METRICS,
  EngineEvent,
  evolve,
  initialSnapshot,
  isDue,
  permitsFreely,
  resolveConfig,
  TripPolicy,
} from '../engine';
import { BreakerOpenError } from './breaker-open.error';
import { CircuitBreaker } from './circuit-breaker';
import { MonitoredEvent } from './recovery-monitor';

/*
 * The in-process breaker skips the engine on its hot path (a free permit, a quiet success) and
 * counts quiet successes in bulk. These properties pin it to the plain fold of `evolve` over the
 * same inputs: same snapshot, same metrics, same events, same answers, whatever the sequence.
 * The reference asks for permits as the breaker documents it does: in HALF_OPEN (or when due
 * for it) under ids numbered from 1, and, with slowCallDurationMs set, it reports each call's
 * start and duration (calls take time on the fake clock).
 */

const T0 = 1_000_000;

type Op =
  | { kind: 'call'; success: boolean; sync: boolean; takes: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'readState' }
  | { kind: 'readMetrics' }
  | { kind: 'reset' | 'forceOpen' | 'disable' }
  | { kind: 'configure'; patch: BreakerConfigPatch };

const CONFIG = {
  failureThreshold: 2,
  openTimeoutMs: 500,
  maxOpenTimeoutMs: 4000,
  successThreshold: 2,
  halfOpenMaxCalls: 2,
  permitTimeoutMs: 300,
  windowMs: 1000,
  windowBuckets: 4,
  minimumCalls: 3,
};

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('call' as const),
      success: fc.boolean(),
      sync: fc.boolean(),
      takes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'readState' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'readMetrics' as const }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: 'reset' as const },
      { kind: 'forceOpen' as const },
      { kind: 'disable' as const },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('configure' as const),
      patch: fc.record(
        {
          failureThreshold: fc.integer({ min: 1, max: 4 }),
          tripOn: fc.constantFrom(TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE),
          slowCallDurationMs: fc.option(fc.integer({ min: 50, max: 300 })),
          minimumCalls: fc.integer({ min: 1, max: 4 }),
          windowBuckets: fc.integer({ min: 1, max: 4 }),
        },
        { requiredKeys: [] },
      ),
    }),
  },
);

/** The policy a breaker starts with: both modes, with and without slow calls. */
const startArb = fc.record({
  tripOn: fc.constantFrom(TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE),
  slowCallDurationMs: fc.option(fc.integer({ min: 50, max: 300 })),
});

/** The reference: a record folded through `evolve`, one input at a time, collecting the events. */
class Reference {
  record: BreakerRecord;
  readonly events: EngineEvent[] = [];
  constructor(patch: BreakerConfigPatch, now: number) {
    const config = resolveConfig(patch);
    this.record = { snapshot: initialSnapshot(config, now), config, metrics: EMPTY_METRICS };
  }
  apply(input: BreakerInput, now: number) {
    const result = evolve(this.record, input, now);
    this.record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };
    this.events.push(...result.events);
    return result;
  }
}

describe('CircuitBreaker against the plain engine fold', () => {
  it('any sequence of calls, waits, reads and admin actions gives the same snapshot, metrics, events and answers', async () => {
    await fc.assert(
      fc.asyncProperty(startArb, fc.array(opArb, { minLength: 1, maxLength: 120 }), async (start, ops) => {
        const patch = { ...CONFIG, ...start };
        let now = T0;
        const monitored: MonitoredEvent[] = [];
        const breaker = new CircuitBreaker({
          name: 'prop',
          config: patch,
          clock: () => now,
          monitor: { onEvent: (e) => monitored.push(e) },
        });
        const ref = new Reference(patch, now);
        let permits = 0;
        for (const op of ops) {
          switch (op.kind) {
            case 'call': {
              const start = now;
              const measured = ref.record.config.slowCallDurationMs !== null;
              const s = ref.record.snapshot;
              let permitted = true;
              let permitId: string | null = null;
              if (!permitsFreely(s)) {
                const mayGrant = s.state === BreakerState.HALF_OPEN || isDue(s, now);
                const asked = ref.apply(
                  mayGrant ? { type: 'ACQUIRE', permitId: String(++permits) } : { type: 'ACQUIRE' },
                  now,
                );
                permitted = asked.permitted === true;
                permitId = asked.permit?.id ?? null;
              }
              let ran = false;
              const fn = () => {
                ran = true;
                now += op.takes;
                if (op.sync) {
                  if (op.success) return 'ok';
                  throw new Error('sync failure');
                }
                return op.success ? Promise.resolve('ok') : Promise.reject(new Error('async failure'));
              };
              const settled = await breaker.execute(fn).then(
                (value) => ({ ok: true as const, value }),
                (error: unknown) => ({ ok: false as const, error }),
              );
              expect(ran).toBe(permitted);
              if (permitted) {
                ref.apply(
                  measured
                    ? { type: 'OUTCOME', success: op.success, occurredAt: start, durationMs: op.takes, permitId }
                    : { type: 'OUTCOME', success: op.success, permitId },
                  now,
                );
              }
              if (!permitted) {
                expect(settled.ok).toBe(false);
                expect(settled.ok ? null : settled.error).toBeInstanceOf(BreakerOpenError);
              } else if (op.success) {
                expect(settled).toEqual({ ok: true, value: 'ok' });
              } else {
                expect(settled.ok).toBe(false);
                expect(settled.ok ? null : (settled.error as Error).message).toBe(
                  op.sync ? 'sync failure' : 'async failure',
                );
              }
              break;
            }
            case 'wait':
              now += op.ms;
              break;
            case 'readState':
              expect(breaker.state).toBe(ref.apply({ type: 'ADVANCE' }, now).snapshot.state);
              break;
            case 'readMetrics':
              expect(breaker.metrics).toEqual(ref.record.metrics);
              break;
            case 'reset':
              breaker.reset('prop');
              ref.apply({ type: 'RESET', admin: { reason: 'prop' } }, now);
              break;
            case 'forceOpen':
              breaker.forceOpen('prop');
              ref.apply({ type: 'FORCE_OPEN', admin: { reason: 'prop' } }, now);
              break;
            case 'disable':
              breaker.disable('prop');
              ref.apply({ type: 'DISABLE', admin: { reason: 'prop' } }, now);
              break;
            case 'configure':
              breaker.configure(op.patch, 'prop');
              ref.apply(
                { type: 'CONFIGURE', config: resolveConfig(op.patch, ref.record.config), admin: { reason: 'prop' } },
                now,
              );
              break;
          }
        }

        expect(breaker.snapshot).toEqual(ref.record.snapshot);
        expect(breaker.config).toEqual(ref.record.config);
        expect(breaker.metrics).toEqual(ref.record.metrics);
        expect(monitored).toEqual(ref.events.map((e) => ({ ...e, breakerName: 'prop' })));
      }),
      { numRuns: 300 },
    );
  });

  it('a long run of quiet successes is counted exactly, and folded in before the next step', async () => {
    let now = T0;
    const breaker = new CircuitBreaker({ config: { failureThreshold: 1, openTimeoutMs: 1000 }, clock: () => now });
    for (let i = 0; i < 10_000; i++) await breaker.execute(async () => i);
    now += 5;
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(breaker.metrics).toMatchObject({ totalCalls: 10_001, totalFailures: 1, lastFailureAt: T0 + 5 });
    expect(breaker.state).toBe('OPEN');
  });
});
