import { RunningApp } from '../src/bootstrap';
import { BREAKER_FIELDS, errorCode, eventually, gql, gqlOk, sleep, useTestApp } from './support/test-app';

/** The breaker API over HTTP GraphQL: registration, listing, config changes, admin actions and metrics. */
describe('breakers API (e2e)', () => {
  let app: RunningApp;
  const fixture = useTestApp();

  beforeAll(() => {
    app = fixture.app;
  });

  const DEFAULTS = {
    failureThreshold: 5,
    openTimeoutMs: 30000,
    maxOpenTimeoutMs: 60000,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
  };
  const ZERO_METRICS = {
    totalCalls: 0,
    totalFailures: 0,
    recoveryAttempts: 0,
    successfulRecoveries: 0,
    failedRecoveries: 0,
    averageRecoveryTimeMs: 0,
    circuitOpenDurationMs: 0,
    lastFailureAt: null,
    lastRecoveryAt: null,
  };

  const register = (name: string, config?: Record<string, unknown> | null) =>
    gqlOk(app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { ${BREAKER_FIELDS} } }`, {
      i: config === undefined ? { name } : { name, config },
    }).then((d) => d.registerBreaker);
  const breaker = (name: string) =>
    gqlOk(app, `query($n: String!) { breaker(name: $n) { ${BREAKER_FIELDS} } }`, { n: name }).then((d) => d.breaker);
  const breakers = (state?: string) =>
    gqlOk(app, `query($s: BreakerState) { breakers(state: $s) { ${BREAKER_FIELDS} } }`, { s: state ?? null }).then(
      (d) => d.breakers,
    );
  const report = (name: string, success: boolean) =>
    gqlOk(app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { ${BREAKER_FIELDS} } }`, {
      i: { breakerName: name, success },
    }).then((d) => d.recordOutcome);
  const reportMany = (name: string, outcomes: boolean[]) =>
    gqlOk(
      app,
      `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted breakers { ${BREAKER_FIELDS} } } }`,
      {
        o: outcomes.map((success) => ({ breakerName: name, success })),
      },
    ).then((d) => d.recordOutcomes);
  const acquire = (name: string) =>
    gqlOk(app, `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted state } }`, { n: name }).then(
      (d) => d.acquirePermission,
    );
  const admin = (mutation: 'resetBreaker' | 'forceOpenBreaker' | 'disableBreaker', name: string, reason?: string) =>
    gqlOk(app, `mutation($n: String!, $r: String) { ${mutation}(name: $n, reason: $r) { ${BREAKER_FIELDS} } }`, {
      n: name,
      r: reason ?? null,
    }).then((d) => d[mutation]);
  const updateConfig = (name: string, config: Record<string, unknown>, reason?: string) =>
    gql(
      app,
      `mutation($n: String!, $c: BreakerConfigInput!, $r: String) {
         updateBreakerConfig(name: $n, config: $c, reason: $r) { ${BREAKER_FIELDS} } }`,
      { n: name, c: config, r: reason ?? null },
    );
  const events = (name: string) =>
    gqlOk(
      app,
      `query($n: String) { breakerEvents(breakerName: $n, order: ASC, first: 500) {
         edges { node { id breakerName type occurredAt durationSinceLastMs fromState toState info } } } }`,
      { n: name },
    ).then((d) => d.breakerEvents.edges.map((e: any) => e.node));
  const metrics = (name?: string) =>
    gql(
      app,
      `query($n: String) { recoveryMetrics(breakerName: $n) {
         breakerName totalCalls totalFailures recoveryAttempts successfulRecoveries failedRecoveries
         averageRecoveryTimeMs circuitOpenDurationMs lastFailureAt lastRecoveryAt } }`,
      { n: name ?? null },
    );
  const untilState = (name: string, state: string) =>
    eventually(async () => {
      const b = await breaker(name);
      return b.state === state ? b : undefined;
    });

  describe('registerBreaker', () => {
    it('creates a CLOSED breaker with the default config and zero metrics', async () => {
      const before = Date.now();
      const created = await register('reg.defaults');
      const after = Date.now();
      expect(created).toMatchObject({
        name: 'reg.defaults',
        state: 'CLOSED',
        consecutiveFailures: 0,
        openUntil: null,
        currentOpenTimeoutMs: 30000,
        config: DEFAULTS,
        metrics: { breakerName: 'reg.defaults', ...ZERO_METRICS },
      });
      const changedAt = Date.parse(created.stateChangedAt);
      expect(changedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(changedAt).toBeLessThanOrEqual(after + 1000);
      expect(await breaker('reg.defaults')).toEqual(created);
      // Registration is not a transition: no event.
      expect(await events('reg.defaults')).toEqual([]);
    });

    it('fills in every setting left out, whether the config is absent, empty, null or partial', async () => {
      expect((await register('reg.empty-config', {})).config).toEqual(DEFAULTS);
      expect((await register('reg.null-config', null)).config).toEqual(DEFAULTS);
      expect((await register('reg.null-fields', { failureThreshold: null, openTimeoutMs: null })).config).toEqual(
        DEFAULTS,
      );
      expect((await register('reg.partial', { successThreshold: 3, halfOpenMaxCalls: 4 })).config).toEqual({
        ...DEFAULTS,
        halfOpenMaxCalls: 4,
        successThreshold: 3,
      });
    });

    it('defaults maxOpenTimeoutMs to twice the given openTimeoutMs, and keeps an explicit one', async () => {
      const a = await register('reg.max-default', { openTimeoutMs: 1500 });
      expect(a.config).toEqual({ ...DEFAULTS, openTimeoutMs: 1500, maxOpenTimeoutMs: 3000 });
      expect(a.currentOpenTimeoutMs).toBe(1500);

      const day = await register('reg.max-default-day', { openTimeoutMs: 86_400_000 });
      expect(day.config.maxOpenTimeoutMs).toBe(172_800_000);

      const explicit = await register('reg.max-explicit', { openTimeoutMs: 1500, maxOpenTimeoutMs: 1500 });
      expect(explicit.config).toMatchObject({ openTimeoutMs: 1500, maxOpenTimeoutMs: 1500 });

      const onlyMax = await register('reg.max-only', { maxOpenTimeoutMs: 90000 });
      expect(onlyMax.config).toEqual({ ...DEFAULTS, maxOpenTimeoutMs: 90000 });
    });

    it('is idempotent: an existing name comes back unchanged, whatever config is asked for', async () => {
      const name = 'reg.idempotent';
      const original = await register(name, { failureThreshold: 3, openTimeoutMs: 60000 });
      expect(original.config).toEqual({
        ...DEFAULTS,
        failureThreshold: 3,
        openTimeoutMs: 60000,
        maxOpenTimeoutMs: 120000,
      });

      const again = await register(name, {
        failureThreshold: 9,
        openTimeoutMs: 5000,
        maxOpenTimeoutMs: 9000,
        halfOpenMaxCalls: 7,
        successThreshold: 4,
      });
      expect(again).toEqual(original);

      // Also when it has moved on: state, counts and history survive a second registration.
      await reportMany(name, [false, false, false]);
      const open = await breaker(name);
      expect(open.state).toBe('OPEN');
      const third = await register(name);
      expect(third.state).toBe('OPEN');
      expect(third.config).toEqual(original.config);
      expect(third.consecutiveFailures).toBe(3);
      expect(third.stateChangedAt).toBe(open.stateChangedAt);
      expect(third.openUntil).toBe(open.openUntil);
      expect(third.metrics.totalCalls).toBe(3);
      expect(third.metrics.totalFailures).toBe(3);
      expect((await events(name)).map((e: any) => e.type)).toEqual(['CIRCUIT_OPENED']);
    });

    it('creates one breaker when the same name is registered many times at once', async () => {
      const name = 'reg.concurrent';
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => register(name, { failureThreshold: i + 1, openTimeoutMs: 1000 * (i + 1) })),
      );
      const stored = await breaker(name);
      for (const result of results) expect(result).toEqual(stored);
      expect((await breakers()).filter((b: any) => b.name === name)).toHaveLength(1);
    });
  });

  describe('breakers and breaker', () => {
    it('lists every breaker by name', async () => {
      for (const suffix of ['charlie', 'alpha', 'echo', 'bravo', 'delta']) await register(`list-order.${suffix}`);
      const all = await breakers();
      const mine = all.map((b: any) => b.name).filter((n: string) => n.startsWith('list-order.'));
      expect(mine).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((s) => `list-order.${s}`));
      // No duplicates, and the same breakers as `breaker(name)` answers for each.
      expect(new Set(all.map((b: any) => b.name)).size).toBe(all.length);
      expect(await breaker('list-order.delta')).toEqual(all.find((b: any) => b.name === 'list-order.delta'));
    });

    it('filters by state', async () => {
      const p = 'list-state.';
      await register(`${p}closed`);
      await register(`${p}open`, { failureThreshold: 1, openTimeoutMs: 600000 });
      await report(`${p}open`, false);
      await register(`${p}half-open`, { failureThreshold: 1, openTimeoutMs: 100 });
      await report(`${p}half-open`, false);
      await register(`${p}forced`);
      await admin('forceOpenBreaker', `${p}forced`);
      await register(`${p}disabled`);
      await admin('disableBreaker', `${p}disabled`);
      await untilState(`${p}half-open`, 'HALF_OPEN');

      const expected: Record<string, string> = {
        CLOSED: `${p}closed`,
        OPEN: `${p}open`,
        HALF_OPEN: `${p}half-open`,
        FORCED_OPEN: `${p}forced`,
        DISABLED: `${p}disabled`,
      };
      for (const [state, name] of Object.entries(expected)) {
        const listed = await breakers(state);
        expect(listed.length).toBeGreaterThan(0);
        for (const b of listed) expect(b.state).toBe(state);
        expect(listed.map((b: any) => b.name).filter((n: string) => n.startsWith(p))).toEqual([name]);
      }
      // No filter: all five.
      const unfiltered = (await breakers()).map((b: any) => b.name).filter((n: string) => n.startsWith(p));
      expect(unfiltered.sort()).toEqual(Object.values(expected).sort());
    });

    it('answers null, not an error, for an unknown name', async () => {
      const result = await gql(app, `{ breaker(name: "no.such.breaker") { name } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ breaker: null });
    });
  });

  describe('updateBreakerConfig', () => {
    it('merges the given settings over the current ones and records CONFIG_CHANGED with old, new and reason', async () => {
      const name = 'cfg.merge';
      const original = {
        failureThreshold: 4,
        openTimeoutMs: 1000,
        maxOpenTimeoutMs: 8000,
        halfOpenMaxCalls: 2,
        successThreshold: 3,
      };
      await register(name, original);

      const first = await updateConfig(name, { failureThreshold: 2, successThreshold: 1 }, 'too slow to trip');
      expect(first.errors).toBeUndefined();
      const afterFirst = { ...original, failureThreshold: 2, successThreshold: 1 };
      expect(first.data.updateBreakerConfig.config).toEqual(afterFirst);

      // An existing breaker keeps its cap: openTimeoutMs alone does not recompute maxOpenTimeoutMs.
      const second = await updateConfig(name, { openTimeoutMs: 2000 });
      expect(second.errors).toBeUndefined();
      const afterSecond = { ...afterFirst, openTimeoutMs: 2000 };
      expect(second.data.updateBreakerConfig.config).toEqual(afterSecond);
      expect(second.data.updateBreakerConfig.currentOpenTimeoutMs).toBe(2000);
      expect((await breaker(name)).config).toEqual(afterSecond);

      const history = await events(name);
      expect(history.map((e: any) => e.type)).toEqual(['CONFIG_CHANGED', 'CONFIG_CHANGED']);
      expect(history[0].info).toMatchObject({ reason: 'too slow to trip', old: original, new: afterFirst });
      expect(history[1].info).toMatchObject({ reason: null, old: afterFirst, new: afterSecond });
      expect(history[0].durationSinceLastMs).toBeNull();
      expect(history[1].durationSinceLastMs).toBe(
        Date.parse(history[1].occurredAt) - Date.parse(history[0].occurredAt),
      );

      // The new settings govern: two failures now open it, for the new open period.
      expect((await report(name, false)).state).toBe('CLOSED');
      const opened = await report(name, false);
      expect(opened.state).toBe('OPEN');
      expect(opened.currentOpenTimeoutMs).toBe(2000);
      expect(Date.parse(opened.openUntil) - Date.parse(opened.stateChangedAt)).toBe(2000);
    });

    it('refuses maxOpenTimeoutMs below openTimeoutMs with BAD_USER_INPUT naming the field, and changes nothing', async () => {
      const name = 'cfg.reject';
      const created = await register(name, { openTimeoutMs: 1000, maxOpenTimeoutMs: 4000 });

      const both = await updateConfig(name, { openTimeoutMs: 5000, maxOpenTimeoutMs: 4999 });
      expect(errorCode(both)).toBe('BAD_USER_INPUT');
      expect(both.errors![0].extensions!.field).toBe('config.maxOpenTimeoutMs');
      expect(both.errors![0].message).toContain('maxOpenTimeoutMs');
      expect(both.data).toBeNull();

      // A new openTimeoutMs above the kept cap is refused the same way.
      const aboveCap = await updateConfig(name, { openTimeoutMs: 4001 });
      expect(errorCode(aboveCap)).toBe('BAD_USER_INPUT');
      expect(aboveCap.errors![0].extensions!.field).toBe('config.maxOpenTimeoutMs');

      const onlyMax = await updateConfig(name, { maxOpenTimeoutMs: 999 });
      expect(errorCode(onlyMax)).toBe('BAD_USER_INPUT');
      expect(onlyMax.errors![0].extensions!.field).toBe('config.maxOpenTimeoutMs');

      expect(await breaker(name)).toEqual(created);
      expect(await events(name)).toEqual([]);

      // At registration too, and nothing is created.
      const atRegister = await gql(
        app,
        `mutation { registerBreaker(input: { name: "cfg.reject-new", config: { openTimeoutMs: 1000, maxOpenTimeoutMs: 999 } }) { name } }`,
      );
      expect(errorCode(atRegister)).toBe('BAD_USER_INPUT');
      expect(atRegister.errors![0].extensions!.field).toBe('input.config.maxOpenTimeoutMs');
      expect(atRegister.errors![0].message).toContain('maxOpenTimeoutMs');
      expect(await breaker('cfg.reject-new')).toBeNull();
    });
  });

  describe('admin actions', () => {
    it('moves between the admin states, each move an event with its reason and its from and to states', async () => {
      const name = 'admin.walk';
      await register(name);
      const forced = await admin('forceOpenBreaker', name, 'maintenance window');
      expect(forced.state).toBe('FORCED_OPEN');
      expect(forced.openUntil).toBeNull();
      const disabled = await admin('disableBreaker', name, 'load test');
      expect(disabled.state).toBe('DISABLED');
      const reset = await admin('resetBreaker', name, 'done');
      expect(reset.state).toBe('CLOSED');
      const forcedAgain = await admin('forceOpenBreaker', name);
      expect(forcedAgain.state).toBe('FORCED_OPEN');
      expect((await admin('resetBreaker', name)).state).toBe('CLOSED');

      const history = await events(name);
      expect(history.map((e: any) => [e.type, e.fromState, e.toState, e.info.reason])).toEqual([
        ['CIRCUIT_FORCED_OPEN', 'CLOSED', 'FORCED_OPEN', 'maintenance window'],
        ['CIRCUIT_DISABLED', 'FORCED_OPEN', 'DISABLED', 'load test'],
        ['CIRCUIT_RESET', 'DISABLED', 'CLOSED', 'done'],
        ['CIRCUIT_FORCED_OPEN', 'CLOSED', 'FORCED_OPEN', null],
        ['CIRCUIT_RESET', 'FORCED_OPEN', 'CLOSED', null],
      ]);
      for (const e of history) expect(e.breakerName).toBe(name);
      expect(Date.parse(history[0].occurredAt)).toBe(Date.parse(forced.stateChangedAt));
      expect(Date.parse(history[2].occurredAt)).toBe(Date.parse(reset.stateChangedAt));
    });

    it('FORCED_OPEN refuses every permit, counts outcomes, and never half-opens by itself', async () => {
      const name = 'admin.forced';
      await register(name, { failureThreshold: 1, openTimeoutMs: 500, maxOpenTimeoutMs: 500 });
      const open = await report(name, false);
      expect(open.state).toBe('OPEN');
      const forced = await admin('forceOpenBreaker', name, 'dependency is being migrated');
      expect(forced.state).toBe('FORCED_OPEN');
      expect(forced.openUntil).toBeNull();

      expect(await acquire(name)).toEqual({ permitted: false, state: 'FORCED_OPEN' });
      // Successes do not close it; outcomes are still counted.
      const afterSuccess = await report(name, true);
      expect(afterSuccess.state).toBe('FORCED_OPEN');
      expect(afterSuccess.metrics).toMatchObject({ totalCalls: 2, totalFailures: 1 });

      // Wait past the open period it had, plus the 500 ms the sweep may be late, plus margin.
      await sleep(Math.max(0, Date.parse(open.openUntil) + 800 - Date.now()));
      const later = await breaker(name);
      expect(later.state).toBe('FORCED_OPEN');
      expect(later.metrics.recoveryAttempts).toBe(0);
      expect(await acquire(name)).toEqual({ permitted: false, state: 'FORCED_OPEN' });
      expect((await events(name)).map((e: any) => [e.type, e.fromState, e.toState])).toEqual([
        ['CIRCUIT_OPENED', 'CLOSED', 'OPEN'],
        ['CIRCUIT_FORCED_OPEN', 'OPEN', 'FORCED_OPEN'],
      ]);
      // Time forced open counts as time away.
      expect(later.metrics.circuitOpenDurationMs).toBeGreaterThanOrEqual(800);
    });

    it('DISABLED permits everything and never trips, though every outcome is counted', async () => {
      const name = 'admin.disabled';
      await register(name, { failureThreshold: 1 });
      const disabled = await admin('disableBreaker', name, 'flaky health checks');
      expect(disabled.state).toBe('DISABLED');
      expect(await acquire(name)).toEqual({ permitted: true, state: 'DISABLED' });

      const batch = await reportMany(name, [false, false, true, false, false, false, true]);
      expect(batch.accepted).toBe(7);
      const single = await report(name, false);
      expect(single.state).toBe('DISABLED');
      expect(single.consecutiveFailures).toBe(0);
      expect(single.metrics).toMatchObject({
        totalCalls: 8,
        totalFailures: 6,
        recoveryAttempts: 0,
        successfulRecoveries: 0,
        failedRecoveries: 0,
        circuitOpenDurationMs: 0,
      });
      expect(single.metrics.lastFailureAt).not.toBeNull();
      expect(await acquire(name)).toEqual({ permitted: true, state: 'DISABLED' });
      expect((await events(name)).map((e: any) => [e.type, e.fromState, e.toState, e.info.reason])).toEqual([
        ['CIRCUIT_DISABLED', 'CLOSED', 'DISABLED', 'flaky health checks'],
      ]);

      // Back under control after a reset: the threshold of 1 applies again.
      await admin('resetBreaker', name);
      expect((await report(name, false)).state).toBe('OPEN');
    });

    it('reset puts consecutive failures back to zero', async () => {
      const name = 'admin.reset-closed';
      await register(name, { failureThreshold: 3 });
      await reportMany(name, [false, false]);
      const reset = await admin('resetBreaker', name);
      expect(reset).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0 });
      expect(reset.metrics).toMatchObject({ totalCalls: 2, totalFailures: 2 });
      expect((await report(name, false)).consecutiveFailures).toBe(1);
      expect((await report(name, false)).state).toBe('CLOSED');
      expect((await report(name, false)).state).toBe('OPEN');
    });

    it('reset from OPEN keeps metrics and history, and puts failures and the open period back to their start', async () => {
      const name = 'admin.reset-open';
      await register(name, { failureThreshold: 2, openTimeoutMs: 300, maxOpenTimeoutMs: 5000 });
      await reportMany(name, [false, false]);
      await untilState(name, 'HALF_OPEN');
      const reopened = await report(name, false);
      expect(reopened.state).toBe('OPEN');
      expect(reopened.currentOpenTimeoutMs).toBe(600);
      const before = await events(name);
      expect(before.map((e: any) => e.type)).toEqual([
        'CIRCUIT_OPENED',
        'CIRCUIT_HALF_OPENED',
        'RECOVERY_ATTEMPTED',
        'RECOVERY_FAILED',
        'CIRCUIT_OPENED',
      ]);

      const reset = await admin('resetBreaker', name, 'dependency fixed');
      expect(reset).toMatchObject({
        state: 'CLOSED',
        consecutiveFailures: 0,
        openUntil: null,
        currentOpenTimeoutMs: 300,
      });
      expect(reset.metrics).toMatchObject({
        totalCalls: 3,
        totalFailures: 3,
        recoveryAttempts: 1,
        failedRecoveries: 1,
        // A reset is not a recovery.
        successfulRecoveries: 0,
        averageRecoveryTimeMs: 0,
        lastRecoveryAt: null,
        lastFailureAt: reopened.metrics.lastFailureAt,
      });

      const after = await events(name);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after).toHaveLength(before.length + 1);
      const resetEvent = after[after.length - 1];
      expect(resetEvent).toMatchObject({ type: 'CIRCUIT_RESET', fromState: 'OPEN', toState: 'CLOSED' });
      expect(resetEvent.info.reason).toBe('dependency fixed');

      // The outage ended at the reset: time away is exactly first open → reset, and stops growing.
      const away = Date.parse(resetEvent.occurredAt) - Date.parse(before[0].occurredAt);
      expect(reset.metrics.circuitOpenDurationMs).toBe(away);
      await sleep(50);
      expect((await breaker(name)).metrics.circuitOpenDurationMs).toBe(away);

      // Failures count from zero again, and the next open period is the first one, not the doubled one.
      expect((await report(name, false)).state).toBe('CLOSED');
      const openedAgain = await report(name, false);
      expect(openedAgain.state).toBe('OPEN');
      expect(openedAgain.currentOpenTimeoutMs).toBe(300);
      const lastOpened = (await events(name)).filter((e: any) => e.type === 'CIRCUIT_OPENED').pop();
      expect(lastOpened.info.openTimeoutMs).toBe(300);
      await admin('resetBreaker', name);
    });

    it('reset from HALF_OPEN after a real recovery leaves the recovery figures as they were', async () => {
      const name = 'admin.reset-half-open';
      await register(name, { failureThreshold: 1, openTimeoutMs: 100 });
      await report(name, false);
      await untilState(name, 'HALF_OPEN');
      const recovered = await report(name, true);
      expect(recovered.state).toBe('CLOSED');
      expect(recovered.metrics.successfulRecoveries).toBe(1);
      const average = recovered.metrics.averageRecoveryTimeMs;
      expect(average).toBeGreaterThan(0);

      await report(name, false);
      await untilState(name, 'HALF_OPEN');
      expect(await acquire(name)).toEqual({ permitted: true, state: 'HALF_OPEN' });
      const reset = await admin('resetBreaker', name, 'manual');
      expect(reset.state).toBe('CLOSED');
      expect(reset.metrics).toMatchObject({
        totalCalls: 3,
        totalFailures: 2,
        recoveryAttempts: 2,
        successfulRecoveries: 1,
        failedRecoveries: 0,
        averageRecoveryTimeMs: average,
        lastRecoveryAt: recovered.metrics.lastRecoveryAt,
      });
      const history = await events(name);
      expect(history.map((e: any) => e.type)).toEqual([
        'CIRCUIT_OPENED',
        'CIRCUIT_HALF_OPENED',
        'RECOVERY_ATTEMPTED',
        'RECOVERY_SUCCEEDED',
        'CIRCUIT_CLOSED',
        'CIRCUIT_OPENED',
        'CIRCUIT_HALF_OPENED',
        'RECOVERY_ATTEMPTED',
        'CIRCUIT_RESET',
      ]);
      expect(history[8]).toMatchObject({ fromState: 'HALF_OPEN', toState: 'CLOSED', info: { reason: 'manual' } });
      // CLOSED after the reset: permits flow again.
      expect(await acquire(name)).toEqual({ permitted: true, state: 'CLOSED' });
    });

    it('answers NOT_FOUND for an unknown breaker', async () => {
      for (const mutation of ['resetBreaker', 'forceOpenBreaker', 'disableBreaker']) {
        const result = await gql(app, `mutation { ${mutation}(name: "admin.nobody", reason: "x") { name } }`);
        expect(errorCode(result)).toBe('NOT_FOUND');
        expect(result.errors![0].message).toContain('admin.nobody');
      }
      expect(await breaker('admin.nobody')).toBeNull();
    });
  });

  describe('recoveryMetrics', () => {
    it('answers one breaker by name, or every breaker in name order', async () => {
      const before = Date.now();
      await register('metrics.alpha', { failureThreshold: 5 });
      await register('metrics.bravo');
      await reportMany('metrics.alpha', [false, true, false]);
      const after = Date.now();

      const one = await metrics('metrics.alpha');
      expect(one.errors).toBeUndefined();
      expect(one.data.recoveryMetrics).toHaveLength(1);
      const alpha = one.data.recoveryMetrics[0];
      expect(alpha).toMatchObject({
        ...ZERO_METRICS,
        breakerName: 'metrics.alpha',
        totalCalls: 3,
        totalFailures: 2,
        lastFailureAt: expect.any(String),
      });
      expect(Date.parse(alpha.lastFailureAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(alpha.lastFailureAt)).toBeLessThanOrEqual(after + 1000);
      expect((await breaker('metrics.alpha')).metrics).toEqual(alpha);

      const all = await metrics();
      expect(all.errors).toBeUndefined();
      const list = all.data.recoveryMetrics;
      expect(list.map((m: any) => m.breakerName)).toEqual((await breakers()).map((b: any) => b.name));
      expect(list.find((m: any) => m.breakerName === 'metrics.alpha')).toEqual(alpha);
      expect(list.find((m: any) => m.breakerName === 'metrics.bravo')).toEqual({
        breakerName: 'metrics.bravo',
        ...ZERO_METRICS,
      });
      const alphaAt = list.findIndex((m: any) => m.breakerName === 'metrics.alpha');
      expect(list[alphaAt + 1].breakerName).toBe('metrics.bravo');
    });

    it('answers NOT_FOUND for an unknown breakerName', async () => {
      const result = await metrics('metrics.nobody');
      expect(errorCode(result)).toBe('NOT_FOUND');
      expect(result.errors![0].message).toContain('metrics.nobody');
      expect(result.data).toBeNull();
    });
  });
});
