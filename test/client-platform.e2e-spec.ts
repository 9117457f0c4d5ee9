import { BreakerOpenError, connect, GuardedBreaker, LocalModeChange, Platform, StateChange } from '../client/src';
import { eventually, gqlOk, TEST_ADMIN_KEY, useTestApp } from './support/test-app';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';

const failing = () => Promise.reject(new Error('dependency down'));
const ok = () => Promise.resolve('ok');

/** Two client connections on one platform: the state is the fleet's, decided by the platform. */
describe('the client guarding calls with the fleet state (e2e)', () => {
  const fixture = useTestApp({ env: { HALF_OPEN_SWEEP_INTERVAL_MS: '20' } });
  let a: Platform;
  let b: Platform;
  const clients: Platform[] = [];

  const open = async (): Promise<Platform> => {
    const platform = await connect({ url: `${fixture.app.url}/graphql`, apiKey: TEST_ADMIN_KEY, flushIntervalMs: 20 });
    clients.push(platform);
    return platform;
  };
  const admin = (mutation: string, name: string) =>
    gqlOk(fixture.app, `mutation($n: String!) { ${mutation} }`, { n: name });
  const totalCalls = async (name: string) =>
    (await gqlOk(fixture.app, `query($n: String!) { breaker(name: $n) { metrics { totalCalls } } }`, { n: name }))
      .breaker.metrics.totalCalls;
  const inState = (breaker: GuardedBreaker, state: string) =>
    eventually(async () => (breaker.state === state ? true : undefined), 1000, 10);

  beforeAll(async () => {
    a = await open();
    b = await open();
  });

  afterAll(async () => {
    for (const client of clients) await client.close(1000);
  });

  it('registers a breaker with its config once, and mirrors its state on both', async () => {
    // A registers with its config first: B's config-less call, were it first, would register the defaults.
    const onA = await a.breaker('sdk-payments', { config: { failureThreshold: 3, openTimeoutMs: 60_000 } });
    const onB = await b.breaker('sdk-payments');
    expect([onA.state, onB.state]).toEqual(['CLOSED', 'CLOSED']);
    const { breaker } = await gqlOk(fixture.app, `{ breaker(name: "sdk-payments") { config { failureThreshold } } }`);
    expect(breaker.config.failureThreshold).toBe(3);
    expect(await a.breaker('sdk-payments')).toBe(onA);
  });

  it('trips for the fleet on one client’s failures: the other refuses within a second, without calling', async () => {
    const [onA, onB] = await Promise.all([a.breaker('sdk-payments'), b.breaker('sdk-payments')]);
    const seen: StateChange[] = [];
    onB.on('stateChange', (change: StateChange) => seen.push(change));
    for (let i = 0; i < 3; i++) await expect(onA.execute(failing)).rejects.toThrow('dependency down');
    // Local failures do not move the mirror by themselves: the platform decides.
    expect(onA.state).toBe('CLOSED');
    await Promise.all([inState(onA, 'OPEN'), inState(onB, 'OPEN')]);
    let called = false;
    const refused = await onB.execute(async () => (called = true)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect(called).toBe(false);
    expect(seen.map((c) => [c.from, c.to])).toEqual([['CLOSED', 'OPEN']]);
    expect(await totalCalls('sdk-payments')).toBe(3);
  });

  it('carries an admin force-open and a reset to both within a second', async () => {
    const [onA, onB] = await Promise.all([a.breaker('sdk-ledger'), b.breaker('sdk-ledger')]);
    await admin('forceOpenBreaker(name: $n, reason: "maintenance") { state }', 'sdk-ledger');
    await Promise.all([inState(onA, 'FORCED_OPEN'), inState(onB, 'FORCED_OPEN')]);
    await expect(onA.execute(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    await admin('resetBreaker(name: $n, reason: "done") { state }', 'sdk-ledger');
    await Promise.all([inState(onA, 'CLOSED'), inState(onB, 'CLOSED')]);
    await expect(onB.execute(ok)).resolves.toBe('ok');
  });

  it('recovers through a trial permit: HALF_OPEN, one permitted call, CLOSED on both', async () => {
    const onA = await a.breaker('sdk-search', { config: { failureThreshold: 1, openTimeoutMs: 300 } });
    const onB = await b.breaker('sdk-search');
    await expect(onA.execute(failing)).rejects.toThrow();
    await Promise.all([inState(onA, 'OPEN'), inState(onB, 'OPEN')]);
    await Promise.all([inState(onA, 'HALF_OPEN'), inState(onB, 'HALF_OPEN')]);
    await expect(onB.execute(ok)).resolves.toBe('ok');
    await Promise.all([inState(onA, 'CLOSED'), inState(onB, 'CLOSED')]);
    const { breakerEvents } = await gqlOk(
      fixture.app,
      `{ breakerEvents(breakerName: "sdk-search", order: ASC) { edges { node { type } } } }`,
    );
    expect(breakerEvents.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(
      expect.arrayContaining(['CIRCUIT_OPENED', 'CIRCUIT_HALF_OPENED', 'RECOVERY_SUCCEEDED']),
    );
  });

  it('reports every call exactly once, and close() delivers what is buffered', async () => {
    const platform = await open();
    const breaker = await platform.breaker('sdk-volume', { config: { failureThreshold: 10_000 } });
    for (let i = 0; i < 5000; i++) await breaker.execute(i % 5 === 0 ? failing : ok).catch(() => undefined);
    expect(await platform.close()).toBe(0);
    expect(platform.stats()).toMatchObject({ delivered: 5000, dropped: 0, rejected: 0, buffered: 0 });
    expect(await totalCalls('sdk-volume')).toBe(5000);
  });

  describe('across a lost connection', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      const target = new URL(fixture.app.url);
      proxy = await startTcpProxy(target.hostname, Number(target.port));
    });
    afterAll(() => proxy?.close());

    it('reads what it missed when it reconnects', async () => {
      const platform = await connect({ url: `${proxy.url(fixture.app.url)}graphql`, apiKey: TEST_ADMIN_KEY });
      clients.push(platform);
      const breaker = await platform.breaker('sdk-missed');
      await proxy.cut('reset');
      await eventually(async () => (platform.stats().connected ? undefined : true), 2000, 10);
      await admin('forceOpenBreaker(name: $n, reason: "while away") { state }', 'sdk-missed');
      expect(breaker.state).toBe('CLOSED');
      await proxy.restore();
      await eventually(async () => (breaker.state === 'FORCED_OPEN' ? true : undefined), 5000, 20);
      expect(platform.stats().connected).toBe(true);
    });

    it('goes fail-static when the platform is out of reach: trips locally, then the platform takes over again', async () => {
      const platform = await connect({
        url: `${proxy.url(fixture.app.url)}graphql`,
        apiKey: TEST_ADMIN_KEY,
        flushIntervalMs: 20,
        staleAfterMs: 300,
      });
      clients.push(platform);
      const switches: LocalModeChange[] = [];
      platform.on('localMode', (change: LocalModeChange) => switches.push(change));
      const breaker = await platform.breaker('sdk-static', { config: { failureThreshold: 2, openTimeoutMs: 400 } });
      const changes: StateChange[] = [];
      breaker.on('stateChange', (change: StateChange) => changes.push(change));
      await proxy.cut('refuse');
      await eventually(async () => (platform.stats().localMode.includes('sdk-static') ? true : undefined), 3000, 10);
      expect(switches).toEqual([{ breakerName: 'sdk-static', local: true, at: expect.any(String) }]);
      // The dependency fails: the local engine trips, and refuses without calling.
      for (let i = 0; i < 2; i++) await expect(breaker.execute(failing)).rejects.toThrow('dependency down');
      expect(breaker.state).toBe('OPEN');
      let called = false;
      await expect(breaker.execute(async () => (called = true))).rejects.toBeInstanceOf(BreakerOpenError);
      expect(called).toBe(false);
      // After the open period a local trial succeeds and closes it.
      await new Promise((resolve) => setTimeout(resolve, 450));
      await expect(breaker.execute(ok)).resolves.toBe('ok');
      expect(breaker.state).toBe('CLOSED');
      expect(platform.stats()).toMatchObject({ connected: false, buffered: 3, delivered: 0 });
      await proxy.restore();
      await eventually(async () => (platform.stats().localMode.length === 0 ? true : undefined), 10_000, 20);
      expect(switches.map((s) => s.local)).toEqual([true, false]);
      // What was made meanwhile arrives once; the platform's state is the one calls go by again.
      await eventually(async () => ((await totalCalls('sdk-static')) === 3 ? true : undefined), 5000, 20);
      const { breaker: onPlatform } = await gqlOk(fixture.app, `{ breaker(name: "sdk-static") { state } }`);
      await eventually(async () => (breaker.state === onPlatform.state ? true : undefined), 2000, 20);
      expect(changes.slice(0, 2).map((c) => [c.from, c.to, c.local])).toEqual([
        ['CLOSED', 'OPEN', true],
        ['OPEN', 'HALF_OPEN', true],
      ]);
      expect(platform.stats()).toMatchObject({ connected: true, delivered: 3, dropped: 0, localMode: [] });
    });
  });
});
