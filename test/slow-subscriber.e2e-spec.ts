import WebSocket from 'ws';
import { WsCloseCode } from '../src/common/ws-close-codes';
import { gqlOk, TEST_ADMIN_KEY, useTestApp } from './support/test-app';
import { subscribe } from './support/ws-client';

const QUEUE_LIMIT = 50;
// Big events, so that the slow socket's kernel buffers fill and its queue on the server grows.
const REASON = '€'.repeat(2000);
const EVENTS = 1000;

/**
 * A raw graphql-ws client that subscribes, then stops reading its socket, as a stuck dashboard would.
 * Answers a promise of the close code it receives once it reads again.
 */
async function stuckSubscriber(url: string): Promise<{ resume: () => Promise<number> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_KEY}` } }));
  await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
  socket.send(
    JSON.stringify({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription { recoveryEvents { id type info } }' },
    }),
  );
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve) => setTimeout(resolve, 200));
  (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  return {
    resume: async () => {
      (socket as unknown as { _socket: { resume(): void } })._socket.resume();
      const code = await closed;
      socket.terminate();
      return code;
    },
  };
}

/** Sends EVENTS big events for "busy", 100 to a request. */
async function flood(app: Parameters<typeof gqlOk>[0]): Promise<void> {
  for (let sent = 0; sent < EVENTS; sent += 100) {
    const mutations = Array.from(
      { length: 100 },
      (_, i) =>
        `m${i}: updateBreakerConfig(name: "busy", config: { failureThreshold: ${((sent + i) % 50) + 2} }, reason: $r) { name }`,
    ).join('\n');
    await gqlOk(app, `mutation($r: String) { ${mutations} }`, { r: REASON });
  }
}

describe('a slow subscriber (e2e)', () => {
  // A grace and a keep-alive far longer than the test: the stuck socket answers no ping, and would
  // otherwise be dropped (1006) before it reads its close frame whenever a loaded machine takes
  // more than about 24 s (two keep-alives) to get through the flood.
  const fixture = useTestApp({
    env: {
      SUBSCRIBER_QUEUE_LIMIT: String(QUEUE_LIMIT),
      SUBSCRIBER_CLOSE_GRACE_MS: '300000',
      WS_KEEPALIVE_MS: '600000',
    },
  });

  it('neither holds up a fast subscriber nor grows without bound: it is closed with 1013', async () => {
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "busy" }) { name } }`);
    const slow = await stuckSubscriber(fixture.app.url);
    const fast = await subscribe(
      fixture.app.url,
      `subscription { recoveryEvents(breakerName: "busy") { id type info } }`,
    );
    try {
      await flood(fixture.app);
      const got = await fast.waitFor(EVENTS, 30_000);
      expect(got).toHaveLength(EVENTS);
      expect(got.every((e) => e.type === 'CONFIG_CHANGED' && e.info.reason === REASON)).toBe(true);
      const ids = got.map((e) => BigInt(e.id));
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);

      expect(await slow.resume()).toBe(WsCloseCode.TRY_AGAIN_LATER);
    } finally {
      await fast.stop();
    }
  });
});

describe('a subscriber that never reads up to its close frame (e2e)', () => {
  const fixture = useTestApp({
    env: { SUBSCRIBER_QUEUE_LIMIT: String(QUEUE_LIMIT), SUBSCRIBER_CLOSE_GRACE_MS: '500' },
  });

  it('is dropped once SUBSCRIBER_CLOSE_GRACE_MS has passed, so it holds no buffers for good', async () => {
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "busy" }) { name } }`);
    const slow = await stuckSubscriber(fixture.app.url);
    await flood(fixture.app);
    // Closed with 1013 during the flood; 500 ms later the server drops the socket, so the
    // subscriber, reading again only now, never gets to the close frame.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await slow.resume()).toBe(1006); // closed without a close frame
  });
});
