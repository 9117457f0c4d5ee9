/**
 * A value computed at most once per `ttlMs`: callers within that time share the last result, and
 * callers that arrive while it is being computed share that computation. A failure is not kept,
 * so the next caller tries again.
 */
export class FreshFor<T> {
  private cached: { at: number; value: T } | null = null;
  private inFlight: Promise<T> | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly compute: () => Promise<T>,
    private readonly clock: () => number,
  ) {}

  get(): Promise<T> {
    if (this.cached && this.clock() - this.cached.at < this.ttlMs) return Promise.resolve(this.cached.value);
    return (this.inFlight ??= this.refresh());
  }

  private async refresh(): Promise<T> {
    try {
      const value = await this.compute();
      // Aged from when it was ready: a slow render is not thrown away by the next caller.
      this.cached = { at: this.clock(), value };
      return value;
    } finally {
      this.inFlight = null;
    }
  }
}
