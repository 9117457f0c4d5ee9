import { constants } from 'node:os';

/** What `closeOnSignals` needs of a Platform: its close(). */
export interface Closable {
  close(timeoutMs?: number): Promise<number>;
}

export interface CloseOnSignalsOptions {
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
  /** How long close() may flush. Default 10,000 (keep it under the orchestrator's grace period). */
  readonly timeoutMs?: number;
  /** Exit once closed, with 128 + the signal's number, as the default handler would. Default true. */
  readonly exit?: boolean;
  /** Called once closed, with the outcomes left unsent (0 when all went), before any exit. */
  readonly onClosed?: (unsent: number, signal: NodeJS.Signals) => void | Promise<void>;
}

/**
 * On SIGTERM (or the given signals), flushes what is buffered and closes the platform, then exits:
 * a rolling deploy loses no outcome. A second signal while closing exits at once. Answers a
 * function that removes the handlers.
 */
export function closeOnSignals(platform: Closable, options: CloseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? true;
  let closing = false;
  const code = (signal: NodeJS.Signals) => 128 + (constants.signals[signal] ?? 15);
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) {
      if (exit) process.exit(code(signal));
      return;
    }
    closing = true;
    void (async () => {
      try {
        const unsent = await platform.close(options.timeoutMs ?? 10_000);
        await options.onClosed?.(unsent, signal);
      } finally {
        if (exit) process.exit(code(signal));
      }
    })();
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
