import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { Tx } from '../database/transaction';
import { Handlers } from './handlers';
import { LISTENER_APPLICATION_NAME, PostgresListener } from './postgres-listener';
import { PubSub, Unsubscribe } from './pubsub';
import { PubSubChannel } from './pubsub-channel';

/** Postgres refuses NOTIFY payloads of 8000 bytes or more; stay well under. */
export const MAX_NOTIFY_BYTES = 7000;

/**
 * Fan-out across instances through Postgres LISTEN/NOTIFY. A NOTIFY sent in a transaction
 * is delivered when it commits, in commit order, and dropped if it rolls back: exactly the
 * publishing rule. Every instance, the publisher included, hears messages through its listener.
 */
export class PostgresPubSub implements PubSub, OnApplicationShutdown {
  readonly maxMessageBytes = MAX_NOTIFY_BYTES - 2;
  private readonly logger = new Logger(PostgresPubSub.name);
  private readonly channels = new Map<string, Handlers<unknown>>();
  private readonly resumed = new Handlers<number>();
  private readonly lost = new Handlers<void>();
  private readonly listener: PostgresListener;

  constructor(
    private readonly dataSource: DataSource,
    url: string,
    clock: () => number,
  ) {
    this.listener = new PostgresListener({
      url,
      channels: Object.values(PubSubChannel),
      clock,
      onNotification: (channel, payload) => this.receive(channel, payload),
      onLost: () => this.lost.call(undefined, (error) => this.logger.error(error)),
      onResumed: (lostAt) => this.resumed.call(lostAt, (error) => this.logger.error(error)),
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  /** The listener connection's backend pid, which names it in pg_stat_activity. */
  get listenerId(): number | null {
    return this.listener.backendPid;
  }

  /** Application names are shown to every role, so this needs no monitoring privilege. */
  async listeners(tx?: Tx): Promise<number[]> {
    const rows = await queryRows<{ pid: number }>(
      tx?.manager ?? this.dataSource.manager,
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 ORDER BY pid',
      [LISTENER_APPLICATION_NAME],
    );
    return rows.map((row) => row.pid);
  }

  /** Packs the messages into as few NOTIFYs as fit, sent in one statement. */
  async publish(channel: PubSubChannel, messages: readonly unknown[], tx?: Tx): Promise<void> {
    if (messages.length === 0) return;
    const payloads = pack(
      messages.map((m) => JSON.stringify(m)),
      MAX_NOTIFY_BYTES,
    );
    await queryRows(
      tx?.manager ?? this.dataSource.manager,
      'SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n',
      [channel, payloads],
    );
  }

  subscribe(channel: PubSubChannel, handler: (message: unknown) => void): Unsubscribe {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Handlers()));
    return handlers.add(handler);
  }

  onLost(handler: () => void): Unsubscribe {
    return this.lost.add(handler);
  }

  onResumed(handler: (lostAt: number) => void): Unsubscribe {
    return this.resumed.add(handler);
  }

  private receive(channel: string, payload: string): void {
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    let messages: unknown;
    try {
      messages = JSON.parse(payload);
    } catch {
      messages = null;
    }
    if (!Array.isArray(messages)) {
      this.logger.error(`dropped a malformed notification on ${channel}`);
      return;
    }
    for (const message of messages) handlers.call(message, (error) => this.logger.error(error));
  }
}

/** Groups JSON texts into JSON arrays of at most `limit` bytes each, keeping their order. */
export function pack(jsons: readonly string[], limit: number): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const json of jsons) {
    const bytes = Buffer.byteLength(json);
    if (bytes + 2 > limit) throw new Error(`a message of ${bytes} bytes exceeds the NOTIFY limit of ${limit}`);
    if (current.length > 0 && size + 1 + bytes > limit) {
      payloads.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    size += (current.length > 0 ? 1 : 0) + bytes;
    current.push(json);
  }
  if (current.length > 0) payloads.push(`[${current.join(',')}]`);
  return payloads;
}
