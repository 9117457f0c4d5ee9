import { RunningApp } from '../src/bootstrap';
import { Clock } from '../src/common/clock';
import { RetentionJob } from '../src/maintenance/retention.job';
import { errorCode, eventually, gql, gqlOk, sleep, useTestApp } from './support/test-app';
import { Collector, subscribe } from './support/ws-client';

const REPORT_FIELDS = `generatedAt overallSystemHealth
  services { name healthStatus recoveryRate averageDowntimeMs }
  recommendations { breakerName kind severity message suggestedConfig evidence }`;
const METRICS_FIELDS = `breakerName totalCalls totalFailures recoveryAttempts successfulRecoveries failedRecoveries
  consecutiveFailedRecoveries averageRecoveryTimeMs circuitOpenDurationMs lastFailureAt lastRecoveryAt`;
const HEALTH_CHANGED = `subscription($n: String) { healthChanged(breakerName: $n) { breakerName from to at } }`;
const REPORT_UPDATED = `subscription { recoveryReportUpdated { ${REPORT_FIELDS} } }`;
const HISTORY = `query($n: String!, $s: DateTime) {
  healthHistory(breakerName: $n, since: $s) { breakerName status recoveryRate averageDowntimeMs computedAt } }`;

const DAY_MS = 86_400_000;
const WORST_FIRST = ['CRITICAL', 'UNHEALTHY', 'DEGRADED', 'HEALTHY'];

interface Service {
  name: string;
  healthStatus: string;
  recoveryRate: number;
  averageDowntimeMs: number;
}
interface Rec {
  breakerName: string;
  kind: string;
  severity: string;
  message: string;
  suggestedConfig: Record<string, number> | null;
  evidence: Record<string, unknown>;
}
interface Report {
  generatedAt: string;
  overallSystemHealth: string;
  services: Service[];
  recommendations: Rec[];
}

