import { RunningApp } from '../src/bootstrap';
import { errorCode, gql, gqlOk, useTestApp } from './support/test-app';
import { subscribe } from './support/ws-client';

const TRANSITIONS = `subscription($n: String) { breakerStateChanged(breakerName: $n) { breakerName from to at eventId } }`;
const EVENTS = `subscription($n: String, $t: [RecoveryEventType!]) {
  recoveryEvents(breakerName: $n, types: $t) { id breakerName type occurredAt fromState toState info } }`;

describe('subscriptions over graphql-ws (e2e)', () => {
  let app: RunningApp;
  const fixture = useTestApp();

  beforeAll(() => {
    app = fixture.app;
  });

  const register = (name: string, config = 'failureThreshold: 1, openTimeoutMs: 200') =>
    gqlOk(app, `mutation { registerBreaker(input: { name: "${name}", config: { ${config} } }) { name } }`);
  const report = (name: string, success: boolean) =>
    gqlOk(app, `mutation { recordOutcome(input: { breakerName: "${name}", success: ${success} }) { state } }`);

  it('delivers every transition of a recovery cycle in order, with the ids of the recorded events', async () => {
    const name = 'sub.cycle';
    await register(name);
    const transitions = await subscribe(app.url, TRANSITIONS, { n: name });
    try {
      await report(name, false); // CLOSED → OPEN
      await transitions.waitFor(2, 3000); // … → HALF_OPEN by itself
      await report(name, false); // HALF_OPEN → OPEN
      await transitions.waitFor(4, 3000); // … → HALF_OPEN
      await report(name, true); // HALF_OPEN → CLOSED
      await gqlOk(app, `mutation { forceOpenBreaker(name: "${name}", reason: "drill") { state } }`);
      await gqlOk(app, `mutation { resetBreaker(name: "${name}") { state } }`);
      const got = await transitions.waitFor(7);
      expect(got.map((t) => `${t.from}>${t.to}`)).toEqual([
        'CLOSED>OPEN',
        'OPEN>HALF_OPEN',
        'HALF_OPEN>OPEN',
        'OPEN>HALF_OPEN',
        'HALF_OPEN>CLOSED',
        'CLOSED>FORCED_OPEN',
        'FORCED_OPEN>CLOSED',
      ]);
      expect(got.every((t) => t.breakerName === name)).toBe(true);

      const { breakerEvents } = await gqlOk(
        app,
        `{ breakerEvents(breakerName: "${name}", order: ASC) { edges { node { id occurredAt fromState toState } } } }`,
      );
      const marking = breakerEvents.edges
        .map((e: any) => e.node)
        .filter((e: any) => e.fromState && e.fromState !== e.toState);
      expect(got.map((t) => t.eventId)).toEqual(marking.map((e: any) => e.id));
      expect(got.map((t) => t.at)).toEqual(marking.map((e: any) => e.occurredAt));
      expect(transitions.errors).toEqual([]);
    } finally {
      await transitions.stop();
    }
  });

  it('filters on the server by breaker and by event type', async () => {
    await register('sub.a');
    await register('sub.b');
    const onlyA = await subscribe(app.url, TRANSITIONS, { n: 'sub.a' });
    const all = await subscribe(app.url, TRANSITIONS, {});
    const opened = await subscribe(app.url, EVENTS, { t: ['CIRCUIT_OPENED'] });
    const allOfB = await subscribe(app.url, EVENTS, { n: 'sub.b' });
    try {
      await gqlOk(
        app,
        `mutation { recordOutcomes(outcomes: [
        { breakerName: "sub.b", success: false }, { breakerName: "sub.a", success: false }]) { accepted } }`,
      );
      await gqlOk(
        app,
        `mutation { updateBreakerConfig(name: "sub.b", config: { failureThreshold: 2 }, reason: "tune") { name } }`,
      );
      // All four subscribers hear about what happened, each only what it asked for.
      const a = await onlyA.waitFor(2, 3000);
      expect(a.map((t) => [t.breakerName, t.to])).toEqual([
        ['sub.a', 'OPEN'],
        ['sub.a', 'HALF_OPEN'],
      ]);
      const everything = await all.waitFor(4, 3000);
      expect(new Set(everything.map((t) => t.breakerName))).toEqual(new Set(['sub.a', 'sub.b']));
      const openings = await opened.waitFor(2);
      expect(openings.map((e) => [e.breakerName, e.type])).toEqual([
        ['sub.b', 'CIRCUIT_OPENED'],
        ['sub.a', 'CIRCUIT_OPENED'],
      ]);
      const ofB = await allOfB.waitFor(4, 3000);
      expect(ofB.every((e) => e.breakerName === 'sub.b')).toBe(true);
      expect(ofB.map((e) => e.type)).toEqual(
        expect.arrayContaining(['CIRCUIT_OPENED', 'CONFIG_CHANGED', 'CIRCUIT_HALF_OPENED', 'RECOVERY_ATTEMPTED']),
      );
      expect(ofB.find((e) => e.type === 'CONFIG_CHANGED').info.reason).toBe('tune');
      expect(onlyA.received.length).toBe(2);
      expect(opened.received.length).toBe(2);
    } finally {
      await Promise.all([onlyA, all, opened, allOfB].map((s) => s.stop()));
    }
  });

  it('publishes nothing for a batch that rolled back', async () => {
    await register('sub.rollback', 'failureThreshold: 1, openTimeoutMs: 60000');
    const events = await subscribe(app.url, EVENTS, { n: 'sub.rollback' });
    try {
      const refused = await gql(
        app,
        `mutation { recordOutcomes(outcomes: [
        { breakerName: "sub.rollback", success: false }, { breakerName: "sub.nope", success: false }]) { accepted } }`,
      );
      expect(errorCode(refused)).toBe('NOT_FOUND');
      await report('sub.rollback', true);
      await gqlOk(app, `mutation { forceOpenBreaker(name: "sub.rollback") { state } }`);
      const got = await events.waitFor(1);
      // The first event this subscriber sees is the force-open: the rolled-back opening never went out.
      expect(got.map((e) => e.type)).toEqual(['CIRCUIT_FORCED_OPEN']);
    } finally {
      await events.stop();
    }
  });

  it('lets a client that was away resume without gaps from the last eventId it saw (README recipe)', async () => {
    const name = 'sub.resume';
    await register(name, 'failureThreshold: 1, openTimeoutMs: 60000');
    const first = await subscribe(app.url, TRANSITIONS, { n: name });
    const [seen] = await (async () => {
      await report(name, false);
      return first.waitFor(1);
    })();
    await first.stop(); // the client goes away…
    await gqlOk(app, `mutation { resetBreaker(name: "${name}") { state } }`); // …and misses these
    await gqlOk(app, `mutation { forceOpenBreaker(name: "${name}") { state } }`);

    const again = await subscribe(app.url, TRANSITIONS, { n: name });
    try {
      await gqlOk(app, `mutation { resetBreaker(name: "${name}") { state } }`); // live after reconnecting
      const live = await again.waitFor(1);

      const after = Buffer.from(`event:${seen.eventId}`).toString('base64url');
      const { breakerEvents } = await gqlOk(
        app,
        `query($a: String) { breakerEvents(breakerName: "${name}", order: ASC, after: $a) {
           edges { node { id fromState toState } } } }`,
        { a: after },
      );
      const missed = breakerEvents.edges
        .map((e: any) => e.node)
        .filter((e: any) => e.fromState && e.fromState !== e.toState);
      const lastMissed = BigInt(missed[missed.length - 1].id);
      const fresh = live.filter((t) => BigInt(t.eventId) > lastMissed);
      const timeline = [seen, ...missed.map((e: any) => ({ from: e.fromState, to: e.toState })), ...fresh];
      expect(timeline.map((t: any) => `${t.from}>${t.to}`)).toEqual([
        'CLOSED>OPEN',
        'OPEN>CLOSED',
        'CLOSED>FORCED_OPEN',
        'FORCED_OPEN>CLOSED',
      ]);
    } finally {
      await again.stop();
    }
  });

  it('refuses bad subscription arguments with BAD_USER_INPUT', async () => {
    const bad = await subscribe(app.url, TRANSITIONS, { n: 'not a name' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(JSON.stringify(bad.errors)).toContain('BAD_USER_INPUT');
      expect(bad.received).toEqual([]);
    } finally {
      await bad.stop();
    }
  });
});
