/** A set of handlers that are called in turn, each shielded from the others' errors. */
export class Handlers<T> {
  private readonly handlers = new Set<(value: T) => void>();

  add(handler: (value: T) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  get size(): number {
    return this.handlers.size;
  }

  call(value: T, onError: (error: unknown) => void): void {
    for (const handler of this.handlers) {
      try {
        handler(value);
      } catch (error) {
        onError(error);
      }
    }
  }
}