/** The API calls these tests make, against one app. */
function api(app: RunningApp) {
  const self = {
    register: (name: string, config: Record<string, number>) =>
      gqlOk(app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
        i: { name, config },
      }),
    outcome: (name: string, success: boolean) =>
      gqlOk(app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { state } }`, {
        i: { breakerName: name, success },
      }).then((d) => d.recordOutcome.state as string),
    fail: (name: string) => self.outcome(name, false),
    succeed: (name: string) => self.outcome(name, true),
    outcomes: (name: string, pattern: boolean[]) =>
      gqlOk(
        app,
        `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted breakers { name state } } }`,
        { o: pattern.map((success) => ({ breakerName: name, success })) },
      ).then((d) => d.recordOutcomes),
    admin: (mutation: 'resetBreaker' | 'forceOpenBreaker', name: string) =>
      gqlOk(app, `mutation($n: String!) { ${mutation}(name: $n) { state stateChangedAt } }`, { n: name }).then(
        (d) => d[mutation] as { state: string; stateChangedAt: string },
      ),
    breaker: (name: string) =>
      gqlOk(
        app,
        `query($n: String!) { breaker(name: $n) { name state stateChangedAt health metrics { ${METRICS_FIELDS} } } }`,
        { n: name },
      ).then((d) => d.breaker),
    waitForState: (name: string, state: string, timeoutMs = 5000) =>
      eventually(async () => ((await self.breaker(name)).state === state ? true : undefined), timeoutMs),
    events: (name: string, order: 'ASC' | 'DESC' = 'ASC', first = 100) =>
      gqlOk(
        app,
        `query($n: String, $o: SortOrder, $f: Int) { breakerEvents(breakerName: $n, order: $o, first: $f) {
           edges { node { id type occurredAt info } } } }`,
        { n: name, o: order, f: first },
      ).then((d) => d.breakerEvents.edges.map((e: any) => e.node)),
    recompute: () =>
      gqlOk(app, `mutation { recomputeHealth { ${REPORT_FIELDS} } }`).then((d) => d.recomputeHealth as Report),
    report: () => gqlOk(app, `{ recoveryReport { ${REPORT_FIELDS} } }`).then((d) => d.recoveryReport as Report),
    history: (name: string, since?: string) =>
      gqlOk(app, HISTORY, { n: name, s: since ?? null }).then((d) => d.healthHistory as any[]),
  };
  return self;
}

const service = (report: Report, name: string) => {
  const found = report.services.find((s) => s.name === name);
  if (!found) throw new Error(`no service "${name}" in the report: ${JSON.stringify(report.services)}`);
  return found;
};
const recsOf = (report: Report, name: string) => report.recommendations.filter((r) => r.breakerName === name);
const recOf = (report: Report, name: string, kind: string) => recsOf(report, name).find((r) => r.kind === kind);
const worst = (statuses: string[]) => WORST_FIRST.find((s) => statuses.includes(s)) ?? 'HEALTHY';

describe('recovery analytics (e2e)', () => {
  const fixture = useTestApp({
    // The scheduled job stays out of the way: every report here comes from recomputeHealth.
    env: { HEALTH_RECOMPUTE_INTERVAL_MS: String(DAY_MS), REC_FORCED_OPEN_MAX_MS: '1500' },
  });
  let a: ReturnType<typeof api>;

  beforeAll(() => {
    a = api(fixture.app);
  });

  it('reports HEALTHY overall, with no services and no advice, when there are no breakers', async () => {
    const first = await a.report(); // none computed yet: computed now
    expect(first).toMatchObject({ overallSystemHealth: 'HEALTHY', services: [], recommendations: [] });
    expect(Number.isNaN(Date.parse(first.generatedAt))).toBe(false);
    const again = await a.recompute();
    expect(again).toMatchObject({ overallSystemHealth: 'HEALTHY', services: [], recommendations: [] });
    expect(Date.parse(again.generatedAt)).toBeGreaterThan(Date.parse(first.generatedAt));
    expect((await a.report()).generatedAt).toBe(again.generatedAt);
  });

  it('grades engineered recovery histories, rolls up the worst, and advises on the 0-of-1 breaker', async () => {
    const quick = { failureThreshold: 1, openTimeoutMs: 150 };
    await Promise.all([
      (async () => {
        // One successful recovery, no failed one; CLOSED.
        await a.register('g.recovered', quick);
        expect(await a.fail('g.recovered')).toBe('OPEN');
        await a.waitForState('g.recovered', 'HALF_OPEN');
        expect(await a.succeed('g.recovered')).toBe('CLOSED');
      })(),
      (async () => {
        // One failed recovery, then one successful: exactly 0.5.
        await a.register('g.half', quick);
        await a.fail('g.half');
        await a.waitForState('g.half', 'HALF_OPEN');
        expect(await a.fail('g.half')).toBe('OPEN');
        await a.waitForState('g.half', 'HALF_OPEN');
        expect(await a.succeed('g.half')).toBe('CLOSED');
      })(),
      (async () => {
        // One failed recovery and none successful, then reset to CLOSED: 0 of 1.
        await a.register('g.failed', quick);
        await a.fail('g.failed');
        await a.waitForState('g.failed', 'HALF_OPEN');
        expect(await a.fail('g.failed')).toBe('OPEN');
        expect((await a.admin('resetBreaker', 'g.failed')).state).toBe('CLOSED');
      })(),
      (async () => {
        // OPEN now, never recovered: rate 1.0, capped at UNHEALTHY.
        await a.register('g.open', { failureThreshold: 1, openTimeoutMs: 60_000 });
        expect(await a.fail('g.open')).toBe('OPEN');
      })(),
      (async () => {
        // HALF_OPEN now, the attempt under way not concluded: rate 1.0, capped at DEGRADED.
        await a.register('g.halfopen', quick);
        await a.fail('g.halfopen');
        await a.waitForState('g.halfopen', 'HALF_OPEN');
      })(),
      a.register('g.fresh', quick), // never opened
    ]);

    const report = await a.recompute();
    const recovered = await a.breaker('g.recovered');
    const half = await a.breaker('g.half');
    expect(recovered.metrics).toMatchObject({ successfulRecoveries: 1, failedRecoveries: 0 });
    expect(half.metrics).toMatchObject({ successfulRecoveries: 1, failedRecoveries: 1 });
    const r1 = recovered.metrics.averageRecoveryTimeMs;
    const r2 = half.metrics.averageRecoveryTimeMs;
    // The downtime is the recovery time recorded in the RECOVERY_SUCCEEDED event.
    const succeeded = (await a.events('g.recovered')).find((e: any) => e.type === 'RECOVERY_SUCCEEDED');
    expect(succeeded.info.recoveryTimeMs).toBe(r1);
    expect(r1).toBeGreaterThanOrEqual(150);
    expect(r2).toBeGreaterThanOrEqual(150 + 300); // the first open period, then the doubled one

    const expected: Service[] = [
      { name: 'g.failed', healthStatus: 'CRITICAL', recoveryRate: 0, averageDowntimeMs: 0 },
      { name: 'g.fresh', healthStatus: 'HEALTHY', recoveryRate: 1, averageDowntimeMs: 0 },
      { name: 'g.half', healthStatus: 'UNHEALTHY', recoveryRate: 0.5, averageDowntimeMs: r2 },
      { name: 'g.halfopen', healthStatus: 'DEGRADED', recoveryRate: 1, averageDowntimeMs: 0 },
      { name: 'g.open', healthStatus: 'UNHEALTHY', recoveryRate: 1, averageDowntimeMs: 0 },
      { name: 'g.recovered', healthStatus: 'HEALTHY', recoveryRate: 1, averageDowntimeMs: r1 },
    ];
    expect([...report.services].sort((x, y) => (x.name < y.name ? -1 : 1))).toEqual(expected);
    expect(report.overallSystemHealth).toBe('CRITICAL');
    expect(report.overallSystemHealth).toBe(worst(report.services.map((s) => s.healthStatus)));

    // Breaker.health agrees with the report, breaker by breaker.
    for (const s of expected) expect([s.name, (await a.breaker(s.name)).health]).toEqual([s.name, s.healthStatus]);

    // Exactly one piece of advice: g.half's rate of exactly 0.5 is not below 50%.
    expect(report.recommendations).toHaveLength(1);
    const low = report.recommendations[0];
    expect(low).toMatchObject({
      breakerName: 'g.failed',
      kind: 'LOW_RECOVERY_RATE',
      severity: 'CRITICAL',
      suggestedConfig: null,
      evidence: { recoveryRate: 0, successfulRecoveries: 0, failedRecoveries: 1, threshold: 0.5 },
    });
    expect(low.message).toContain('"g.failed"');
    expect(low.message).toContain('0%');
    expect(low.message).toContain('0 of 1');
    expect(low.message).toContain('openTimeoutMs 150');

    // recoveryReport answers that same report.
    expect(await a.report()).toEqual(report);
  });

  it('lists each service’s recentEvents newest first, limited', async () => {
    const { recoveryReport } = await gqlOk(
      fixture.app,
      `{ recoveryReport { services { name recentEvents(limit: 2) { id type breakerName } } } }`,
    );
    const byName = new Map<string, any[]>(recoveryReport.services.map((s: any) => [s.name, s.recentEvents]));
    expect(byName.get('g.recovered')!.map((e) => e.type)).toEqual(['CIRCUIT_CLOSED', 'RECOVERY_SUCCEEDED']);
    expect(byName.get('g.failed')!.map((e) => e.type)).toEqual(['CIRCUIT_RESET', 'CIRCUIT_OPENED']);
    expect(byName.get('g.open')!.map((e) => e.type)).toEqual(['CIRCUIT_OPENED']); // its only event
    for (const name of ['g.recovered', 'g.half', 'g.failed', 'g.halfopen']) {
      const recent = byName.get(name)!;
      expect(recent).toHaveLength(2);
      expect(recent.every((e) => e.breakerName === name)).toBe(true);
      expect(BigInt(recent[0].id)).toBeGreaterThan(BigInt(recent[1].id));
      const newest = await a.events(name, 'DESC', 2);
      expect(recent.map((e) => e.id)).toEqual(newest.map((e: any) => e.id));
    }
    // The default limit is 10.
    const { recoveryReport: full } = await gqlOk(
      fixture.app,
      `{ recoveryReport { services { name recentEvents { id } } } }`,
    );
    const halfEvents = full.services.find((s: any) => s.name === 'g.half').recentEvents;
    expect(halfEvents.map((e: any) => e.id)).toEqual((await a.events('g.half', 'DESC', 10)).map((e: any) => e.id));
  });

  it('advises REPEATED_FAILED_RECOVERIES at 3 failed recoveries in a row, with openTimeoutMs from the p75', async () => {
    const name = 'r.repeat';
    await a.register(name, { failureThreshold: 1, openTimeoutMs: 100, maxOpenTimeoutMs: 5000 });
    // One successful recovery, to observe a recovery time…
    await a.fail(name);
    await a.waitForState(name, 'HALF_OPEN');
    expect(await a.succeed(name)).toBe('CLOSED');
    const recoveryTimeMs = (await a.breaker(name)).metrics.averageRecoveryTimeMs;
    expect(recoveryTimeMs).toBeGreaterThan(100);
    expect(recoveryTimeMs).toBeLessThan(5000);
    // …then failed recoveries in a row.
    await a.fail(name);
    for (let i = 0; i < 2; i++) {
      await a.waitForState(name, 'HALF_OPEN');
      expect(await a.fail(name)).toBe('OPEN');
    }
    expect((await a.breaker(name)).metrics.consecutiveFailedRecoveries).toBe(2);
    expect(recOf(await a.recompute(), name, 'REPEATED_FAILED_RECOVERIES')).toBeUndefined();

    await a.waitForState(name, 'HALF_OPEN');
    expect(await a.fail(name)).toBe('OPEN');
    const report = await a.recompute();
    const rec = recOf(report, name, 'REPEATED_FAILED_RECOVERIES');
    expect(rec).toMatchObject({
      severity: 'WARNING',
      evidence: { consecutiveFailedRecoveries: 3, openTimeoutMs: 100, maxOpenTimeoutMs: 5000 },
    });
    // The one recovery's time, read from the breaker's recovery histogram: within 1/64 of it.
    const p75 = rec!.evidence.p75RecoveryTimeMs as number;
    expect(Math.abs(p75 - recoveryTimeMs) / recoveryTimeMs).toBeLessThanOrEqual(1 / 64);
    expect(rec!.suggestedConfig).toEqual({ openTimeoutMs: Math.round(p75) });
    expect(rec!.message).toContain(`"${name}"`);
    expect(rec!.message).toContain('failed 3 recoveries in a row');
    expect(rec!.message).toContain(`Set openTimeoutMs to ${Math.round(p75)}`);
    // 1 of 4 recoveries: CRITICAL, and a low-rate warning besides.
    expect(service(report, name)).toMatchObject({ healthStatus: 'CRITICAL', recoveryRate: 0.25 });
    expect(recOf(report, name, 'LOW_RECOVERY_RATE')?.evidence).toMatchObject({ recoveryRate: 0.25 });
    // Five openings, but only two from CLOSED: re-openings after failed trials are not flapping.
    expect(
      recsOf(report, name)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(['LOW_RECOVERY_RATE', 'REPEATED_FAILED_RECOVERIES']);
  });

  it('advises FLAPPING at 5 openings from CLOSED, suggesting a doubled failureThreshold', async () => {
    const name = 'f.flap';
    await a.register(name, { failureThreshold: 3, openTimeoutMs: 60_000 });
    const flap = async () => {
      const result = await a.outcomes(name, [false, false, false]);
      expect(result.breakers).toEqual([{ name, state: 'OPEN' }]);
      expect((await a.admin('resetBreaker', name)).state).toBe('CLOSED');
    };
    for (let i = 0; i < 4; i++) await flap();
    expect(recOf(await a.recompute(), name, 'FLAPPING')).toBeUndefined();

    await flap();
    const report = await a.recompute();
    const rec = recOf(report, name, 'FLAPPING');
    expect(rec).toMatchObject({
      severity: 'WARNING',
      suggestedConfig: { failureThreshold: 6 },
      evidence: { openingsFromClosed: 5, windowMs: 3_600_000, failureThreshold: 3 },
    });
    expect(rec!.message).toContain(`"${name}"`);
    expect(rec!.message).toContain('opened 5 times from CLOSED');
    expect(rec!.message).toContain('from 3 to 6');
    // Resets are not recoveries: the rate stays 1.0.
    expect(service(report, name)).toEqual({ name, healthStatus: 'HEALTHY', recoveryRate: 1, averageDowntimeMs: 0 });
  });

  it('advises THRESHOLD_TOO_LAX for a mostly failing breaker that never opens, from 100 calls on', async () => {
    const name = 't.lax';
    await a.register(name, { failureThreshold: 10, openTimeoutMs: 60_000 });
    const fFS = (times: number) => Array.from({ length: times }, () => [false, false, true]).flat();
    const first = await a.outcomes(name, fFS(33)); // 99 calls, 66 failures, never 3 failures in a row
    expect(first).toEqual({ accepted: 99, breakers: [{ name, state: 'CLOSED' }] });
    expect(recOf(await a.recompute(), name, 'THRESHOLD_TOO_LAX')).toBeUndefined();

    expect((await a.outcomes(name, fFS(1))).breakers).toEqual([{ name, state: 'CLOSED' }]); // 102 calls, 68 failures
    const report = await a.recompute();
    const rec = recOf(report, name, 'THRESHOLD_TOO_LAX');
    expect(rec).toMatchObject({
      severity: 'WARNING',
      suggestedConfig: { failureThreshold: 5 },
      evidence: { calls: 102, failures: 68, windowMs: 3_600_000, failureThreshold: 10 },
    });
    expect(rec!.evidence.failureRatio).toBeCloseTo(68 / 102, 12);
    expect(rec!.message).toContain(`"${name}"`);
    expect(rec!.message).toContain('68 failures in 102 calls');
    expect(rec!.message).toContain('66.7%');
    expect(rec!.message).toContain('from 10 to 5');
    expect(recsOf(report, name)).toHaveLength(1);
    expect((await a.breaker(name)).metrics).toMatchObject({ totalCalls: 102, totalFailures: 68 });
  });

  it('advises STUCK_OPEN for a breaker forced open longer than REC_FORCED_OPEN_MAX_MS', async () => {
    const name = 's.forced';
    await a.register(name, { failureThreshold: 1, openTimeoutMs: 100 });
    const forced = await a.admin('forceOpenBreaker', name);
    expect(forced.state).toBe('FORCED_OPEN');
    const early = await a.recompute();
    expect(Date.parse(early.generatedAt) - Date.parse(forced.stateChangedAt)).toBeLessThanOrEqual(1500);
    expect(recsOf(early, name)).toEqual([]);
    expect(service(early, name).healthStatus).toBe('UNHEALTHY'); // perfect rate, capped by FORCED_OPEN

    const [report, rec] = await eventually(
      async () => {
        const r = await a.recompute();
        const found = recOf(r, name, 'STUCK_OPEN');
        return found ? ([r, found] as const) : undefined;
      },
      6000,
      250,
    );
    const forcedMs = Date.parse(report.generatedAt) - Date.parse(forced.stateChangedAt);
    expect(forcedMs).toBeGreaterThan(1500);
    expect(rec).toMatchObject({
      severity: 'CRITICAL',
      suggestedConfig: null,
      evidence: { state: 'FORCED_OPEN', forcedOpenMs: forcedMs, thresholdMs: 1500 },
    });
    expect(rec.message).toContain(`"${name}"`);
    expect(rec.message).toContain('forced open');
    expect(rec.message).toContain('reset');
    expect(recsOf(report, name)).toHaveLength(1);
    await a.admin('resetBreaker', name);
    expect(recsOf(await a.recompute(), name)).toEqual([]);
  });

  it('keeps health snapshots per breaker, oldest first, and answers NOT_FOUND for an unknown breaker', async () => {
    const name = 'h.hist';
    await a.register(name, { failureThreshold: 1, openTimeoutMs: 60_000 });
    const first = await a.recompute();
    expect(await a.fail(name)).toBe('OPEN');
    const second = await a.recompute();
    expect(Date.parse(second.generatedAt)).toBeGreaterThan(Date.parse(first.generatedAt));

    expect(await a.history(name)).toEqual([
      { breakerName: name, status: 'HEALTHY', recoveryRate: 1, averageDowntimeMs: 0, computedAt: first.generatedAt },
      { breakerName: name, status: 'UNHEALTHY', recoveryRate: 1, averageDowntimeMs: 0, computedAt: second.generatedAt },
    ]);
    expect((await a.history(name, second.generatedAt)).map((s) => s.computedAt)).toEqual([second.generatedAt]);
    // g.fresh was HEALTHY at both runs: one snapshot, the one in force since.
    expect(await a.history('g.fresh', first.generatedAt)).toHaveLength(1);

    // Known but not graded yet: no snapshots, not NOT_FOUND.
    await a.register('h.none', { failureThreshold: 1, openTimeoutMs: 60_000 });
    expect(await a.history('h.none')).toEqual([]);
    const unknown = await gql(fixture.app, HISTORY, { n: 'h.nobody', s: null });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect(unknown.data).toBeNull();
    await a.admin('resetBreaker', name);
  });

  it('delivers healthChanged over graphql-ws: the first grade from null, later changes, filtered by breaker', async () => {
    await a.recompute(); // settle every grade from earlier tests
    const only = await subscribe(fixture.app.url, HEALTH_CHANGED, { n: 'c.change' });
    const all = await subscribe(fixture.app.url, HEALTH_CHANGED, {});
    const feeds: Collector<any>[] = [only, all];
    try {
      await a.register('c.change', { failureThreshold: 1, openTimeoutMs: 60_000 });
      await a.register('c.other', { failureThreshold: 1, openTimeoutMs: 60_000 });
      const first = await a.recompute();
      const [firstGrade] = await only.waitFor(1);
      expect(firstGrade).toEqual({ breakerName: 'c.change', from: null, to: 'HEALTHY', at: first.generatedAt });

      await a.fail('c.change');
      const second = await a.recompute();
      const got = await only.waitFor(2);
      expect(got[1]).toEqual({ breakerName: 'c.change', from: 'HEALTHY', to: 'UNHEALTHY', at: second.generatedAt });

      await a.recompute(); // no grade changes
      await a.admin('forceOpenBreaker', 'c.other');
      const fourth = await a.recompute();
      await eventually(async () => (all.received.some((c) => c.at === fourth.generatedAt) ? true : undefined));
      await sleep(200);

      expect(only.received).toHaveLength(2);
      expect(all.received).toEqual([
        { breakerName: 'c.change', from: null, to: 'HEALTHY', at: first.generatedAt },
        { breakerName: 'c.other', from: null, to: 'HEALTHY', at: first.generatedAt },
        { breakerName: 'c.change', from: 'HEALTHY', to: 'UNHEALTHY', at: second.generatedAt },
        { breakerName: 'c.other', from: 'HEALTHY', to: 'UNHEALTHY', at: fourth.generatedAt },
      ]);
      expect(only.errors).toEqual([]);
      expect(all.errors).toEqual([]);
    } finally {
      await Promise.all(feeds.map((f) => f.stop()));
      await a.admin('resetBreaker', 'c.other');
    }
  });

  it('delivers recoveryReportUpdated once per recompute, with the new report', async () => {
    const feed = await subscribe<Report>(fixture.app.url, REPORT_UPDATED);
    try {
      const first = await a.recompute();
      const [one] = await feed.waitFor(1);
      expect(one).toEqual(first);
      const second = await a.recompute();
      const got = await feed.waitFor(2);
      expect(got[1]).toEqual(second);
      expect(Date.parse(second.generatedAt)).toBeGreaterThan(Date.parse(first.generatedAt));
      expect(second.services.map((s) => s.name)).toContain('c.change');
      await sleep(300);
      expect(feed.received.map((r) => r.generatedAt)).toEqual([first.generatedAt, second.generatedAt]);
      expect(feed.errors).toEqual([]);
    } finally {
      await feed.stop();
    }
  });
});

describe('the scheduled health recompute (e2e)', () => {
  // A snapshot every run, unchanged grades included, so that the runs can be counted from them.
  const fixture = useTestApp({ env: { HEALTH_RECOMPUTE_INTERVAL_MS: '300', HEALTH_SNAPSHOT_EVERY_MS: '0' } });
  let a: ReturnType<typeof api>;

  beforeAll(() => {
    a = api(fixture.app);
  });

  it('grades by itself every HEALTH_RECOMPUTE_INTERVAL_MS and announces changes, with no recomputeHealth call', async () => {
    const name = 'j.auto';
    const changes = await subscribe(fixture.app.url, HEALTH_CHANGED, { n: name });
    try {
      await a.register(name, { failureThreshold: 1, openTimeoutMs: 60_000 });
      const snapshots = await eventually(async () => {
        const h = await a.history(name);
        return h.length >= 3 ? h : undefined;
      });
      expect(snapshots.every((s) => s.status === 'HEALTHY' && s.recoveryRate === 1)).toBe(true);
      for (let i = 1; i < snapshots.length; i++) {
        const gap = Date.parse(snapshots[i].computedAt) - Date.parse(snapshots[i - 1].computedAt);
        expect(gap).toBeGreaterThanOrEqual(150);
        expect(gap).toBeLessThan(3000);
      }
      const [firstGrade] = await changes.waitFor(1);
      expect(firstGrade).toEqual({ breakerName: name, from: null, to: 'HEALTHY', at: snapshots[0].computedAt });

      const before = await a.report();
      expect(service(before, name).healthStatus).toBe('HEALTHY');
      const later = await eventually(async () => {
        const r = await a.report();
        return Date.parse(r.generatedAt) > Date.parse(before.generatedAt) ? r : undefined;
      });
      expect(later.overallSystemHealth).toBe('HEALTHY');

      await a.admin('forceOpenBreaker', name);
      const [, change] = await changes.waitFor(2, 5000);
      expect(change).toMatchObject({ breakerName: name, from: 'HEALTHY', to: 'UNHEALTHY' });
      const graded = await eventually(async () => {
        const r = await a.report();
        return service(r, name).healthStatus === 'UNHEALTHY' ? r : undefined;
      });
      expect(graded.overallSystemHealth).toBe('UNHEALTHY');
      const history = await a.history(name);
      expect(history.find((s) => s.status === 'UNHEALTHY')?.computedAt).toBe(change.at);
      expect(changes.received).toHaveLength(2);
    } finally {
      await changes.stop();
    }
  });
});

describe('pruning old history (e2e)', () => {
  let fakeNow: number | null = null;
  const clock = new (class extends Clock {
    override now(): number {
      return fakeNow ?? Date.now();
    }
  })();
  const fixture = useTestApp({
    clock,
    // The schedules stay out of the way: each pass here is the test's.
    env: {
      HEALTH_RECOMPUTE_INTERVAL_MS: String(DAY_MS),
      RETENTION_INTERVAL_MS: String(DAY_MS),
      SNAPSHOT_RETENTION_DAYS: '10',
      EVENT_RETENTION_DAYS: '30',
    },
  });
  let a: ReturnType<typeof api>;

  beforeAll(() => {
    a = api(fixture.app);
  });

  /** A pass of the retention job, as its schedule runs it. */
  const prune = () => fixture.app.app.get(RetentionJob).run();
  const metrics = (name: string) =>
    gqlOk(fixture.app, `query($n: String) { recoveryMetrics(breakerName: $n) { ${METRICS_FIELDS} } }`, {
      n: name,
    }).then((d) => d.recoveryMetrics);

  it('prunes snapshots and events past their retention, and leaves the metrics intact', async () => {
    const old = 'p.old';
    await a.register(old, { failureThreshold: 1, openTimeoutMs: 100 });
    await a.fail(old);
    await a.waitForState(old, 'HALF_OPEN');
    expect(await a.succeed(old)).toBe('CLOSED');
    const oldEvents = await a.events(old);
    expect(oldEvents.map((e: any) => e.type)).toEqual([
      'CIRCUIT_OPENED',
      'CIRCUIT_HALF_OPENED',
      'RECOVERY_ATTEMPTED',
      'RECOVERY_SUCCEEDED',
      'CIRCUIT_CLOSED',
    ]);
    const metricsBefore = await metrics(old);
    expect(metricsBefore).toEqual([
      expect.objectContaining({ successfulRecoveries: 1, recoveryAttempts: 1, totalCalls: 2, totalFailures: 1 }),
    ]);
    const recoveryTimeMs = metricsBefore[0].averageRecoveryTimeMs;
    const start = Date.now();
    const first = await a.recompute();
    const longAgo = new Date(start - DAY_MS).toISOString();
    expect((await a.history(old, longAgo)).map((s) => s.computedAt)).toEqual([first.generatedAt]);

    // 20 days on: the snapshot (10-day retention) goes, the events (30-day retention) stay.
    fakeNow = start + 20 * DAY_MS;
    await a.register('p.new', { failureThreshold: 1, openTimeoutMs: 60_000 });
    await a.admin('forceOpenBreaker', 'p.new'); // never moves by itself, whatever the clock says
    const second = await a.recompute();
    await prune();
    expect(second.generatedAt).toBe(new Date(fakeNow).toISOString());
    expect((await a.history(old, longAgo)).map((s) => s.computedAt)).toEqual([second.generatedAt]);
    expect((await a.events(old)).map((e: any) => e.id)).toEqual(oldEvents.map((e: any) => e.id));

    // 40 days on: p.old's events go; p.new's, 20 days old, stay. The metrics and the grade stay.
    fakeNow = start + 40 * DAY_MS;
    await prune();
    const third = await a.recompute();
    expect(await a.events(old)).toEqual([]);
    expect((await a.events('p.new')).map((e: any) => e.type)).toEqual(['CIRCUIT_FORCED_OPEN']);
    expect((await a.history(old, longAgo)).map((s) => s.computedAt)).toEqual([third.generatedAt]);
    expect(await metrics(old)).toEqual(metricsBefore);
    expect(service(third, old)).toEqual({
      name: old,
      healthStatus: 'HEALTHY',
      recoveryRate: 1,
      averageDowntimeMs: recoveryTimeMs,
    });
    expect(service(third, 'p.new')).toMatchObject({ healthStatus: 'UNHEALTHY', recoveryRate: 1 });
    const { recoveryReport } = await gqlOk(
      fixture.app,
      `{ recoveryReport { services { name recentEvents { type } } } }`,
    );
    expect(recoveryReport.services).toEqual([
      { name: 'p.new', recentEvents: [{ type: 'CIRCUIT_FORCED_OPEN' }] },
      { name: old, recentEvents: [] },
    ]);
  });

  it('keeps a batch id for 24 hours, and prunes it after that', async () => {
    await a.register('p.batch', { failureThreshold: 1000, openTimeoutMs: 60_000 });
    const record = async () =>
      (
        await gqlOk(
          fixture.app,
          `mutation { recordOutcomes(outcomes: [{ breakerName: "p.batch", success: true }], batchId: "kept-a-day") { duplicate } }`,
        )
      ).recordOutcomes.duplicate;
    const start = Date.now();
    fakeNow = start;
    expect(await record()).toBe(false);
    fakeNow = start + 23 * 3_600_000;
    await prune();
    expect(await record()).toBe(true);
    fakeNow = start + 26 * 3_600_000;
    await prune();
    expect(await record()).toBe(false);
    expect((await metrics('p.batch'))[0].totalCalls).toBe(2);
  });
});
