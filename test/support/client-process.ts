import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'client-process.js');
const CLIENT_BUILD = join(__dirname, '..', '..', 'client', 'dist', 'client', 'src', 'index.js');

/** An event a client process forwarded, with the time it arrived here. */
export interface ClientEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface Counts {
  readonly executed: number;
  readonly failed: number;
  readonly refused: number;
}

/** A service process on the client package's build (see client-process.js), driven over IPC. */
export class ClientProcess {
  readonly events: ClientEvent[] = [];
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  readonly exited: Promise<number | null>;

  private constructor() {
    if (!existsSync(CLIENT_BUILD)) throw new Error(`${CLIENT_BUILD} is missing: run npm run build first (npm test does)`);
    this.child = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.on('message', (message: { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string }) => {
      if (message.event) {
        this.events.push(message as ClientEvent);
        return;
      }
      const waiting = this.pending.get(message.id!);
      this.pending.delete(message.id!);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(`client process: ${message.error}`));
    });
    void this.exited.then(() => {
      for (const waiting of this.pending.values()) waiting.reject(new Error('client process exited'));
      this.pending.clear();
    });
  }

  static async start(options: {
    url: string;
    apiKey: string;
    breaker: string;
    config?: Record<string, unknown>;
    staleAfterMs?: number;
  }): Promise<ClientProcess> {
    const client = new ClientProcess();
    await client.send('connect', { ...options, url: `${options.url}/graphql` });
    return client;
  }

  send<T = any>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  run(calls: number, fail: boolean): Promise<Counts & { settledAt: number }> {
    return this.send('run', { calls, fail });
  }

  state(): Promise<{ state: string; local: boolean; stats: Record<string, unknown> }> {
    return this.send('state');
  }

  /** The first forwarded stateChange to `to` (optionally at or after `since`, epoch ms). */
  changeTo(to: string, since = 0): ClientEvent | undefined {
    return this.events.find((e) => e.event === 'stateChange' && e.to === to && (e.at as number) >= since);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
