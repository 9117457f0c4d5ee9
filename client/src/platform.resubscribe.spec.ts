import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { resolveConfig } from '../../src/breakers/engine/breaker-config';
import { connect } from './platform';

/**
 * A fake platform: GraphQL over HTTP answers what `breaker()` reads, and its graphql-ws side
 * refuses the first subscription with an error, as the platform does over a rate limit.
 */
async function fakePlatform() {
  const subscribes: string[] = [];
  let accepted: ((eventId: number, to: string) => void) | null = null;
  const answer = (query: string) => {
    if (query.includes('registerBreaker')) return { registerBreaker: { name: 'b', state: 'CLOSED' } };
    if (query.includes('breakerEvents')) return { breakerEvents: { edges: [{ node: { id: '1' } }] } };
    return {
      breaker: {
        state: 'CLOSED',
        stateChangedAt: new Date().toISOString(),
        openUntil: null,
        currentOpenTimeoutMs: 30_000,
        config: resolveConfig({}),
      },
    };
  };
  const http: Server = createServer(async (request: IncomingMessage, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const { query } = JSON.parse(body) as { query: string };
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ data: answer(query) }));
  });
  const ws = new WebSocketServer({ server: http, handleProtocols: () => 'graphql-transport-ws' });
  ws.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; id?: string };
      if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type !== 'subscribe') return;
      subscribes.push(message.id!);
      if (subscribes.length === 1) {
        socket.send(JSON.stringify({ type: 'error', id: message.id, payload: [{ message: 'rate limit exceeded' }] }));
        return;
      }
      accepted = (eventId, to) =>
        socket.send(
          JSON.stringify({
            type: 'next',
            id: message.id,
            payload: { data: { breakerStateChanged: { eventId: String(eventId), to, at: new Date().toISOString() } } },
          }),
        );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    subscribes,
    send: (eventId: number, to: string) => accepted?.(eventId, to),
    isAccepted: () => accepted !== null,
    close: () => new Promise<void>((resolve) => {
      ws.close();
      http.close(() => resolve());
      http.closeAllConnections();
    }),
  };
}

describe('Platform subscriptions', () => {
  it('makes a subscription the server ended with an error again, and mirrors what it then hears', async () => {
    const server = await fakePlatform();
    const platform = await connect({ url: server.url, apiKey: 'k' });
    const errors: unknown[] = [];
    platform.on('subscriptionError', (error) => errors.push(error));
    try {
      const breaker = await platform.breaker('b');
      const deadline = Date.now() + 5000;
      while (!server.isAccepted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.subscribes).toHaveLength(2);
      server.send(2, 'FORCED_OPEN');
      while (breaker.state !== 'FORCED_OPEN' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(breaker.state).toBe('FORCED_OPEN');
      expect(errors).toHaveLength(1);
    } finally {
      await platform.close(0);
      await server.close();
    }
  }, 15_000);
});
