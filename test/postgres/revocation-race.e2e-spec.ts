import { RunningApp } from '../../src/bootstrap';
import { gql, gqlOk, startTestApp } from '../support/test-app';
import { RaceRound, revocationRaceRound } from '../support/revocation-race';
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
