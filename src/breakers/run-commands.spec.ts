import {
  BreakerRecord,
  BreakerState,
  EMPTY_METRICS,
  initialSnapshot,
  RecoveryEventType,
  resolveConfig,
} from './engine';
import { OutcomeStats } from '../stats/outcome-stats';
import { runCommands } from './run-commands';
import { StoredBreaker } from './stored-breaker';

const T0 = 1_000_000;

function stored(id: number, name: string, failureThreshold = 3): StoredBreaker {
  const config = resolveConfig({ failureThreshold });
  const record: BreakerRecord = { snapshot: initialSnapshot(config, T0), config, metrics: EMPTY_METRICS };
  return { id, name, version: 4, record };
}

const outcome = (name: string, success: boolean) => ({ name, input: { type: 'OUTCOME', success } as const });

describe('runCommands', () => {
  const a = stored(1, 'a', 2);
  const b = stored(2, 'b');
  const locked = new Map([
    ['a', a],
    ['b', b],
  ]);

  it('runs each breaker’s commands in order, counts outcomes per breaker and collects events in order', () => {
    const run = runCommands(
      locked,
      [outcome('b', true), outcome('a', false), outcome('b', false), outcome('a', false), outcome('a', true)],
      T0 + 10,
    );
    expect(run.breakers.map((x) => x.name)).toEqual(['b', 'a']);
    const [nb, na] = run.breakers;
    expect(na.record.snapshot.state).toBe(BreakerState.OPEN);
    expect(na.record.metrics).toMatchObject({ totalCalls: 3, totalFailures: 2 });
    expect(nb.record.snapshot.consecutiveFailures).toBe(1);
    expect(run.events.map((e) => [e.breakerName, e.event.type])).toEqual([['a', RecoveryEventType.CIRCUIT_OPENED]]);
    expect(run.events[0].breakerId).toBe(1);
    expect(run.outcomes).toEqual([
      { breakerId: 2, breakerName: 'b', calls: 2, failures: 1 },
      { breakerId: 1, breakerName: 'a', calls: 3, failures: 2 },
    ]);
    expect(run.results).toHaveLength(5);
    expect(run.results[4].permitted).toBeNull();
    // Identity and version are kept; the inputs are not touched.
    expect(na).toMatchObject({ id: 1, name: 'a', version: 4 });
    expect(a.record.metrics).toBe(EMPTY_METRICS);
  });

  it('writes only the breakers whose record changed', () => {
    const run = runCommands(
      locked,
      [
        { name: 'a', input: { type: 'ACQUIRE' } },
        { name: 'b', input: { type: 'OUTCOME', success: true } },
      ],
      T0,
    );
    expect(run.breakers[0]).toBe(a);
    expect(run.changed.map((x) => x.name)).toEqual(['b']);
    expect(run.results[0].permitted).toBe(true);
    expect(run.outcomes).toEqual([{ breakerId: 2, breakerName: 'b', calls: 1, failures: 0 }]);
  });

  it('hands a command given as a function the record as it stands after the commands before it', () => {
    const seen: number[] = [];
    runCommands(
      locked,
      [
        outcome('a', false),
        {
          name: 'a',
          input: (record) => {
            seen.push(record.snapshot.consecutiveFailures);
            return { type: 'ADVANCE' };
          },
        },
      ],
      T0,
    );
    expect(seen).toEqual([1]);
  });

  it('adds every outcome to the statistics: at its occurredAt (default now), slow by the config of its step, with its error', () => {
    const minute = 60_000;
    const now = 100 * minute + 30_000;
    const stats = new OutcomeStats();
    const slowAt50 = resolveConfig({ failureThreshold: 100, slowCallDurationMs: 50 });
    runCommands(
      locked,
      [
        { name: 'b', input: { type: 'OUTCOME', success: true, durationMs: 80 } },
        { name: 'b', input: { type: 'CONFIGURE', config: slowAt50 } },
        { name: 'b', input: { type: 'OUTCOME', success: true, durationMs: 80, occurredAt: now - minute } },
        { name: 'b', input: { type: 'OUTCOME', success: false, durationMs: 20 }, error: 'timeout 20ms' },
        { name: 'b', input: { type: 'OUTCOME', success: false, durationMs: null }, error: 'timeout 30ms' },
        { name: 'b', input: { type: 'ADVANCE' } },
      ],
      now,
      { stats },
    );
    // The first 80 ms call came before slow calls were defined; the second after.
    expect(
      stats
        .minutes()
        .map((m) => ({ start: m.minuteStart, calls: m.calls, failures: m.failures, slow: m.slowCalls, max: m.maxMs })),
    ).toEqual([
      { start: 99 * minute, calls: 1, failures: 0, slow: 1, max: 80 },
      { start: 100 * minute, calls: 3, failures: 2, slow: 0, max: 80 },
    ]);
    expect(stats.errors().map((e) => [e.message, e.count, e.firstSeenAt])).toEqual([['timeout #ms', 2, now]]);
    expect(stats.totals()).toMatchObject([{ breakerId: 2, breakerName: 'b', calls: 4, failures: 2, slowCalls: 1 }]);
  });

  it('adds to the statistics it is given, across runs, and to fresh ones otherwise', () => {
    const shared = new OutcomeStats();
    const first = runCommands(locked, [outcome('a', true)], T0, { stats: shared });
    const second = runCommands(locked, [outcome('a', false)], T0, { stats: shared });
    expect(first.stats).toBe(shared);
    expect(second.stats).toBe(shared);
    expect(shared.totals()).toMatchObject([{ breakerId: 1, calls: 2, failures: 1 }]);
    const alone = runCommands(locked, [outcome('b', true)], T0);
    expect(alone.stats.totals()).toMatchObject([{ breakerId: 2, calls: 1 }]);
    expect(shared.size).toBe(2);
  });

  it('refuses a breaker that was not locked', () => {
    expect(() => runCommands(locked, [outcome('c', true)], T0)).toThrow('breaker "c" was not locked');
  });
});
