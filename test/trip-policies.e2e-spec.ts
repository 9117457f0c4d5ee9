import { Clock } from '../src/common/clock';
import { errorCode, gql, gqlOk, useTestApp } from './support/test-app';

/** A clock the test moves by hand: windows, permits and stragglers are decided by time. */
class ManualClock extends Clock {
  t = Date.UTC(2026, 11, 2, 12, 0, 0);
  override now(): number {
    return this.t;
  }
}

/**
 * Issue 11 through the API: FAILURE_RATE and slow-call windows trip at exactly the expected call,
 * with the event's numbers; trial permits carry ids and settle exactly their own; stragglers and
 * unknown permits are counted but decide nothing; occurredAt and the new settings are validated.
 */
describe('trip policies and permits (e2e)', () => {
  const clock = new ManualClock();
  // A long sweep interval: these tests move breakers to HALF_OPEN themselves, through an input.
  const fixture = useTestApp({ clock, env: { HALF_OPEN_SWEEP_INTERVAL_MS: '500' } });

  const CONFIG_FIELDS = `tripOn windowMs windowBuckets minimumCalls failureRateThreshold slowCallDurationMs
    slowCallRateThreshold permitTimeoutMs failureThreshold openTimeoutMs halfOpenMaxCalls successThreshold`;

  interface Outcome {
    breakerName: string;
    success: boolean;
    durationMs?: number;
    occurredAt?: string;
    permitId?: string | null;
    error?: string;
  }

  const register = (name: string, config: Record<string, unknown>) =>
    gqlOk(
      fixture.app,
      `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name config { ${CONFIG_FIELDS} } } }`,
      {
        i: { name, config },
      },
    ).then((d) => d.registerBreaker);
  const send = (outcomes: Outcome[]) =>
    gql(
      fixture.app,
      `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted breakers { name state } } }`,
      {
        o: outcomes,
      },
    );
  const sendOk = async (outcomes: Outcome[]) => {
    const result = await send(outcomes);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data.recordOutcomes.breakers[0];
  };
  const breaker = (name: string) =>
    gqlOk(
      fixture.app,
      `query($n: String!) { breaker(name: $n) { state consecutiveFailures metrics { totalCalls totalFailures } config { ${CONFIG_FIELDS} } } }`,
      { n: name },
    ).then((d) => d.breaker);
  const acquire = (name: string) =>
    gqlOk(
      fixture.app,
      `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted state permitId expiresAt } }`,
      {
        n: name,
      },
    ).then((d) => d.acquirePermission);
  const openings = (name: string) =>
    gqlOk(
      fixture.app,
      `query($n: String) { breakerEvents(breakerName: $n, types: [CIRCUIT_OPENED], order: ASC, first: 50) { edges { node { info } } } }`,
      { n: name },
    ).then((d) => d.breakerEvents.edges.map((e: { node: { info: Record<string, unknown> } }) => e.node.info));
  const times = (n: number, o: Omit<Outcome, 'breakerName'>, name: string): Outcome[] =>
    Array.from({ length: n }, () => ({ breakerName: name, ...o }));
  const iso = (ms: number) => new Date(ms).toISOString();

  describe('FAILURE_RATE', () => {
    it('trips at exactly the call that brings the window to minimumCalls at the threshold, with the numbers', async () => {
      const name = 'rate.exact';
      const registered = await register(name, { tripOn: 'FAILURE_RATE', minimumCalls: 10, failureRateThreshold: 50 });
      expect(registered.config).toMatchObject({ tripOn: 'FAILURE_RATE', windowMs: 60000, windowBuckets: 10 });
      // 5 successes and 4 failures: 44 % of 9 calls, and fewer than minimumCalls.
      await sendOk([...times(5, { success: true }, name), ...times(4, { success: false }, name)]);
      expect((await breaker(name)).state).toBe('CLOSED');
      // The 10th call is the 5th failure: 50 % of 10, exactly at both thresholds.
      expect((await sendOk([{ breakerName: name, success: false }])).state).toBe('OPEN');
      expect(await openings(name)).toEqual([
        expect.objectContaining({ calls: 10, failures: 5, slowCalls: 0, failureRate: 50, slowCallRate: 0 }),
      ]);
    });

    it('never trips below minimumCalls, however many of the calls fail', async () => {
      const name = 'rate.below-minimum';
      await register(name, { tripOn: 'FAILURE_RATE', minimumCalls: 10, failureRateThreshold: 50 });
      expect((await sendOk(times(9, { success: false }, name))).state).toBe('CLOSED');
      expect((await sendOk(times(1, { success: false }, name))).state).toBe('OPEN');
    });

    it('drops the oldest bucket whole: failures a window ago no longer count', async () => {
      const name = 'rate.sliding';
      // Six buckets of 10 s.
      await register(name, {
        tripOn: 'FAILURE_RATE',
        windowMs: 60000,
        windowBuckets: 6,
        minimumCalls: 4,
        failureRateThreshold: 75,
      });
      await sendOk(times(3, { success: false }, name));
      clock.t += 60_000; // the bucket of those failures is now out of the window
      await sendOk(times(3, { success: true }, name));
      expect((await sendOk([{ breakerName: name, success: false }])).state).toBe('CLOSED'); // 1 of 4 failed
      const b = await breaker(name);
      expect(b.metrics).toEqual({ totalCalls: 7, totalFailures: 4 }); // outside the window, still counted
    });

    it('trips on the slow-call rate, a slow failure counting as both', async () => {
      const name = 'rate.slow';
      await register(name, {
        tripOn: 'FAILURE_RATE',
        minimumCalls: 4,
        failureRateThreshold: 100,
        slowCallDurationMs: 100,
        slowCallRateThreshold: 50,
      });
      await sendOk([
        { breakerName: name, success: true, durationMs: 5 },
        { breakerName: name, success: true, durationMs: 99.9 },
        { breakerName: name, success: false, durationMs: 250 },
      ]);
      expect((await breaker(name)).state).toBe('CLOSED'); // 3 calls < minimumCalls
      expect((await sendOk([{ breakerName: name, success: true, durationMs: 100 }])).state).toBe('OPEN');
      expect(await openings(name)).toEqual([
        expect.objectContaining({ calls: 4, failures: 1, slowCalls: 2, failureRate: 25, slowCallRate: 50 }),
      ]);
    });
  });

  describe('CONSECUTIVE_FAILURES', () => {
    it('counts a slow success as a failure when slowCallDurationMs is set, and says so in the event', async () => {
      const name = 'consecutive.slow';
      await register(name, { failureThreshold: 3, slowCallDurationMs: 1000 });
      await sendOk([
        { breakerName: name, success: false },
        { breakerName: name, success: true, durationMs: 1500 },
      ]);
      expect((await breaker(name)).consecutiveFailures).toBe(2);
      expect((await sendOk([{ breakerName: name, success: true, durationMs: 2000 }])).state).toBe('OPEN');
      expect(await openings(name)).toEqual([expect.objectContaining({ consecutiveFailures: 3, slow: true })]);
    });

    it('keeps today’s behaviour without slowCallDurationMs: a long success resets the count', async () => {
      const name = 'consecutive.plain';
      await register(name, { failureThreshold: 2 });
      await sendOk([
        { breakerName: name, success: false },
        { breakerName: name, success: true, durationMs: 60_000 },
        { breakerName: name, success: false },
      ]);
      expect(await breaker(name)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 1 });
    });
  });

  describe('trial permits', () => {
    /** Trips the breaker, then moves the clock past its open period: the next input half-opens it. */
    const tripAndWait = async (name: string) => {
      await sendOk(times(1, { success: false }, name));
      clock.t += 150;
    };

    it('answers no permit where none is needed', async () => {
      const name = 'permits.closed';
      await register(name, {});
      expect(await acquire(name)).toEqual({ permitted: true, state: 'CLOSED', permitId: null, expiresAt: null });
    });

    it('grants at most halfOpenMaxCalls, each with an id, for permitTimeoutMs rather than openTimeoutMs', async () => {
      const name = 'permits.identity';
      await register(name, {
        failureThreshold: 1,
        openTimeoutMs: 100,
        halfOpenMaxCalls: 1,
        successThreshold: 1,
        permitTimeoutMs: 1000,
      });
      await tripAndWait(name);
      const first = await acquire(name);
      expect(first).toMatchObject({ permitted: true, state: 'HALF_OPEN' });
      expect(first.permitId).toEqual(expect.any(String));
      expect(first.expiresAt).toBe(iso(clock.t + 1000));
      // 200 ms into a trial: past the open timeout, well within the permit's. No second trial.
      clock.t += 200;
      expect(await acquire(name)).toEqual({ permitted: false, state: 'HALF_OPEN', permitId: null, expiresAt: null });
      // The permit expires after permitTimeoutMs: then another is granted, with another id.
      clock.t += 801;
      const second = await acquire(name);
      expect(second.permitted).toBe(true);
      expect(second.permitId).not.toBe(first.permitId);
    });

    it('lets an outcome with a live permit id settle exactly that permit', async () => {
      const name = 'permits.settle';
      await register(name, { failureThreshold: 1, openTimeoutMs: 100, halfOpenMaxCalls: 2, successThreshold: 2 });
      await tripAndWait(name);
      const a = await acquire(name);
      const b = await acquire(name);
      expect([a.permitted, b.permitted]).toEqual([true, true]);
      expect((await acquire(name)).permitted).toBe(false);
      expect((await sendOk([{ breakerName: name, success: true, permitId: b.permitId }])).state).toBe('HALF_OPEN');
      // b's permit is settled, a's is still out: one permit free again.
      const c = await acquire(name);
      expect(c.permitted).toBe(true);
      expect((await acquire(name)).permitted).toBe(false);
      // Settling b again is a stale id: counted, not a trial.
      expect((await sendOk([{ breakerName: name, success: true, permitId: b.permitId }])).state).toBe('HALF_OPEN');
      expect((await sendOk([{ breakerName: name, success: true, permitId: a.permitId }])).state).toBe('CLOSED');
    });

    it('counts a straggler from before the half-open and an unknown permit, and lets neither decide the recovery', async () => {
      const name = 'permits.stragglers';
      await register(name, { failureThreshold: 1, openTimeoutMs: 100, halfOpenMaxCalls: 1, successThreshold: 1 });
      const beforeOutage = clock.t - 10;
      await tripAndWait(name);
      const permit = await acquire(name);
      expect(permit.state).toBe('HALF_OPEN');
      const before = (await breaker(name)).metrics.totalCalls;
      // A failure that happened before the outage, reported late, and one under a permit nobody granted.
      await sendOk([
        { breakerName: name, success: false, occurredAt: iso(beforeOutage) },
        { breakerName: name, success: false, permitId: 'no-such-permit' },
      ]);
      const after = await breaker(name);
      expect(after.state).toBe('HALF_OPEN');
      expect(after.metrics.totalCalls).toBe(before + 2);
      // A permit-less call made after the half-open is a trial.
      expect((await sendOk([{ breakerName: name, success: true, occurredAt: iso(clock.t) }])).state).toBe('CLOSED');
    });
  });

  // The two permit defects of issue 11, written with the fields the API had before it, so that
  // the same test runs (and failed) on the code before: permits expired after openTimeoutMs, and
  // an outcome without a permit freed someone else's, letting halfOpenMaxCalls be exceeded.
  describe('permit defects of before', () => {
    const oldAcquire = (name: string) =>
      gqlOk(fixture.app, `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted state } }`, {
        n: name,
      }).then((d) => d.acquirePermission);
    const oldReport = (name: string, success: boolean) =>
      gqlOk(fixture.app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { state } }`, {
        i: { breakerName: name, success },
      }).then((d) => d.recordOutcome);
    const oldRegister = (name: string) =>
      gqlOk(
        fixture.app,
        `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: 1, openTimeoutMs: 100, halfOpenMaxCalls: 1, successThreshold: 2 } }) { name } }`,
      );

    it('keeps a trial permit past openTimeoutMs: a 200 ms trial at a 100 ms open timeout lets no second one in', async () => {
      const name = 'defect.permit-expiry';
      await oldRegister(name);
      await oldReport(name, false);
      clock.t += 150;
      expect(await oldAcquire(name)).toEqual({ permitted: true, state: 'HALF_OPEN' });
      clock.t += 200;
      expect(await oldAcquire(name)).toEqual({ permitted: false, state: 'HALF_OPEN' });
    });

    it('does not let an outcome without a permit free a permit it does not hold', async () => {
      const name = 'defect.max-calls';
      await oldRegister(name);
      await oldReport(name, false);
      clock.t += 150;
      expect(await oldAcquire(name)).toEqual({ permitted: true, state: 'HALF_OPEN' });
      // Another reporter's success (a trial: it happened after the half-open) ...
      expect(await oldReport(name, true)).toEqual({ state: 'HALF_OPEN' });
      // ... must not hand out a second permit while the first is still out.
      expect(await oldAcquire(name)).toEqual({ permitted: false, state: 'HALF_OPEN' });
    });
  });

  describe('validation', () => {
    it('refuses an occurredAt more than 5 s ahead or more than 24 h behind, naming the field', async () => {
      const name = 'validate.occurred';
      await register(name, {});
      const ahead = await send([
        { breakerName: name, success: true },
        { breakerName: name, success: true, occurredAt: iso(clock.t + 5001) },
      ]);
      expect(errorCode(ahead)).toBe('BAD_USER_INPUT');
      expect(ahead.errors?.[0].extensions?.field).toBe('outcomes.1.occurredAt');
      const behind = await gql(fixture.app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { name } }`, {
        i: { breakerName: name, success: true, occurredAt: iso(clock.t - 86_400_001) },
      });
      expect(errorCode(behind)).toBe('BAD_USER_INPUT');
      expect(behind.errors?.[0].extensions?.field).toBe('input.occurredAt');
      // At the limits exactly, both are taken.
      await sendOk([
        { breakerName: name, success: true, occurredAt: iso(clock.t + 5000) },
        { breakerName: name, success: true, occurredAt: iso(clock.t - 86_400_000) },
      ]);
      expect((await breaker(name)).metrics.totalCalls).toBe(2);
    });

    it('refuses an over-long permitId', async () => {
      const result = await send([{ breakerName: 'validate.occurred', success: true, permitId: 'p'.repeat(101) }]);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].extensions?.field).toBe('outcomes.0.permitId');
    });

    it.each([
      ['windowMs', 999],
      ['windowMs', 3_600_001],
      ['windowBuckets', 0],
      ['windowBuckets', 61],
      ['minimumCalls', 0],
      ['minimumCalls', 100_001],
      ['failureRateThreshold', 0],
      ['failureRateThreshold', 100.5],
      ['slowCallDurationMs', 0.5],
      ['slowCallDurationMs', 600_001],
      ['slowCallRateThreshold', 0],
      ['permitTimeoutMs', 99],
      ['permitTimeoutMs', 600_001],
    ])('refuses %s = %s with BAD_USER_INPUT naming it', async (field, value) => {
      const result = await gql(
        fixture.app,
        `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`,
        {
          i: { name: `validate.${field}.${String(value).replace('.', '_')}`, config: { [field]: value } },
        },
      );
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].extensions?.field).toBe(`input.config.${field}`);
    });

    it('turns slow calls off with an explicit null, and keeps them when the field is left out', async () => {
      const name = 'validate.slow-off';
      await register(name, { slowCallDurationMs: 250 });
      const update = (config: string) =>
        gqlOk(
          fixture.app,
          `mutation { updateBreakerConfig(name: "${name}", config: ${config}) { config { slowCallDurationMs minimumCalls } } }`,
        ).then((d) => d.updateBreakerConfig.config);
      expect(await update('{ minimumCalls: 7 }')).toEqual({ slowCallDurationMs: 250, minimumCalls: 7 });
      expect(await update('{ slowCallDurationMs: null }')).toEqual({ slowCallDurationMs: null, minimumCalls: 7 });
    });
  });
});
