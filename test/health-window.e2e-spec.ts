import { Clock } from '../src/common/clock';
import { eventually, gql as gqlAny, gqlOk, useTestApp } from './support/test-app';

const HOUR_MS = 3_600_000;
const OPEN_MS = 1000;
const T0 = Date.UTC(2031, 5, 1, 8, 0, 0);

const REPORT = `mutation { recomputeHealth {
  overallSystemHealth
  statusCounts { healthy degraded unhealthy critical }
  services { name healthStatus recoveryRate lifetimeRecoveryRate }
} }`;

interface Report {
  overallSystemHealth: string;
  statusCounts: { healthy: number; degraded: number; unhealthy: number; critical: number };
  services: { name: string; healthStatus: string; recoveryRate: number; lifetimeRecoveryRate: number }[];
}

/** Grades over HEALTH_WINDOW_MS: bad recoveries stop counting once they are older than the window. */
describe('grades over a window (e2e)', () => {
  let now = T0;
  const clock: Clock = { now: () => now };
  const fixture = useTestApp({
    clock,
    env: { HEALTH_WINDOW_MS: String(24 * HOUR_MS), HEALTH_RECOMPUTE_INTERVAL_MS: String(24 * HOUR_MS) },
  });

  const gql = (query: string, variables: Record<string, unknown> = {}) => gqlOk(fixture.app, query, variables);
  const gqlRaw = (query: string) => gqlAny(fixture.app, query);
  const state = async (name: string) =>
    (await gql(`query($n: String!) { breaker(name: $n) { state } }`, { n: name })).breaker.state as string;
  const fail = (name: string) =>
    gql(`mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: false }) { state } }`, { n: name });
  const succeed = (name: string) =>
    gql(`mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: true }) { state } }`, { n: name });
  /** Moves the clock past the open period, and waits for the sweep to half-open the breaker. */
  const halfOpen = async (name: string) => {
    now += 4 * OPEN_MS; // past the doubled periods too
    await eventually(async () => ((await state(name)) === 'HALF_OPEN' ? true : undefined));
  };
  const recompute = async (): Promise<Report> => (await gql(REPORT)).recomputeHealth;
  const service = (report: Report, name: string) => report.services.find((s) => s.name === name)!;

  beforeAll(async () => {
    for (const name of ['flaky', 'steady', 'fine']) {
      await gql(`mutation($n: String!) { registerBreaker(input: { name: $n, config: {
        failureThreshold: 1, openTimeoutMs: ${OPEN_MS}, maxOpenTimeoutMs: ${OPEN_MS} } }) { name } }`, { n: name });
    }
    // flaky: three failed recoveries, then one that succeeds: 1 of 4.
    await fail('flaky');
    for (let i = 0; i < 3; i++) {
      await halfOpen('flaky');
      await fail('flaky');
    }
    await halfOpen('flaky');
    await succeed('flaky');
    expect(await state('flaky')).toBe('CLOSED');
    // steady: one recovery that succeeds.
    await fail('steady');
    await halfOpen('steady');
    await succeed('steady');
  });

  it('grades on the recoveries concluded in the window, and reports the lifetime rate beside it', async () => {
    const report = await recompute();
    expect(service(report, 'flaky')).toEqual({
      name: 'flaky',
      healthStatus: 'CRITICAL',
      recoveryRate: 0.25,
      lifetimeRecoveryRate: 0.25,
    });
    expect(service(report, 'steady')).toMatchObject({ healthStatus: 'HEALTHY', recoveryRate: 1 });
    // One bad breaker among three reads as that.
    expect(report.overallSystemHealth).toBe('CRITICAL');
    expect(report.statusCounts).toEqual({ healthy: 2, degraded: 0, unhealthy: 0, critical: 1 });
  });

  it('lets a CRITICAL breaker recover its grade once its bad recoveries leave the window', async () => {
    // A day on, still inside: the recoveries concluded a little over 24 h ago minus the seconds they took.
    now = T0 + 24 * HOUR_MS - 60_000;
    expect(service(await recompute(), 'flaky').healthStatus).toBe('CRITICAL');

    // A recovery concluded within the window counts again: steady fails and recovers now.
    now = T0 + 25 * HOUR_MS;
    await fail('steady');
    await halfOpen('steady');
    await fail('steady');
    await halfOpen('steady');
    await succeed('steady');

    const report = await recompute();
    // No recovery of flaky's in the window: the rate is 1.0, and it is HEALTHY again; its lifetime rate stays.
    expect(service(report, 'flaky')).toEqual({
      name: 'flaky',
      healthStatus: 'HEALTHY',
      recoveryRate: 1,
      lifetimeRecoveryRate: 0.25,
    });
    // steady: 1 of 2 in the window (UNHEALTHY), 2 of 3 over its life.
    expect(service(report, 'steady')).toMatchObject({ healthStatus: 'UNHEALTHY', recoveryRate: 0.5 });
    expect(service(report, 'steady').lifetimeRecoveryRate).toBeCloseTo(2 / 3, 10);
    expect(report.overallSystemHealth).toBe('UNHEALTHY');
    expect(report.statusCounts).toEqual({ healthy: 2, degraded: 0, unhealthy: 1, critical: 0 });

    const grades = await gql(`{ breaker(name: "flaky") { health } }`);
    expect(grades.breaker.health).toBe('HEALTHY');
  });

  it('counts only the breakers a scoped key sees', async () => {
    const { createApiKey } = await gql(
      `mutation { createApiKey(name: "flaky-watch", role: VIEWER, scope: "fla") { key } }`,
    );
    const scoped = await gqlOk(
      fixture.app,
      `{ recoveryReport { overallSystemHealth statusCounts { healthy degraded unhealthy critical } } }`,
      {},
      createApiKey.key,
    );
    expect(scoped.recoveryReport).toEqual({
      overallSystemHealth: 'HEALTHY',
      statusCounts: { healthy: 1, degraded: 0, unhealthy: 0, critical: 0 },
    });
  });

  it("filters and pages the report's services and recommendations, and answers them all by default", async () => {
    const names = async (args: string) =>
      (await gql(`{ recoveryReport { services${args} { name } } }`)).recoveryReport.services.map((x: { name: string }) => x.name);
    expect(await names('')).toEqual(['fine', 'flaky', 'steady']);
    expect(await names('(status: HEALTHY)')).toEqual(['fine', 'flaky']);
    expect(await names('(first: 2)')).toEqual(['fine', 'flaky']);
    expect(await names('(first: 2, after: "flaky")')).toEqual(['steady']);
    expect(await names('(status: HEALTHY, after: "fine")')).toEqual(['flaky']);
    // A keyset: a name no longer in the report (regraded, filtered out) still places the page.
    expect(await names('(after: "flaky-gone")')).toEqual(['steady']);
    expect(await names('(status: UNHEALTHY, after: "fine")')).toEqual(['steady']);
    const refused = await gqlRaw(`{ recoveryReport { recommendations(after: "nobody/FLAPPING") { kind } } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { recoveryReport } = await gql(`{ recoveryReport {
      services { name healthStatus }
      all: recommendations { breakerName kind }
      unhealthy: recommendations(status: UNHEALTHY) { breakerName kind }
      healthy: recommendations(status: HEALTHY) { breakerName kind } } }`);
    type Rec = { breakerName: string; kind: string };
    const statusOf = new Map(recoveryReport.services.map((x: { name: string; healthStatus: string }) => [x.name, x.healthStatus]));
    expect(recoveryReport.all.length).toBeGreaterThan(0);
    expect(recoveryReport.unhealthy).toEqual(recoveryReport.all.filter((r: Rec) => statusOf.get(r.breakerName) === 'UNHEALTHY'));
    expect(recoveryReport.healthy).toEqual(recoveryReport.all.filter((r: Rec) => statusOf.get(r.breakerName) === 'HEALTHY'));
    expect(recoveryReport.unhealthy.length + recoveryReport.healthy.length).toBe(recoveryReport.all.length);
    const [first, ...rest] = recoveryReport.all;
    const next = await gql(`query($a: String) { recoveryReport { recommendations(after: $a) { breakerName kind } } }`, {
      a: `${first.breakerName}/${first.kind}`,
    });
    expect(next.recoveryReport.recommendations).toEqual(rest);
  });
});
