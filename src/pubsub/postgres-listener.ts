import { Logger } from '@nestjs/common';
import { Client } from 'pg';

export interface ListenerOptions {
  readonly url: string;
  readonly channels: readonly string[];
  readonly onNotification: (channel: string, payload: string) => void;
  /** When the connection is lost: until `onResumed`, nothing is heard. */
  readonly onLost: () => void;
  /** After a reconnect, with the time the connection was lost. */
  readonly onResumed: (lostAt: number) => void;
  readonly clock: () => number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How often the idle connection is checked, so a silently dead one is noticed. */
  readonly pingIntervalMs?: number;
}

export const LISTENER_APPLICATION_NAME = 'breakers-listener';

/**
 * One dedicated Postgres connection that LISTENs. When it drops (a restart, a network cut,
 * pg_terminate_backend), it reconnects with exponential backoff and LISTENs again.
 */
export class PostgresListener {
  private readonly logger = new Logger(PostgresListener.name);
  private client: Client | null = null;
  private pid: number | null = null;
  private stopped = false;
  private attempt = 0;
  private lostAt: number | null = null;
  /** When the connection last proved alive (connected, a notification, a ping answered). */
  private lastHeardAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ListenerOptions) {}

  /** Connects and LISTENs; resolves once listening. */
  async start(): Promise<void> {
    await this.connect();
    const every = this.options.pingIntervalMs ?? 5000;
    this.pingTimer = setInterval(() => void this.ping(), every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  get listening(): boolean {
    return this.client !== null;
  }

  /** The listening connection's backend pid; null while not connected. */
  get backendPid(): number | null {
    return this.client === null ? null : this.pid;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      query_timeout: 5000,
    });
    client.on('notification', (message) => {
      this.lastHeardAt = this.options.clock();
      this.options.onNotification(message.channel, message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.pid = rows[0].pid;
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.lastHeardAt = this.options.clock();
  }

  private lost(client: Client, error?: Error): void {
    if (client !== this.client || this.stopped) return;
    this.client = null;
    // A silent connection is noticed only at the next ping; anything after it was last heard from may be missed.
    this.lostAt = this.lastHeardAt;
    this.logger.warn(`listener connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
    void client.end().catch(() => undefined);
    this.options.onLost();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 5000;
    const delay = Math.min(max, min * 2 ** this.attempt);
    this.retryTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connect();
    } catch (error) {
      this.attempt++;
      this.logger.warn(`listener reconnect failed (attempt ${this.attempt}): ${(error as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return void this.stop();
    this.attempt = 0;
    this.logger.log('listener reconnected');
    const lostAt = this.lostAt ?? this.options.clock();
    this.lostAt = null;
    this.options.onResumed(lostAt);
  }

  private async ping(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.query('SELECT 1');
      if (client === this.client) this.lastHeardAt = this.options.clock();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }
}
