import { EntityManager } from 'typeorm';

/**
 * Runs SQL and answers its rows, whatever the statement. (`EntityManager.query` answers
 * `[rows, count]` for UPDATE … RETURNING on Postgres, which is easy to misread.)
 * Inside a transaction it uses the transaction's connection.
 */
export async function queryRows<T>(manager: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, [...params], true);
    return result.records as T[];
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}
