import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** A state change as a client process saw it (see bench/sdk-client.ts). */
export interface SeenState {
  readonly name: string;
  readonly to: string;
  /** Date.now() in the client process when the change reached it. */
  readonly at: number;
  /** A call made at that moment was refused. */
  readonly refused: boolean;
}

interface Waiter {
  readonly name: string;
  readonly to: string;
  readonly resolve: (seen: SeenState) => void;
}

/** One client process (bench/sdk-client.js), connected to the platform with the SDK, driven over IPC. */
export class SdkClientProcess {
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (m: any) => void; reject: (e: Error) => void }>();
  private waiters: Waiter[] = [];
  private failure: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: any) => this.onMessage(m));
    child.once('exit', (code) => this.fail(new Error(`the SDK client process exited (${code})`)));
  }

  /** Forks a client process and resolves once its SDK is connected. */
  static async start(url: string, apiKey: string): Promise<SdkClientProcess> {
    const child = fork(join(__dirname, '..', 'sdk-client.js'), [`${url}/graphql`, apiKey], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type?: string; message?: string }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'error') reject(new Error(`SDK client: ${m.message}`));
        if (m.type === 'ready' || m.type === 'error') child.off('message', onMessage);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the SDK client process exited (${code}) before it was ready`)));
    });
    return new SdkClientProcess(child);
  }

  /** Sends a command (see bench/sdk-client.ts) and answers its reply. */
  call<T = any>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  /**
   * The next change of breaker `name` to `to` that reaches this process: call it before the
   * action that causes the change. Rejects after `timeoutMs`.
   */
  nextState(name: string, to: string, timeoutMs = 10_000): Promise<SeenState> {
    return new Promise<SeenState>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`breaker "${name}" did not reach ${to} in a client process within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        name,
        to,
        resolve: (seen) => {
          clearTimeout(timer);
          resolve(seen);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Disconnects; the process exits by itself (after `close`, its SDK has flushed). */
  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }

  private onMessage(m: any): void {
    if (m.type === 'state') {
      const seen = m as SeenState;
      const waiter = this.waiters.find((w) => w.name === seen.name && w.to === seen.to);
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(seen);
      }
      return;
    }
    const call = this.calls.get(m.id);
    if (!call) return;
    this.calls.delete(m.id);
    if (m.error) call.reject(new Error(`SDK client: ${m.error}`));
    else call.resolve(m);
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
  }
}
