import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A separate process holding many graphql-ws subscribers, as a fleet of dashboards would.
 * argv: <http url> <api key> <subscribers>. It tells its parent (IPC) when all are subscribed,
 * then how many transitions arrived and how late (delivery time minus the event's `at`); `reset`
 * forgets what arrived so far (the parent's warm-up).
 */
const [url, key, countText] = process.argv.slice(2);
const count = Number(countText);
const latencies: number[] = [];
const clients: Client[] = [];

async function main(): Promise<void> {
  for (let i = 0; i < count; i++) {
    const client = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.on('connected', () => resolve());
      client.on('closed', (e) => reject(new Error(`closed: ${(e as { code?: number }).code}`)));
    });
    client.subscribe<{ breakerStateChanged: { at: string } }>(
      { query: 'subscription { breakerStateChanged(breakerName: "fanout") { to at eventId } }' },
      {
        next: (result) => {
          const at = result.data?.breakerStateChanged.at;
          if (at) latencies.push(Date.now() - Date.parse(at));
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the server register every subscription
  process.send!({ type: 'ready' });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'report') process.send!({ type: 'report', latencies });
    if (message.type === 'reset') {
      latencies.length = 0; // the warm-up is over: count from here
      process.send!({ type: 'reset' });
    }
  });
  process.on('disconnect', () => {
    for (const client of clients) void client.dispose();
    process.exit(0);
  });
}

main().catch((error: Error) => {
  process.send!({ type: 'error', message: error.message });
  process.exit(1);
});
