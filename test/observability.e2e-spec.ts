import { BreakerMetrics } from '../src/observability/breaker-metrics';
import { gqlOk, startTestApp, useTestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

/** The value of one sample in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = match[2].split(',').filter(Boolean).sort();
    if (wanted.every((w) => got.includes(w)) && got.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

describe('observability (e2e)', () => {
  const fixture = useTestApp();

  it('answers the liveness and readiness probes', async () => {
    const live = await fetch(`${fixture.app.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${fixture.app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('exports the breaker metrics with their values, and the process metrics', async () => {
    await gqlOk(
      fixture.app,
      `mutation { registerBreaker(input: { name: "metered", config: { failureThreshold: 2, openTimeoutMs: 100 } }) { name } }`,
    );
    await gqlOk(
      fixture.app,
      `mutation { recordOutcomes(outcomes: [
      { breakerName: "metered", success: true }, { breakerName: "metered", success: false },
      { breakerName: "metered", success: false }]) { accepted } }`,
    );
    // Let it half-open by itself, then recover.
    for (let i = 0; i < 50; i++) {
      const { breaker } = await gqlOk(fixture.app, `{ breaker(name: "metered") { state } }`);
      if (breaker.state === 'HALF_OPEN') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await gqlOk(fixture.app, `mutation { recordOutcome(input: { breakerName: "metered", success: true }) { state } }`);
    await new Promise((r) => setTimeout(r, 1100)); // past the state gauge's cache

    const response = await fetch(`${fixture.app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'breaker_outcomes_total', { breaker: 'metered', result: 'success' })).toBe(2);
    expect(sample(text, 'breaker_outcomes_total', { breaker: 'metered', result: 'failure' })).toBe(2);
    expect(sample(text, 'breaker_transitions_total', { breaker: 'metered', from: 'CLOSED', to: 'OPEN' })).toBe(1);
    expect(sample(text, 'breaker_transitions_total', { breaker: 'metered', from: 'OPEN', to: 'HALF_OPEN' })).toBe(1);
    expect(sample(text, 'breaker_transitions_total', { breaker: 'metered', from: 'HALF_OPEN', to: 'CLOSED' })).toBe(1);
    expect(sample(text, 'breaker_state', { breaker: 'metered', state: 'CLOSED' })).toBe(1);
    expect(sample(text, 'breaker_state', { breaker: 'metered', state: 'OPEN' })).toBe(0);
    expect(sample(text, 'breaker_recovery_seconds_count', { breaker: 'metered' })).toBe(1);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_total_bytes /m);
  });

  it('exports call durations as a histogram and slow calls as a counter, per breaker', async () => {
    await gqlOk(
      fixture.app,
      `mutation { registerBreaker(input: { name: "timed", config: { failureThreshold: 100, slowCallDurationMs: 100 } }) { name } }`,
    );
    // 5 and 50 ms are within 0.1 s, 150 ms within 0.25 s, 700 ms within 1 s; the one without a duration is no sample.
    await gqlOk(
      fixture.app,
      `mutation { recordOutcomes(outcomes: [
      { breakerName: "timed", success: true, durationMs: 5 }, { breakerName: "timed", success: false, durationMs: 50 },
      { breakerName: "timed", success: true, durationMs: 150 }, { breakerName: "timed", success: true }]) { accepted } }`,
    );
    await gqlOk(
      fixture.app,
      `mutation { recordOutcome(input: { breakerName: "timed", success: false, durationMs: 700, error: "timeout" }) { state } }`,
    );
    await new Promise((r) => setTimeout(r, 1100)); // past the rendering's cache
    const text = await (await fetch(`${fixture.app.url}/metrics`)).text();
    const bucket = (le: string) => sample(text, 'breaker_call_duration_seconds_bucket', { breaker: 'timed', le });
    expect(['0.001', '0.005', '0.01', '0.05', '0.1', '0.25', '0.5', '1', '60', '+Inf'].map(bucket)).toEqual([
      0, 1, 1, 2, 2, 3, 3, 4, 4, 4,
    ]);
    expect(sample(text, 'breaker_call_duration_seconds_count', { breaker: 'timed' })).toBe(4);
    expect(sample(text, 'breaker_call_duration_seconds_sum', { breaker: 'timed' })).toBeCloseTo(0.905, 10);
    expect(sample(text, 'breaker_slow_calls_total', { breaker: 'timed' })).toBe(2);
    expect(text).toContain('# TYPE breaker_call_duration_seconds histogram');
    expect(text).toContain('# TYPE breaker_slow_calls_total counter');
  });

  it('renders once for 16 concurrent scrapes, serving them all the same cached text', async () => {
    const registry = fixture.app.app.get(BreakerMetrics).registry;
    const renders = jest.spyOn(registry, 'metrics');
    try {
      await new Promise((r) => setTimeout(r, 1100)); // past any rendering cached by an earlier test
      const bodies = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const response = await fetch(`${fixture.app.url}/metrics`);
          expect(response.status).toBe(200);
          return response.text();
        }),
      );
      expect(renders).toHaveBeenCalledTimes(1);
      expect(new Set(bodies).size).toBe(1);
      expect(bodies[0]).toContain('# TYPE breaker_state gauge');
    } finally {
      renders.mockRestore();
    }
  });

  it('gives every response a request id, keeping a sane one the caller sent', async () => {
    const mine = await fetch(`${fixture.app.url}/health/live`, { headers: { 'x-request-id': 'trace-123' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-123');
    const generated = await fetch(`${fixture.app.url}/health/live`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('where /metrics is exposed (e2e)', () => {
  it('can sit behind a token, or be turned off, and is withheld in production without a token unless made public', async () => {
    const db = await createTestDatabase();
    const guarded = await startTestApp(db, { env: { METRICS_TOKEN: 'scrape-me' } });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE breaker_state gauge');
    } finally {
      await guarded.close();
    }
    const production = await startTestApp(db, { env: { NODE_ENV: 'production' } });
    try {
      expect((await fetch(`${production.url}/metrics`)).status).toBe(404);
    } finally {
      await production.close();
    }
    const guardedInProduction = await startTestApp(db, { env: { NODE_ENV: 'production', METRICS_TOKEN: 'scrape-me' } });
    try {
      expect((await fetch(`${guardedInProduction.url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${guardedInProduction.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
      expect(ok.status).toBe(200);
    } finally {
      await guardedInProduction.close();
    }
    const publicInProduction = await startTestApp(db, { env: { NODE_ENV: 'production', METRICS_PUBLIC: 'true' } });
    try {
      expect((await fetch(`${publicInProduction.url}/metrics`)).status).toBe(200);
    } finally {
      await publicInProduction.close();
    }
    const off = await startTestApp(db, { env: { METRICS_ENABLED: 'false' } });
    try {
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
      await db.drop();
    }
  });
});
