import {
  BreakerRecord,
  BreakerState,
  EMPTY_METRICS,
  initialSnapshot,
  RecoveryEventType,
  resolveConfig,
} from './engine';
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

  it('refuses a breaker that was not locked', () => {
    expect(() => runCommands(locked, [outcome('c', true)], T0)).toThrow('breaker "c" was not locked');
  });
});
