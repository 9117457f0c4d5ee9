import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { connect, GraphqlHttp, OutcomeReporter, Platform, recordOutcomesSender } from '../client/src';
import { eventually, gqlOk, sleep, TEST_ADMIN_KEY, useTestApp } from './support/test-app';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';

/** What the network and the server can do to a client, and what it must still do: settle, deliver, reconnect. */
describe('the client under a hostile network (e2e)', () => {
  const fixture = useTestApp();
  const admin = (mutation: string, name: string) =>
    gqlOk(fixture.app, `mutation($n: String!) { ${mutation} }`, { n: name });

  it('delivers a batch of long errors whose JSON would pass the platform’s 5 MB limit, cut into smaller ones', async () => {
    await admin('registerBreaker(input: { name: $n }) { name }', 'res-big');
    const reporter = new OutcomeReporter({
      send: recordOutcomesSender(new GraphqlHttp({ url: `${fixture.app.url}/graphql`, apiKey: TEST_ADMIN_KEY })),
      flushIntervalMs: 20,
    });
    // 2,000 characters of 3 UTF-8 bytes each: 6 MB in 1,000 outcomes.
    const message = '失'.repeat(2000);
    for (let i = 0; i < 1000; i++) reporter.add({ breakerName: 'res-big', success: false, occurredAt: Date.now(), error: message });
    expect(await reporter.close(20_000)).toBe(0);
    expect(reporter.stats()).toMatchObject({ delivered: 1000, rejected: 0 });
    expect(reporter.stats().flushes).toBeGreaterThan(1);
  });

  it('rejects a breaker() asked for as close() begins, and keeps no subscription alive after', async () => {
    const platform = await connect({ url: `${fixture.app.url}/graphql`, apiKey: TEST_ADMIN_KEY });
    const pending = platform.breaker('res-late');
    const closed = platform.close();
    await expect(pending).rejects.toThrow('closed');
    expect(await closed).toBe(0);
    await expect(platform.breaker('res-late')).rejects.toThrow('closed');
  });

  describe('through a partition', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      const target = new URL(fixture.app.url);
      proxy = await startTcpProxy(target.hostname, Number(target.port));
    });
    afterEach(() => proxy.restore());
    afterAll(() => proxy?.close());

    it('close() settles within its time, though nothing answers', async () => {
      const platform = await connect({ url: `${proxy.url(fixture.app.url)}graphql`, apiKey: TEST_ADMIN_KEY });
      await platform.breaker('res-hole');
      await proxy.cut('blackhole');
      await eventually(async () => (platform.stats().connected ? undefined : true), 10_000, 20);
      const outcome = await Promise.race([platform.close(500).then(() => 'closed'), sleep(5000).then(() => 'hanging')]);
      expect(outcome).toBe('closed');
    }, 30_000);

    it('connect() rejects within its time, though nothing answers', async () => {
      await proxy.cut('blackhole');
      const outcome = await Promise.race([
        connect({ url: `${proxy.url(fixture.app.url)}graphql`, apiKey: TEST_ADMIN_KEY, connectTimeoutMs: 1000 }).then(
          (platform: Platform) => platform.close(0).then(() => 'connected'),
          (error: Error) => `rejected: ${error.message}`,
        ),
        sleep(6000).then(() => 'pending'),
      ]);
      expect(outcome).toBe('rejected: no connection to the platform within 1000 ms');
    }, 30_000);
  });

  it('reconnects after the server closes with a code graphql-ws deems fatal (4500, 1011)', async () => {
    for (const code of [4500, 1011]) {
      let connections = 0;
      const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-transport-ws' });
      server.on('connection', (socket) => {
        const n = ++connections;
        socket.on('message', (raw) => {
          const message = JSON.parse(String(raw)) as { type: string };
          if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
          if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
        });
        if (n === 1) setTimeout(() => socket.close(code, 'internal error'), 100);
      });
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const platform = await connect({ url: `http://127.0.0.1:${port}/graphql`, apiKey: 'any-key' });
      try {
        await eventually(async () => (connections >= 2 && platform.stats().connected ? true : undefined), 5000, 20);
        expect({ code, connected: platform.stats().connected }).toEqual({ code, connected: true });
      } finally {
        await platform.close(0);
        await new Promise((resolve) => server.close(resolve));
      }
    }
  }, 30_000);
});
