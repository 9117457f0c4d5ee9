import { AddressInfo, connect, createServer, Socket } from 'node:net';

/**
 * How a cut looks to the proxied client:
 * - `refuse`: the database is down. Open connections are reset and the port stops listening (ECONNREFUSED).
 * - `reset`: open connections are reset; new ones are accepted and reset at once.
 * - `blackhole`: a network partition. Nothing is forwarded any more, in either direction, and new
 *   connections are accepted but never answered; on restore the stalled connections are reset.
 */
export type CutMode = 'refuse' | 'reset' | 'blackhole';

/** A loopback TCP proxy in the test process, to simulate a database outage without touching the database. */
export interface TcpProxy {
  /** The loopback port it listens on; the same before and after a cut. */
  readonly port: number;
  /** Connections accepted since it started, refused or reset ones included. */
  readonly accepted: number;
  /** Client connections open right now. */
  readonly open: number;
  /** `url` (a postgres:// or any other URL) with its host and port pointed at the proxy. */
  url(url: string): string;
  cut(mode?: CutMode): Promise<void>;
  /** Accepts and forwards again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
}

export interface TcpProxyOptions {
  /**
   * Holds back every byte from the target this long before the client gets it, in order: a
   * client far from the database, or a backend slow to send. 0 (the default) forwards at once.
   */
  readonly downstreamDelayMs?: number;
}

/** Starts forwarding 127.0.0.1:<free port> to targetHost:targetPort. */
export async function startTcpProxy(
  targetHost: string,
  targetPort: number,
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const downstreamDelayMs = options.downstreamDelayMs ?? 0;
  let mode: 'forward' | CutMode = 'forward';
  let accepted = 0;
  let closed = false;
  const pairs = new Set<Pair>();

  const reset = (socket: Socket | null) => {
    if (socket && !socket.destroyed) socket.resetAndDestroy();
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    accepted++;
    client.on('error', () => undefined);
    if (mode === 'reset' || mode === 'refuse' || closed) {
      reset(client);
      return;
    }
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.once('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    // Held, never answered: stays paused until restore() resets it.
    if (mode === 'blackhole') return;
    forward(pair);
  });

  const forward = (pair: Pair) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.once('close', () => pair.client.destroy());
    pair.client.pipe(upstream);
    if (downstreamDelayMs > 0) {
      // Each chunk after the same delay keeps the order, since timers of one delay fire in turn.
      upstream.on('data', (chunk: Buffer) =>
        setTimeout(() => {
          if (!pair.client.destroyed) pair.client.write(chunk);
        }, downstreamDelayMs),
      );
    } else {
      upstream.pipe(pair.client);
    }
    pair.client.resume();
  };

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(0);

  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    url(url: string) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async cut(how: CutMode = 'refuse') {
      mode = how;
      if (how === 'blackhole') {
        for (const { client, upstream } of pairs) {
          client.unpipe();
          upstream?.unpipe();
          client.pause();
          upstream?.pause();
        }
        return;
      }
      const closing = how === 'refuse' ? stopListening() : Promise.resolve();
      for (const { client, upstream } of [...pairs]) {
        reset(upstream);
        reset(client);
      }
      await closing;
    },
    async restore() {
      const stalled = mode === 'blackhole' ? [...pairs] : [];
      mode = 'forward';
      // A partition's stalled connections do not come back: their state is gone on the far side.
      for (const { client, upstream } of stalled) {
        reset(upstream);
        reset(client);
      }
      if (!server.listening) {
        // The port was ours a moment ago; retry briefly in case the kernel holds it.
        for (let attempt = 0; ; attempt++) {
          try {
            await listen(port);
            break;
          } catch (error) {
            if (attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
    },
    async close() {
      closed = true;
      const closing = stopListening();
      for (const { client, upstream } of [...pairs]) {
        upstream?.destroy();
        client.destroy();
      }
      await closing;
    },
  };
}
