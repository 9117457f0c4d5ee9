import { BreakerOpenError } from './breaker-open.error';
import { resolveConfig } from '../../src/breakers/engine/breaker-config';
import { BreakerState, GuardedBreaker, KnownBreaker, Permission, StateChange } from './guarded-breaker';
import { OutcomeReporter, ReportedOutcome } from './outcome-reporter';

const known = (state: BreakerState, patch: Partial<KnownBreaker> = {}): KnownBreaker => ({
  state,
  stateChangedAt: Date.now(),
  openUntil: null,
  currentOpenTimeoutMs: 60_000,
  config: resolveConfig({ failureThreshold: 2, openTimeoutMs: 60_000 }),
  ...patch,
});

function setUp(acquirePermission: (name: string) => Promise<Permission>, state: 'CLOSED' | 'HALF_OPEN' = 'CLOSED') {
  const sent: ReportedOutcome[] = [];
  const reporter = new OutcomeReporter({
    send: async (_id, outcomes) => void sent.push(...outcomes),
    flushIntervalMs: 60_000,
  });
  const listenerErrors: unknown[] = [];
  const breaker = new GuardedBreaker('b', known(state), {
    reporter,
    acquirePermission,
    permitBackoffMs: 200,
    onListenerError: (error) => listenerErrors.push(error),
  });
  return { breaker, reporter, sent, listenerErrors };
}

const never = async (): Promise<Permission> => {
  throw new Error('no permit is needed');
};

