import { BREAKER_FIELDS, eventually, gqlOk, sleep, useTestApp } from './support/test-app';

/** The whole recovery cycle through the API: open, automatic half-open, permits, failed recovery, recovery. */
describe('recovery cycle (e2e)', () => {
  const fixture = useTestApp();

  const report = (name: string, success: boolean, permitId?: string) =>
    gqlOk(fixture.app, `mutation($i: OutcomeInput!) { recordOutcome(input: $i) { ${BREAKER_FIELDS} } }`, {
      i: { breakerName: name, success, permitId },
    }).then((d) => d.recordOutcome);
  const acquire = (name: string) =>
    gqlOk(fixture.app, `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted state } }`, {
      n: name,
    }).then((d) => d.acquirePermission);
  const acquirePermit = (name: string) =>
    gqlOk(fixture.app, `mutation($n: String!) { acquirePermission(breakerName: $n) { permitted state permitId } }`, {
      n: name,
    }).then((d) => d.acquirePermission);
  const breaker = (name: string) =>
    gqlOk(fixture.app, `query($n: String!) { breaker(name: $n) { ${BREAKER_FIELDS} } }`, { n: name }).then(
      (d) => d.breaker,
    );
  const events = (name: string) =>
    gqlOk(
      fixture.app,
      `query($n: String) { breakerEvents(breakerName: $n, order: ASC, first: 100) {
         edges { node { id type occurredAt durationSinceLastMs fromState toState info } } } }`,
      { n: name },
    ).then((d) => d.breakerEvents.edges.map((e: any) => e.node));

  it('opens, half-opens by itself, fails a recovery with a doubled period, then recovers with exact metrics', async () => {
    const name = 'payments.api';
    await gqlOk(
      fixture.app,
      `mutation { registerBreaker(input: { name: "${name}", config: {
      failureThreshold: 3, openTimeoutMs: 400, maxOpenTimeoutMs: 700, halfOpenMaxCalls: 2, successThreshold: 2 } }) { name } }`,
    );

    // CLOSED: failures count, a success resets, the threshold opens.
    expect((await report(name, false)).consecutiveFailures).toBe(1);
    expect((await report(name, true)).consecutiveFailures).toBe(0);
    await report(name, false);
    await report(name, false);
    const opened = await report(name, false);
    expect(opened.state).toBe('OPEN');
    expect(opened.currentOpenTimeoutMs).toBe(400);

    // OPEN: refuses, and outcomes change no state.
    expect(await acquire(name)).toEqual({ permitted: false, state: 'OPEN' });
    const stillOpen = await report(name, false);
    expect(stillOpen.state).toBe('OPEN');
    expect(stillOpen.metrics.totalCalls).toBe(6);

    // No traffic: the breaker half-opens by itself.
    const halfOpen = await eventually(async () => {
      const b = await breaker(name);
      return b.state === 'HALF_OPEN' ? b : undefined;
    });
    expect(halfOpen.metrics.recoveryAttempts).toBe(1);

    // HALF_OPEN: two permits at most; the outcome that carries a permit's id settles it.
    const permit = await acquirePermit(name);
    expect(permit).toMatchObject({ permitted: true, state: 'HALF_OPEN' });
    expect(await acquire(name)).toEqual({ permitted: true, state: 'HALF_OPEN' });
    expect(await acquire(name)).toEqual({ permitted: false, state: 'HALF_OPEN' });
    expect((await report(name, true, permit.permitId)).state).toBe('HALF_OPEN');
    expect(await acquire(name)).toEqual({ permitted: true, state: 'HALF_OPEN' });

    // A failed trial re-opens with the period doubled, capped at 700.
    const reopened = await report(name, false);
    expect(reopened.state).toBe('OPEN');
    expect(reopened.currentOpenTimeoutMs).toBe(700);
    expect(reopened.metrics.failedRecoveries).toBe(1);

    await eventually(async () => ((await breaker(name)).state === 'HALF_OPEN' ? true : undefined));
    await report(name, true);
    const closed = await report(name, true);
    expect(closed.state).toBe('CLOSED');
    expect(closed.currentOpenTimeoutMs).toBe(400);
    expect(closed.consecutiveFailures).toBe(0);

    const history = await events(name);
    expect(history.map((e: any) => e.type)).toEqual([
      'CIRCUIT_OPENED',
      'CIRCUIT_HALF_OPENED',
      'RECOVERY_ATTEMPTED',
      'RECOVERY_FAILED',
      'CIRCUIT_OPENED',
      'CIRCUIT_HALF_OPENED',
      'RECOVERY_ATTEMPTED',
      'RECOVERY_SUCCEEDED',
      'CIRCUIT_CLOSED',
    ]);
    const at = (i: number) => Date.parse(history[i].occurredAt);
    // The automatic half-open comes at most 500 ms after the open period ends.
    expect(at(1) - Date.parse(history[0].info.openUntil)).toBeGreaterThanOrEqual(0);
    expect(at(1) - Date.parse(history[0].info.openUntil)).toBeLessThanOrEqual(500);
    expect(at(5) - Date.parse(history[4].info.openUntil)).toBeLessThanOrEqual(500);
    expect(history[4].info.openTimeoutMs).toBe(700);
    expect(history[0].durationSinceLastMs).toBeNull();
    for (let i = 1; i < history.length; i++) expect(history[i].durationSinceLastMs).toBe(at(i) - at(i - 1));

    const recoveryTime = at(8) - at(0);
    expect(history[7].info.recoveryTimeMs).toBe(recoveryTime);
    const m = closed.metrics;
    expect(m).toMatchObject({
      totalCalls: 10,
      totalFailures: 6,
      recoveryAttempts: 2,
      successfulRecoveries: 1,
      failedRecoveries: 1,
      averageRecoveryTimeMs: recoveryTime,
      circuitOpenDurationMs: recoveryTime,
    });
    expect(Date.parse(m.lastRecoveryAt)).toBe(at(7));
  });

  it('counts the current open episode in circuitOpenDurationMs up to now', async () => {
    const name = 'inventory';
    await gqlOk(
      fixture.app,
      `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: 1, openTimeoutMs: 60000 } }) { name } }`,
    );
    await report(name, false);
    const first = (await breaker(name)).metrics.circuitOpenDurationMs;
    await sleep(150);
    const later = (await breaker(name)).metrics.circuitOpenDurationMs;
    expect(later).toBeGreaterThanOrEqual(first + 150);
  });
});
