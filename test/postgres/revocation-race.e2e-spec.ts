import { RunningApp } from '../../src/bootstrap';
import { gql, gqlOk, startTestApp } from '../support/test-app';
import { RaceRound, revocationRaceRound } from '../support/revocation-race';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const ROUNDS = 20;

/** Two instances on one Postgres: the key is revoked on one while sockets shake hands with the other. */
describe('revocation racing the handshake across instances (e2e)', () => {
  let db: TestDatabase;
  let apps: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Every refused handshake is a failed authentication from 127.0.0.1: lift that limit here.
    const env = { AUTH_FAILURES_PER_MINUTE: '1000000' };
    apps = await Promise.all([startTestApp(db, { env }), startTestApp(db, { env })]);
    await gqlOk(apps[0], `mutation { registerBreaker(input: { name: "race-two" }) { name } }`);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await db?.drop();
  });

  it(`closes every socket of the key on the other instance too, over ${ROUNDS} rounds of 30 sockets`, async () => {
    const [revoking, serving] = apps;
    const rounds: RaceRound[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push(await revocationRaceRound(serving, revoking, 'race-two', round));
    }
    const withSurvivors = rounds.filter((r) => r.survivors.length > 0).length;
    const events = rounds.reduce((n, r) => n + r.eventsAfterRevocation, 0);
    const survivorsPerRound = rounds.map((r) => r.survivors.length);
    const firstSurvivor = rounds.find((r) => r.survivors.length)?.survivors[0];
    expect({ withSurvivors, events, survivorsPerRound, firstSurvivor }).toEqual({
      withSurvivors: 0,
      events: 0,
      survivorsPerRound: Array(ROUNDS).fill(0),
      firstSurvivor: undefined,
    });
    expect(rounds.some((r) => r.acked > 0)).toBe(true);
  }, 120_000);
});

describe('a revoked key with a warm cache on another instance (e2e)', () => {
  let db: TestDatabase;
  let apps: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    apps = await Promise.all([startTestApp(db), startTestApp(db)]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await db?.drop();
  });

  it('is refused by the other instance as soon as the revocation answers, round after round', async () => {
    const [revoking, serving] = apps;
    const refusedAfterRevoke: number[] = [];
    for (let round = 0; round < 10; round++) {
      const { createApiKey } = await gqlOk(
        revoking,
        `mutation($n: String!) { createApiKey(name: $n, role: VIEWER) { key info { id } } }`,
        { n: `warm-${round}` },
      );
      // Warm the serving instance's cache with the key.
      for (let i = 0; i < 3; i++) await gqlOk(serving, '{ breakers { name } }', undefined, createApiKey.key);
      await gqlOk(revoking, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: createApiKey.info.id });
      refusedAfterRevoke.push((await gql(serving, '{ breakers { name } }', undefined, createApiKey.key)).status);
    }
    expect(refusedAfterRevoke).toEqual(Array(10).fill(401));
  });
});

/**
 * The revoking instance hears its own notification first: an answer that waits only for that
 * echo leaves a window in which another instance, slower to hear from the database, still
 * serves the key from its cache. The answer must wait for every listening instance.
 */
describe('a revoked key on an instance slow to hear from the database (e2e)', () => {
  const DELAY_MS = 150;
  let db: TestDatabase;
  let proxy: TcpProxy;
  let revoking: RunningApp;
  let slow: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432), { downstreamDelayMs: DELAY_MS });
    revoking = await startTestApp(db);
    slow = await startTestApp(db, { env: { DATABASE_URL: proxy.url(db.url!) } });
  });

  afterAll(async () => {
    await slow?.close();
    await revoking?.close();
    await proxy?.close();
    await db?.drop();
  });

  it(`is refused there as soon as the revocation answers, though its database replies come ${DELAY_MS} ms late`, async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { createApiKey } = await gqlOk(
        revoking,
        `mutation($n: String!) { createApiKey(name: $n, role: VIEWER) { key info { id } } }`,
        { n: `slow-${round}` },
      );
      await gqlOk(slow, '{ breakers { name } }', undefined, createApiKey.key);
      const answer = await gqlOk(revoking, `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, {
        id: createApiKey.info.id,
      });
      expect(answer.revokeApiKey.revokedAt).toEqual(expect.any(String));
      statuses.push((await gql(slow, '{ breakers { name } }', undefined, createApiKey.key)).status);
    }
    expect(statuses).toEqual([401, 401, 401]);
  });
});

/**
 * An instance that has lost its listener hears no revocation, and the revoker stops waiting for
 * it once the listener's backend is gone. Until it listens again it must not serve a key from
 * its cache: each request has to be checked against the database.
 */
describe('a revoked key on an instance whose listener is lost (e2e)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let revoking: RunningApp;
  let deaf: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    revoking = await startTestApp(db);
    deaf = await startTestApp(db, { env: { DATABASE_URL: proxy.url(db.url!) } });
  });

  afterAll(async () => {
    await proxy?.restore();
    await deaf?.close();
    await revoking?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('is not served from that instance’s cache after the revocation answers', async () => {
    const { createApiKey } = await gqlOk(
      revoking,
      `mutation { createApiKey(name: "deaf-key", role: VIEWER) { key info { id } } }`,
    );
    await gqlOk(deaf, '{ breakers { name } }', undefined, createApiKey.key);
    // The deaf instance's connections to the database (its listener among them) are cut, and stay cut.
    await proxy.cut('refuse');
    await gqlOk(revoking, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: createApiKey.info.id });
    const answer = await gql(deaf, '{ breakers { name } }', undefined, createApiKey.key);
    expect(answer.status).not.toBe(200);
  });
});
