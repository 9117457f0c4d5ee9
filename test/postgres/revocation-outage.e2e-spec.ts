import { RunningApp } from '../../src/bootstrap';
import { eventually, gqlOk, startTestApp } from '../support/test-app';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { subscribe } from '../support/ws-client';

/**
 * A revocation whose notification an instance missed (its LISTEN connection was down when it
 * was sent) must still close that instance's sockets of the key, once it is back.
 */
describe('a revocation sent while an instance could not listen (e2e)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let direct: RunningApp;
  let cutOff: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    direct = await startTestApp(db);
    cutOff = await startTestApp(db, { env: { DATABASE_URL: proxy.url(db.url!) } });
  });

  afterAll(async () => {
    await cutOff?.close();
    await direct?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('closes the key’s open sockets with 4403 once the listener is back', async () => {
    const { createApiKey } = await gqlOk(
      direct,
      `mutation { createApiKey(name: "missed", role: VIEWER) { key info { id } } }`,
    );
    const feed = await subscribe(cutOff.url, `subscription { breakerStateChanged { breakerName } }`, undefined, {
      connectionParams: { authorization: `Bearer ${createApiKey.key}` },
    });
    const closes: { code?: number }[] = [];
    feed.onClosed((event) => closes.push(event as { code?: number }));
    try {
      await proxy.cut('reset');
      await gqlOk(direct, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: createApiKey.info.id });
      await proxy.restore();
      // The listener reconnects within its backoff (at most 5 s).
      const closed = await eventually(async () => closes[0], 15_000, 100);
      expect(closed).toMatchObject({ code: 4403 });
    } finally {
      await feed.stop();
    }
  }, 30_000);
});