describe('GuardedBreaker', () => {
  it('runs calls in CLOSED with no network, and reports each with its duration and error message', async () => {
    const { breaker, reporter, sent } = setUp(never);
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(breaker.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await reporter.close();
    expect(sent).toEqual([
      { breakerName: 'b', success: true, occurredAt: expect.any(Number), durationMs: expect.any(Number) },
      {
        breakerName: 'b',
        success: false,
        occurredAt: expect.any(Number),
        durationMs: expect.any(Number),
        error: 'boom',
      },
    ]);
  });

  it('refuses calls in OPEN and FORCED_OPEN without calling the function', async () => {
    const { breaker, reporter, sent } = setUp(never);
    let called = 0;
    for (const [id, to] of [
      [1, 'OPEN'],
      [2, 'FORCED_OPEN'],
    ] as const) {
      breaker.applyTransition(id, to, new Date().toISOString());
      const refused = await breaker.execute(() => called++).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(BreakerOpenError);
      expect((refused as BreakerOpenError).state).toBe(to);
    }
    expect(called).toBe(0);
    await reporter.close();
    expect(sent).toEqual([]);
  });

  it('applies transitions in id order, once each, and tells of each change', () => {
    const { breaker, reporter } = setUp(never);
    const changes: StateChange[] = [];
    breaker.on('stateChange', (c: StateChange) => changes.push(c));
    breaker.applyTransition(5, 'OPEN', 't5');
    breaker.applyTransition(5, 'OPEN', 't5');
    breaker.applyTransition(4, 'CLOSED', 't4');
    breaker.applyTransition(6, 'HALF_OPEN', 't6');
    breaker.seed(3, known('CLOSED'), 't3');
    expect(changes.map((c) => [c.eventId, c.from, c.to])).toEqual([
      ['5', 'CLOSED', 'OPEN'],
      ['6', 'OPEN', 'HALF_OPEN'],
    ]);
    expect(breaker.state).toBe('HALF_OPEN');
    void reporter.close();
  });

  it('fail-static: a local engine on the last known config trips on local failures, and the platform takes over again', async () => {
    const { breaker, reporter, sent } = setUp(never);
    const changes: StateChange[] = [];
    breaker.on('stateChange', (c: StateChange) => changes.push(c));
    breaker.goLocal();
    expect(breaker.isLocal).toBe(true);
    for (let i = 0; i < 2; i++) await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(breaker.state).toBe('OPEN');
    let called = false;
    const refused = await breaker.execute(() => (called = true)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect(called).toBe(false);
    // The platform's transitions meanwhile move the mirror quietly; the local engine decides.
    breaker.applyTransition(9, 'FORCED_OPEN', new Date().toISOString());
    expect(breaker.state).toBe('OPEN');
    breaker.seed(10, known('CLOSED'), 't10');
    expect(breaker.isLocal).toBe(false);
    expect(breaker.state).toBe('CLOSED');
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    expect(changes.map((c) => [c.from, c.to, c.local, c.eventId])).toEqual([
      ['CLOSED', 'OPEN', true, null],
      ['OPEN', 'CLOSED', false, '10'],
    ]);
    await reporter.close();
    // Every admitted call is reported, the local ones included; the refused one is not.
    expect(sent.map((o) => o.success)).toEqual([false, false, true]);
  });

  it('fail-static from OPEN: refuses until the known open period ends, then lets a local trial in', async () => {
    const { breaker, reporter } = setUp(never);
    breaker.seed(1, known('OPEN', { openUntil: Date.now() + 50 }), 't1');
    breaker.goLocal();
    await expect(breaker.execute(() => 'early')).rejects.toBeInstanceOf(BreakerOpenError);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(breaker.execute(() => 'trial')).resolves.toBe('trial');
    expect(breaker.state).toBe('CLOSED');
    await reporter.close();
  });

  it('asks for one permit at a time in HALF_OPEN, and backs off after a refusal', async () => {
    let requests = 0;
    let answer: (p: Permission) => void = () => undefined;
    const { breaker, reporter } = setUp(
      () =>
        new Promise<Permission>((resolve) => {
          requests++;
          answer = resolve;
        }),
      'HALF_OPEN',
    );
    const first = breaker.execute(() => 'trial');
    // 10,000 calls while the request is in flight: all refused here, none asks.
    const others = await Promise.all(
      Array.from({ length: 10_000 }, () => breaker.execute(() => 'x').catch((e: unknown) => e)),
    );
    expect(others.every((e) => e instanceof BreakerOpenError)).toBe(true);
    expect(requests).toBe(1);
    answer({ permitted: false, state: 'HALF_OPEN', permitId: null });
    await expect(first).rejects.toBeInstanceOf(BreakerOpenError);
    // Within the backoff: refused with no request.
    await expect(breaker.execute(() => 'x')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(requests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = breaker.execute(() => 'trial');
    expect(requests).toBe(2);
    answer({ permitted: true, state: 'HALF_OPEN', permitId: 'p-1' });
    await expect(next).resolves.toBe('trial');
    await reporter.close();
  });

  it('reports a trial with its permit id, and sends it at once', async () => {
    const { breaker, reporter, sent } = setUp(
      async () => ({ permitted: true, state: 'HALF_OPEN', permitId: 'p-7' }),
      'HALF_OPEN',
    );
    await breaker.execute(() => 'ok');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toEqual([expect.objectContaining({ breakerName: 'b', success: true, permitId: 'p-7' })]);
    await reporter.close();
  });

  it('goes on mirroring when a stateChange listener throws, and tells of the exception', () => {
    const { breaker, reporter, listenerErrors } = setUp(never);
    breaker.on('stateChange', () => {
      throw new Error('listener bug');
    });
    expect(() => breaker.applyTransition(1, 'OPEN', 't1')).not.toThrow();
    breaker.applyTransition(2, 'HALF_OPEN', 't2');
    expect(breaker.state).toBe('HALF_OPEN');
    expect(listenerErrors.map((e) => (e as Error).message)).toEqual(['listener bug', 'listener bug']);
    void reporter.close();
  });

  it('settles as the call did after the reporter is closed, counting the outcome as dropped', async () => {
    const { breaker, reporter } = setUp(never);
    await reporter.close();
    await expect(breaker.execute(() => 'paid')).resolves.toBe('paid');
    await expect(breaker.execute(() => Promise.reject(new Error('own error')))).rejects.toThrow('own error');
    expect(reporter.stats().dropped).toBe(2);
  });

  it('sends an error message the platform can store: NUL and lone surrogates become U+FFFD', async () => {
    const { breaker, reporter, sent } = setUp(never);
    await breaker
      .execute(() => Promise.reject(new Error('bad\u0000frame \ud800 end \ud83d\ude00')))
      .catch(() => undefined);
    await reporter.close();
    expect(sent.map((o) => o.error)).toEqual(['bad\ufffdframe \ufffd end \ud83d\ude00']);
  });
});
