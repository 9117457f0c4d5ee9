import { BREAKER_FIELDS, errorCode, gql, gqlOk, useTestApp } from './support/test-app';

/** Reporting outcomes: batches applied in order and all or nothing, batch limits, and parallel reporters. */
describe('outcomes (e2e)', () => {
  const fixture = useTestApp();

  interface Outcome {
    breakerName: string;
    success: boolean;
    error?: string;
  }

  const register = (name: string, config: Record<string, unknown>) =>
    gqlOk(fixture.app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
      i: { name, config },
    });
  const breaker = (name: string) =>
    gqlOk(fixture.app, `query($n: String!) { breaker(name: $n) { ${BREAKER_FIELDS} } }`, { n: name }).then(
      (d) => d.breaker,
    );
  const batch = (outcomes: Outcome[]) =>
    gql(
      fixture.app,
      `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted breakers { ${BREAKER_FIELDS} } } }`,
      {
        o: outcomes,
      },
    );
  const batchOk = async (outcomes: Outcome[]) => {
    const result = await batch(outcomes);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data.recordOutcomes;
  };
  const single = (outcome: Outcome) =>
    gqlOk(fixture.app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { ${BREAKER_FIELDS} } }`, {
      i: outcome,
    }).then((d) => d.recordOutcome);
  const events = (name: string) =>
    gqlOk(
      fixture.app,
      `query($n: String) { breakerEvents(breakerName: $n, order: ASC, first: 500) {
         edges { node { id breakerName type occurredAt fromState toState info } } } }`,
      { n: name },
    ).then((d) => d.breakerEvents.edges.map((e: any) => e.node));

  const f = (breakerName: string): Outcome => ({ breakerName, success: false });
  const s = (breakerName: string): Outcome => ({ breakerName, success: true });

  /** The CLOSED/OPEN part of the state machine, for breakers whose open period outlasts the test. */
  function simulate(outcomes: Outcome[], thresholds: Record<string, number>) {
    const out: Record<
      string,
      { state: string; consecutiveFailures: number; totalCalls: number; totalFailures: number; opened: number }
    > = {};
    for (const o of outcomes) {
      const b = (out[o.breakerName] ??= {
        state: 'CLOSED',
        consecutiveFailures: 0,
        totalCalls: 0,
        totalFailures: 0,
        opened: 0,
      });
      b.totalCalls++;
      if (!o.success) b.totalFailures++;
      if (b.state !== 'CLOSED') continue;
      if (o.success) b.consecutiveFailures = 0;
      else if (++b.consecutiveFailures >= thresholds[o.breakerName]) {
        b.state = 'OPEN';
        b.opened++;
      }
    }
    return out;
  }

  describe('recordOutcomes', () => {
    it('applies a batch in order per breaker, across several breakers, and returns each touched breaker once', async () => {
      const [a, b, c, d] = ['order.a', 'order.b', 'order.c', 'order.d'];
      await register(a, { failureThreshold: 3, openTimeoutMs: 600000 });
      await register(b, { failureThreshold: 2, openTimeoutMs: 600000 });
      await register(c, { failureThreshold: 3, openTimeoutMs: 600000 });
      await register(d, { failureThreshold: 3, openTimeoutMs: 600000 });
      // a: f f s f f → the success in the middle resets the count: CLOSED with 2.
      // b: f f s → opens at the second failure; the success after that changes nothing.
      // c: s f → CLOSED with 1.
      // d: f f f s → opens at the third failure (the same outcomes as a's, in another order, give another result).
      const outcomes = [f(a), f(b), f(a), s(c), f(d), s(a), f(b), f(d), f(a), f(c), s(b), f(a), f(d), s(d)];
      const result = await batchOk(outcomes);

      expect(result.accepted).toBe(outcomes.length);
      expect(result.breakers.map((x: any) => x.name).sort()).toEqual([a, b, c, d]);
      const returned = Object.fromEntries(result.breakers.map((x: any) => [x.name, x]));
      const pick = (x: any) => ({
        state: x.state,
        consecutiveFailures: x.consecutiveFailures,
        totalCalls: x.metrics.totalCalls,
        totalFailures: x.metrics.totalFailures,
      });
      expect(pick(returned[a])).toEqual({ state: 'CLOSED', consecutiveFailures: 2, totalCalls: 5, totalFailures: 4 });
      expect(pick(returned[b])).toEqual({ state: 'OPEN', consecutiveFailures: 2, totalCalls: 3, totalFailures: 2 });
      expect(pick(returned[c])).toEqual({ state: 'CLOSED', consecutiveFailures: 1, totalCalls: 2, totalFailures: 1 });
      expect(pick(returned[d])).toEqual({ state: 'OPEN', consecutiveFailures: 3, totalCalls: 4, totalFailures: 3 });
      // What it answered is what was committed (time away from CLOSED grows while b and d are OPEN).
      const timeless = (x: any) => ({ ...x, metrics: { ...x.metrics, circuitOpenDurationMs: undefined } });
      for (const name of [a, b, c, d]) expect(timeless(await breaker(name))).toEqual(timeless(returned[name]));

      expect(await events(a)).toEqual([]);
      expect(await events(c)).toEqual([]);
      const [bOpened] = await events(b);
      const [dOpened] = await events(d);
      expect(await events(b)).toHaveLength(1);
      expect(await events(d)).toHaveLength(1);
      expect(bOpened).toMatchObject({
        type: 'CIRCUIT_OPENED',
        fromState: 'CLOSED',
        toState: 'OPEN',
        info: { consecutiveFailures: 2 },
      });
      expect(dOpened).toMatchObject({
        type: 'CIRCUIT_OPENED',
        fromState: 'CLOSED',
        toState: 'OPEN',
        info: { consecutiveFailures: 3 },
      });
      // b tripped before d in the batch, so its event comes first.
      expect(BigInt(bOpened.id)).toBeLessThan(BigInt(dOpened.id));
    });

    it('is all or nothing: one unknown name refuses the whole batch with NOT_FOUND and changes nothing', async () => {
      const [a, b] = ['atomic.a', 'atomic.b'];
      await register(a, { failureThreshold: 2, openTimeoutMs: 600000 });
      await register(b, { failureThreshold: 1, openTimeoutMs: 600000 });
      await batchOk([f(a), s(b), s(b)]);
      const before = { a: await breaker(a), b: await breaker(b), aEvents: await events(a), bEvents: await events(b) };
      expect(before.a).toMatchObject({ state: 'CLOSED', consecutiveFailures: 1 });

      const refused = await batch([f(a), f(b), s('atomic.nobody'), f(a)]);
      expect(errorCode(refused)).toBe('NOT_FOUND');
      expect(refused.errors![0].message).toContain('atomic.nobody');
      expect(refused.data).toBeNull();

      const twoUnknown = await batch([f(b), f('atomic.ghost-1'), f(a), f('atomic.ghost-2')]);
      expect(errorCode(twoUnknown)).toBe('NOT_FOUND');
      expect(twoUnknown.errors![0].message).toContain('atomic.ghost-1');
      expect(twoUnknown.errors![0].message).toContain('atomic.ghost-2');

      // An invalid outcome late in the batch refuses it too.
      const invalid = await batch([f(a), f(b), { ...f(a), durationMs: -5 } as Outcome]);
      expect(errorCode(invalid)).toBe('BAD_USER_INPUT');

      // Had any of it applied, a or b would be OPEN with more calls and a CIRCUIT_OPENED event.
      expect(await breaker(a)).toEqual(before.a);
      expect(await breaker(b)).toEqual(before.b);
      expect(await events(a)).toEqual(before.aEvents);
      expect(await events(b)).toEqual(before.bEvents);
      expect(await breaker('atomic.nobody')).toBeNull();
      expect(await breaker('atomic.ghost-1')).toBeNull();
    });

    it('accepts a batch of exactly 10000 outcomes, applied in order', async () => {
      const [x, y] = ['big.x', 'big.y'];
      await register(x, { failureThreshold: 10000, openTimeoutMs: 600000 });
      await register(y, { failureThreshold: 3, openTimeoutMs: 600000 });
      // y sees a failure every fourth outcome, so never three in a row, until a run of three late in the batch.
      const outcomes = Array.from({ length: 10000 }, (_, i): Outcome => {
        if (i % 3 !== 0) return { breakerName: x, success: i % 5 !== 0 };
        const k = i / 3;
        return { breakerName: y, success: !(k % 4 === 0 || (k >= 3001 && k <= 3003)) };
      });
      const expected = simulate(outcomes, { [x]: 10000, [y]: 3 });
      expect(expected[y].state).toBe('OPEN');
      expect(expected[x].state).toBe('CLOSED');

      const result = await batchOk(outcomes);
      expect(result.accepted).toBe(10000);
      expect(result.breakers.map((b: any) => b.name).sort()).toEqual([x, y]);
      for (const name of [x, y]) {
        const b = await breaker(name);
        expect({
          state: b.state,
          consecutiveFailures: b.consecutiveFailures,
          totalCalls: b.metrics.totalCalls,
          totalFailures: b.metrics.totalFailures,
        }).toEqual({
          state: expected[name].state,
          consecutiveFailures: expected[name].consecutiveFailures,
          totalCalls: expected[name].totalCalls,
          totalFailures: expected[name].totalFailures,
        });
      }
      expect(expected[x].totalCalls + expected[y].totalCalls).toBe(10000);
      expect((await events(x)).map((e: any) => e.type)).toEqual([]);
      expect((await events(y)).map((e: any) => e.type)).toEqual(['CIRCUIT_OPENED']);
    });

    it('refuses an outcome error Postgres cannot store, naming the outcome, applying none of the batch', async () => {
      const name = 'batch.unstorable';
      await register(name, { failureThreshold: 10000 });
      const result = await batch([f(name), { breakerName: name, success: false, error: 'bad\u0000byte' }]);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].extensions!.field).toBe('outcomes.1.error');
      expect((await breaker(name)).metrics.totalCalls).toBe(0);
    });

    it('refuses a batch of 10001 outcomes with BAD_USER_INPUT, applying none of it', async () => {
      const name = 'big.refused';
      await register(name, { failureThreshold: 10000 });
      const result = await batch(Array.from({ length: 10001 }, () => f(name)));
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].extensions!.field).toBe('outcomes');
      expect(result.errors![0].message).toContain('10000');
      const after = await breaker(name);
      expect(after.metrics.totalCalls).toBe(0);
      expect(after.consecutiveFailures).toBe(0);
    });

    it('accepts an empty batch: 0 accepted, no breakers', async () => {
      const result = await batch([]);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ recordOutcomes: { accepted: 0, breakers: [] } });
    });
  });

  describe('parallel reporters', () => {
    it('answers each concurrent batch as if it ran alone, and refuses only the batch naming an unknown breaker', async () => {
      const name = 'parallel.grouped';
      await register(name, { failureThreshold: 10000, openTimeoutMs: 600000 });
      // Arriving together, most of these share a group transaction (see OutcomeWriter).
      const size = 25;
      const good = Array.from({ length: 12 }, (_, r) =>
        Array.from({ length: size }, (_, j) => ({ breakerName: name, success: (r + j) % 5 !== 0 })),
      );
      const unknown = [
        { breakerName: name, success: true },
        { breakerName: 'parallel.nobody', success: false },
      ];
      const [answers, refused] = await Promise.all([Promise.all(good.map((o) => batchOk(o))), batch(unknown)]);

      expect(errorCode(refused)).toBe('NOT_FOUND');
      expect(refused.errors?.[0].message).toContain('parallel.nobody');
      // Each answer shows the breaker just after its own batch: the totals of some serial order.
      const seen = answers.map((a: any) => a.breakers[0].metrics.totalCalls).sort((x: number, y: number) => x - y);
      expect(seen).toEqual(good.map((_, k) => (k + 1) * size));
      const after = await breaker(name);
      expect(after.metrics.totalCalls).toBe(good.length * size);
      expect(after.metrics.totalFailures).toBe(good.flat().filter((o) => !o.success).length);
    });

    it('lose no update: exact totals from many concurrent batches and single reports', async () => {
      const [onlyFail, onlyOk, mixed] = ['parallel.fail', 'parallel.ok', 'parallel.mixed'];
      for (const name of [onlyFail, onlyOk, mixed])
        await register(name, { failureThreshold: 10000, openTimeoutMs: 600000 });
      const names = [onlyFail, onlyOk, mixed];
      const outcomeOf = (name: string, seq: number): Outcome => ({
        breakerName: name,
        success: name === onlyOk || (name === mixed && seq % 3 !== 0),
      });

      const batches = Array.from({ length: 16 }, (_, r) =>
        Array.from({ length: 100 }, (_, j) => outcomeOf(names[(r + j) % 3], r * 100 + j)),
      );
      const singles = Array.from({ length: 24 }, (_, k) => outcomeOf(names[k % 3], 100_000 + k));
      const all = [...batches.flat(), ...singles];
      const expected = simulate(all, { [onlyFail]: 10000, [onlyOk]: 10000, [mixed]: 10000 });

      const [batchResults, singleResults] = await Promise.all([
        Promise.all(batches.map((outcomes) => batchOk(outcomes))),
        Promise.all(singles.map((outcome) => single(outcome))),
      ]);
      for (const result of batchResults) {
        expect(result.accepted).toBe(100);
        expect(result.breakers.map((b: any) => b.name).sort()).toEqual([...names].sort());
      }
      expect(singleResults.map((b: any) => b.name)).toEqual(singles.map((o) => o.breakerName));

      for (const name of names) {
        const b = await breaker(name);
        expect({
          name,
          state: b.state,
          totalCalls: b.metrics.totalCalls,
          totalFailures: b.metrics.totalFailures,
        }).toEqual({
          name,
          state: 'CLOSED',
          totalCalls: expected[name].totalCalls,
          totalFailures: expected[name].totalFailures,
        });
        expect(await events(name)).toEqual([]);
      }
      // Only failures: the consecutive count is exact too.
      expect((await breaker(onlyFail)).consecutiveFailures).toBe(expected[onlyFail].totalFailures);
      expect((await breaker(onlyOk)).consecutiveFailures).toBe(0);
      expect(expected[onlyFail].totalCalls + expected[onlyOk].totalCalls + expected[mixed].totalCalls).toBe(1624);

      // Each single report answered a different count of the breaker it touched: every increment is its own.
      for (const name of names) {
        const seen = singleResults.filter((b: any) => b.name === name).map((b: any) => b.metrics.totalCalls);
        expect(new Set(seen).size).toBe(seen.length);
      }
    });

    it('opens a breaker exactly once when parallel failures cross the threshold', async () => {
      const name = 'parallel.trip';
      await register(name, { failureThreshold: 5, openTimeoutMs: 600000 });
      const singles = Array.from({ length: 20 }, () => single(f(name)));
      const batches = Array.from({ length: 5 }, () => batchOk([f(name), f(name), f(name), f(name)]));
      const [singleResults] = await Promise.all([Promise.all(singles), Promise.all(batches)]);

      const after = await breaker(name);
      expect(after).toMatchObject({ state: 'OPEN', consecutiveFailures: 5 });
      expect(after.metrics).toMatchObject({ totalCalls: 40, totalFailures: 40 });
      const history = await events(name);
      expect(history.map((e: any) => e.type)).toEqual(['CIRCUIT_OPENED']);
      expect(history[0]).toMatchObject({
        fromState: 'CLOSED',
        toState: 'OPEN',
        info: { consecutiveFailures: 5, failureThreshold: 5 },
      });
      expect(Date.parse(history[0].occurredAt)).toBe(Date.parse(after.stateChangedAt));

      // Single reports that came back CLOSED each saw their own increment of the count.
      const closedCounts = singleResults
        .filter((b: any) => b.state === 'CLOSED')
        .map((b: any) => b.consecutiveFailures);
      expect(new Set(closedCounts).size).toBe(closedCounts.length);
      for (const count of closedCounts) expect(count).toBeLessThan(5);
    });
  });
});
