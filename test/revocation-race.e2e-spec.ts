import { gqlOk, useTestApp } from './support/test-app';
import { RaceRound, revocationRaceRound } from './support/revocation-race';

const ROUNDS = 20;

/** No socket of a revoked key survives its revocation, even one whose connection_init was in flight. */
describe('revocation racing the graphql-ws handshake (e2e)', () => {
  // Every refused handshake is a failed authentication from 127.0.0.1: lift that limit here.
  const fixture = useTestApp({ env: { AUTH_FAILURES_PER_MINUTE: '1000000' } });

  beforeAll(async () => {
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "race-one" }) { name } }`);
  });

  it(`closes every socket of the key with 4403 and delivers it no event, over ${ROUNDS} rounds of 30 sockets`, async () => {
    const rounds: RaceRound[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push(await revocationRaceRound(fixture.app, fixture.app, 'race-one', round));
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
    // The race was real: some handshakes completed before the revocation, some did not.
    expect(rounds.some((r) => r.acked > 0)).toBe(true);
  }, 120_000);
});
