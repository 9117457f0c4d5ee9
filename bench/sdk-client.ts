import { loadSdk, SdkBreaker, SdkPlatform } from './lib/sdk';

/**
 * One client process of the `sdk` scenario: a service using the built SDK, driven by its parent
 * over IPC. argv: <graphql url> <api key>. It tells the parent `{ type: 'ready' }` once
 * connected; then it answers each command `{ id, cmd, ... }` with `{ id, ok: true, ... }` or
 * `{ id, error }`, and reports every state change of an attached breaker, unasked, as
 * `{ type: 'state', name, to, at, refused }`: `at` is this machine's clock (Date.now()) when the
 * change reached this process, and `refused` says whether a call made then was refused.
 */
const [url, apiKey] = process.argv.slice(2);
const sdk = loadSdk();
const breakers = new Map<string, SdkBreaker>();
let platform: SdkPlatform;

const noop = (): Promise<void> => Promise.resolve();
const failing = (): Promise<void> => Promise.reject(new Error('bench: dependency down'));

type Command =
  | { id: number; cmd: 'attach'; name: string; config?: Record<string, unknown> }
  | { id: number; cmd: 'fail'; name: string; count: number }
  | { id: number; cmd: 'load'; name: string; rate: number; seconds: number }
  | { id: number; cmd: 'close' };

async function attach(name: string, config?: Record<string, unknown>): Promise<object> {
  const breaker = await platform.breaker(name, config ? { config } : {});
  breakers.set(name, breaker);
  breaker.on('stateChange', ({ to }) => {
    const at = Date.now();
    // The change is applied when it is emitted: a call made now is decided by it.
    breaker.execute(noop).then(
      () => process.send!({ type: 'state', name, to, at, refused: false }),
      (error: unknown) =>
        process.send!({ type: 'state', name, to, at, refused: error instanceof sdk.BreakerOpenError }),
    );
  });
  return { state: breaker.state };
}

/** `count` failing calls one after another; answers when the last one settled (Date.now()). */
async function fail(name: string, count: number): Promise<object> {
  const breaker = breakers.get(name)!;
  let refused = 0;
  for (let i = 0; i < count; i++) {
    await breaker.execute(failing).catch((error: unknown) => {
      if (error instanceof sdk.BreakerOpenError) refused++;
    });
  }
  return { settledAt: Date.now(), refused };
}

/**
 * Calls on an async no-op at `rate` per second for `seconds`, paced: each tick (about 1 ms)
 * starts the calls that are due by then. Answers the calls the SDK let through (its own count of
 * what it must report), those it refused, and the rate it kept.
 */
async function load(name: string, rate: number, seconds: number): Promise<object> {
  const breaker = breakers.get(name)!;
  let admitted = 0;
  let refused = 0;
  let started = 0;
  const pending = new Set<Promise<void>>();
  const begin = performance.now();
  const end = begin + seconds * 1000;
  for (let now = begin; now < end; now = performance.now()) {
    const due = Math.floor(((now - begin) / 1000) * rate);
    for (; started < due; started++) {
      const call: Promise<void> = breaker.execute(noop).then(
        () => void admitted++,
        (error: unknown) => {
          if (error instanceof sdk.BreakerOpenError) refused++;
          else admitted++; // ran and failed: reported all the same
        },
      );
      pending.add(call);
      void call.finally(() => pending.delete(call));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - begin) / 1000;
  return { admitted, refused, started, kept_per_s: started / elapsedS };
}

async function handle(command: Command): Promise<object> {
  switch (command.cmd) {
    case 'attach':
      return attach(command.name, command.config);
    case 'fail':
      return fail(command.name, command.count);
    case 'load':
      return load(command.name, command.rate, command.seconds);
    case 'close': {
      const unsent = await platform.close();
      return { unsent, stats: platform.stats() };
    }
  }
}

async function main(): Promise<void> {
  platform = await sdk.connect({ url, apiKey, flushIntervalMs: 100 });
  process.on('message', (command: Command) => {
    handle(command).then(
      (answer) => process.send!({ id: command.id, ok: true, ...answer }),
      (error: Error) => process.send!({ id: command.id, error: error.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready' });
}

main().catch((error: Error) => {
  process.send!({ type: 'error', message: error.message });
  process.exit(1);
});
