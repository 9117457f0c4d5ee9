import { DataSource, EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { isDatabaseUnavailable, sqlState } from '../common/errors/database-errors';

/** A running transaction: its manager, and a way to act only once it has committed. */
export interface Tx {
  readonly manager: EntityManager;
  /** Runs `callback` after a successful commit; never after a rollback. */
  afterCommit(callback: () => void): void;
}

/** Deadlocks and serialization failures: Postgres rolled the transaction back, and running it again may succeed. */
const RETRIED_SQLSTATES = new Set(['40P01', '40001']);

/** Tries of one transaction before its conflict reaches the caller. */
export const TRANSACTION_ATTEMPTS = 5;

/**
 * Runs `work` in one transaction, then the after-commit callbacks it registered, in order.
 * A deadlock or serialization failure is retried, up to TRANSACTION_ATTEMPTS in all, after a
 * jittered pause that grows with each try; so `work` must read everything it decides on inside
 * the transaction, as each try starts from scratch (callbacks of a failed try are dropped).
 */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const callbacks: (() => void)[] = [];
    let result: T;
    try {
      result = await runOnce(dataSource, (manager) => work({ manager, afterCommit: (cb) => callbacks.push(cb) }));
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !RETRIED_SQLSTATES.has(sqlState(error) ?? '')) throw error;
      await pause(retryDelayMs(attempt));
      continue;
    }
    for (const callback of callbacks) callback();
    return result;
  }
}

/**
 * One try, on a connection of its own. When the connection itself failed (no answer: a network
 * partition), it is destroyed rather than asked to ROLLBACK, which would wait out the client's
 * timeout a second time; Postgres rolls back the transaction of a connection that is gone.
 */
async function runOnce<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner() as PostgresQueryRunner;
  let broken: Error | undefined;
  try {
    await runner.startTransaction();
    const result = await work(runner.manager);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (isDatabaseUnavailable(error) && sqlState(error) === undefined) {
      broken = error instanceof Error ? error : new Error(String(error));
    } else if (runner.isTransactionActive) {
      await runner.rollbackTransaction().catch(() => undefined);
    }
    throw error;
  } finally {
    if (broken) await releaseBroken(runner, broken);
    else await runner.release();
  }
}

/**
 * Hands the connection back to the pool with the error, so that the pool destroys it instead of
 * reusing it. TypeORM does exactly this when the connection emits an error; its method for it is
 * private in the typings only.
 */
function releaseBroken(runner: PostgresQueryRunner, error: Error): Promise<void> {
  return (runner as unknown as { releasePostgresConnection(err: Error): Promise<void> }).releasePostgresConnection(
    error,
  );
}

/** Full jitter over a window that doubles per try (10, 20, 40, 80 ms): tries that collided once rarely collide again. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * 10 * 2 ** (attempt - 1)) + 1;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
