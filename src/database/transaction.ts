import { DataSource, EntityManager } from 'typeorm';

/** A running transaction: its manager, and a way to act only once it has committed. */
export interface Tx {
  readonly manager: EntityManager;
  /** Runs `callback` after a successful commit; never after a rollback. */
  afterCommit(callback: () => void): void;
}

/** Runs `work` in one transaction, then the after-commit callbacks it registered, in order. */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: Tx) => Promise<T>): Promise<T> {
  const callbacks: (() => void)[] = [];
  const result = await dataSource.transaction((manager) => work({ manager, afterCommit: (cb) => callbacks.push(cb) }));
  for (const callback of callbacks) callback();
  return result;
}
