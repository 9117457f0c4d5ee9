import { join } from 'node:path';

/**
 * The part of the client SDK (`@breaker-platform/client`) the bench uses. The bench loads the
 * package as built, through its `main`, as a service would: not its sources, which are compiled
 * by the client's own tsconfig. This interface names the surface used, so that the bench's
 * build does not compile the client a second time into dist/.
 */
export interface SdkBreaker {
  readonly state: string;
  execute<T>(fn: () => T | Promise<T>): Promise<T>;
  on(event: 'stateChange', listener: (change: { from: string; to: string }) => void): this;
}

export interface SdkStats {
  readonly connected: boolean;
  readonly buffered: number;
  readonly dropped: number;
  readonly rejected: number;
  readonly delivered: number;
  readonly flushes: number;
}

export interface SdkPlatform {
  breaker(name: string, options?: { config?: Record<string, unknown> }): Promise<SdkBreaker>;
  stats(): SdkStats;
  close(timeoutMs?: number): Promise<number>;
}

export interface Sdk {
  connect(options: { url: string; apiKey: string; flushIntervalMs?: number }): Promise<SdkPlatform>;
  readonly BreakerOpenError: new (...args: never[]) => Error;
}

/** The built client package (client/, its `main`), from anywhere under dist/bench. */
export function loadSdk(): Sdk {
  // dist/bench/lib → the repository root.
  return require(join(__dirname, '..', '..', '..', 'client')) as Sdk;
}
