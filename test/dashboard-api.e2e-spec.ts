import { Clock } from '../src/common/clock';
import { errorCode, gql, gqlOk, useTestApp } from './support/test-app';

const MINUTE = 60_000;
/** On an hour, so on a multiple of every step used below. */
const T0 = Date.UTC(2031, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

const ACTIVITY = `query($s: DateTime, $u: DateTime, $step: Float) {
  breakerActivity(since: $s, until: $u, stepMs: $step) { breakerName calls failures } }`;

/** What the dashboard reads beyond the per-breaker API: who it is talking as, and the fleet's activity. */
describe('the queries behind the dashboard (e2e)', () => {
  const now = T0 + 60 * MINUTE;
  const clock: Clock = { now: () => now };
  const fixture = useTestApp({ clock });

  const createKey = async (name: string, role: string, scope?: string) =>
    (
      await gqlOk(
        fixture.app,
        `mutation($n: String!, $r: Role!, $s: String) { createApiKey(name: $n, role: $r, scope: $s) { key } }`,
        { n: name, r: role, s: scope },
      )
    ).createApiKey.key as string;

  beforeAll(async () => {
    for (const name of ['shop.cart', 'shop.pay', 'idle', 'ledger']) {
      await gqlOk(fixture.app, `mutation($n: String!) { registerBreaker(input: { name: $n, config: { failureThreshold: 1000 } }) { name } }`, {
        n: name,
      });
    }
    const at = (minute: number) => iso(T0 + minute * MINUTE + 1000);
    const outcomes = [
      // shop.cart: 3 calls (1 failure) in the first five minutes, 2 successes in the last five.
      ...[true, false, true].map((success) => ({ breakerName: 'shop.cart', success, occurredAt: at(2) })),
      ...[true, true].map((success) => ({ breakerName: 'shop.cart', success, occurredAt: at(57) })),
      // shop.pay: 4 failures at minute 30, and one before the range, which is not counted.
      ...Array.from({ length: 4 }, () => ({ breakerName: 'shop.pay', success: false, occurredAt: at(30) })),
      { breakerName: 'shop.pay', success: false, occurredAt: at(-1) },
      { breakerName: 'ledger', success: true, occurredAt: at(10) },
    ];
    await gqlOk(fixture.app, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, {
      o: outcomes,
    });
  });

  it('viewer: any key reads its own name, role and scope', async () => {
    expect((await gqlOk(fixture.app, `{ viewer { name role scope } }`)).viewer).toEqual({
      name: 'bootstrap-admin',
      role: 'ADMIN',
      scope: null,
    });
    const key = await createKey('wall-screen', 'VIEWER', 'shop.');
    expect((await gqlOk(fixture.app, `{ viewer { name role scope } }`, {}, key)).viewer).toEqual({
      name: 'wall-screen',
      role: 'VIEWER',
      scope: 'shop.',
    });
    const refused = await gql(fixture.app, `{ viewer { name } }`, {}, 'not-a-key-at-all-0000000000');
    expect(refused.status).toBe(401);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
  });

  it('breakerActivity: every breaker with calls in the range, by name, each step present, over the last hour by default', async () => {
    const { breakerActivity } = await gqlOk(fixture.app, ACTIVITY, {});
    const zeros = () => new Array(12).fill(0);
    const series = (steps: Record<number, number>) => Object.assign(zeros(), steps);
    expect(breakerActivity).toEqual([
      { breakerName: 'ledger', calls: series({ 2: 1 }), failures: zeros() },
      { breakerName: 'shop.cart', calls: series({ 0: 3, 11: 2 }), failures: series({ 0: 1 }) },
      { breakerName: 'shop.pay', calls: series({ 6: 4 }), failures: series({ 6: 4 }) },
    ]);
  });

  it('breakerActivity: an explicit range and step, aligned to the step', async () => {
    const { breakerActivity } = await gqlOk(fixture.app, ACTIVITY, {
      s: iso(T0 + 25 * MINUTE),
      u: iso(T0 + 60 * MINUTE),
      step: 30 * MINUTE,
    });
    // Steps start at T0 (holding since) and T0 + 30 min.
    expect(breakerActivity).toEqual([
      { breakerName: 'ledger', calls: [1, 0], failures: [0, 0] },
      { breakerName: 'shop.cart', calls: [3, 2], failures: [1, 0] },
      { breakerName: 'shop.pay', calls: [0, 4], failures: [0, 4] },
    ]);
  });

  it("breakerActivity: a scoped key sees only its own breakers", async () => {
    const key = await createKey('shop-screen', 'VIEWER', 'shop.');
    const { breakerActivity } = await gqlOk(fixture.app, ACTIVITY, {}, key);
    expect(breakerActivity.map((a: { breakerName: string }) => a.breakerName)).toEqual(['shop.cart', 'shop.pay']);
  });

  it('breakerActivity: too many steps, a step that is not whole minutes, or an empty range are BAD_USER_INPUT', async () => {
    for (const vars of [
      { step: MINUTE, s: iso(T0), u: iso(T0 + 101 * MINUTE) },
      { step: 90_000 },
      { s: iso(T0 + 10 * MINUTE), u: iso(T0 + 10 * MINUTE) },
      // More than 7 days, in few steps: one step of a year, or 8 steps of a day.
      { step: 366 * 1440 * MINUTE, s: iso(T0), u: iso(T0 + MINUTE) },
      { step: 1440 * MINUTE, s: iso(T0 - 8 * 1440 * MINUTE), u: iso(T0) },
    ]) {
      const result = await gql(fixture.app, ACTIVITY, vars);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
  });
});
