import WebSocket from 'ws';
import { RunningApp } from '../../src/bootstrap';
import { gqlOk } from './test-app';
import { subscribe } from './ws-client';

const TRANSITIONS = `subscription { breakerStateChanged { breakerName to } }`;

/** A raw graphql-ws socket, so the test decides exactly when connection_init goes out. */
interface RawSocket {
  readonly ws: WebSocket;
  /** Resolves with true on connection_ack, false when closed first. */
  readonly handshake: Promise<boolean>;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly events: unknown[];
}

function openRaw(url: string): Promise<RawSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const events: unknown[] = [];
  let acked: (ok: boolean) => void = () => undefined;
  const handshake = new Promise<boolean>((resolve) => (acked = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      acked(false);
      resolve({ code, reason: reason.toString() });
    }),
  );
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; payload?: unknown };
    if (message.type === 'connection_ack') {
      acked(true);
      // Subscribes at once, as a client would: a socket that survives its key's revocation hears events.
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: TRANSITIONS } }));
    }
    if (message.type === 'next') events.push(message.payload);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, handshake, closed, events }));
    ws.once('error', reject);
  });
}

export interface RaceRound {
  /** Sockets that got connection_ack before or after the revocation. */
  readonly acked: number;
  /** Sockets of the revoked key not closed with 4403 (or refused at connection_init, also 4403). */
  readonly survivors: { code: number; reason: string; events: number }[];
  /** Events that sockets of the revoked key received after their key was revoked. */
  readonly eventsAfterRevocation: number;
}

/**
 * One round: `sockets` connections send connection_init with a fresh VIEWER key, and the key is
 * revoked (through `revokeOn`) while those handshakes are in flight. Then a transition is made;
 * a control subscriber on `connectOn` hears it, which means every instance has handled the
 * revocation (NOTIFY delivers in commit order). Every socket of the key must then close with 4403.
 */
export async function revocationRaceRound(
  connectOn: RunningApp,
  revokeOn: RunningApp,
  breakerName: string,
  round: number,
  sockets = 30,
): Promise<RaceRound> {
  const { createApiKey } = await gqlOk(
    revokeOn,
    `mutation($n: String!) { createApiKey(name: $n, role: VIEWER) { key info { id } } }`,
    { n: `${breakerName}-round-${round}` },
  );
  const raw = await Promise.all(Array.from({ length: sockets }, () => openRaw(connectOn.url)));
  const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${createApiKey.key}` } });
  // Some before the revocation is sent, the rest right after, the split moving from round to round,
  // so that handshakes straddle its commit at every stage of their check.
  const before = Math.round((sockets * (round % 4)) / 4);
  for (const s of raw.slice(0, before)) s.ws.send(init);
  const revoked = gqlOk(revokeOn, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: createApiKey.info.id });
  // Spread over the revocation's transaction: one handshake per turn of the event loop.
  for (const s of raw.slice(before)) {
    s.ws.send(init);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await revoked;
  const acked = (await Promise.all(raw.map((s) => s.handshake))).filter(Boolean).length;

  const control = await subscribe(connectOn.url, TRANSITIONS);
  try {
    const state = round % 2 === 0 ? 'forceOpenBreaker' : 'resetBreaker';
    await gqlOk(revokeOn, `mutation { ${state}(name: "${breakerName}", reason: "race round ${round}") { state } }`);
    await control.waitFor(1);
  } finally {
    await control.stop();
  }
  const outcomes = await Promise.all(raw.map((s) => closedOrStillOpen(s)));
  for (const s of raw) s.ws.terminate();
  return {
    acked,
    survivors: outcomes.filter((o) => o.code !== 4403),
    eventsAfterRevocation: outcomes.reduce((n, o) => n + o.events, 0),
  };
}

/**
 * How the socket ended. A socket the server closed has its close frame on the way already, so a
 * short grace covers the network; one still open past it has survived.
 */
async function closedOrStillOpen(s: RawSocket): Promise<{ code: number; reason: string; events: number }> {
  const stillOpen = new Promise<{ code: number; reason: string }>((resolve) =>
    setTimeout(() => resolve({ code: -1, reason: 'still open' }), 2000).unref(),
  );
  const end = await Promise.race([s.closed, stillOpen]);
  return { ...end, events: s.events.length };
}
