import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

/** A table whose rows expire by one time column, with an index on it. */
export interface RetentionTarget {
  /** As the log and the pass's answer name it. */
  readonly name: string;
  readonly table: string;
  readonly column: string;
  /**
   * A unique column to delete by. Without one, rows are deleted by their physical address, which
   * is unique only within one table: a partitioned table needs its key.
   */
  readonly key?: string;
}

/**
 * Deletes expired rows in bounded batches, each its own short statement: no transaction holds
 * locks on millions of rows, and a pass can stop between batches. Table and column names come
 * from the fixed list in RetentionJob, never from input.
 */
@Injectable()
export class RetentionStore {
  /** Deletes at most `limit` rows of `target` older than `cutoff`; answers how many went. */
  async deleteBatch(manager: EntityManager, target: RetentionTarget, cutoff: Date, limit: number): Promise<number> {
    // The rows are found on the time column's index, and deleted by their key or physical address;
    // the time condition is repeated so that a partitioned table only looks at the partitions it names.
    const by = target.key ?? 'ctid';
    const [row] = await queryRows<{ n: number }>(
      manager,
      `WITH d AS (
         DELETE FROM ${target.table}
         WHERE ${target.column} < $1
           AND ${by} = ANY (ARRAY(SELECT ${by} FROM ${target.table} WHERE ${target.column} < $1 LIMIT $2))
         RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [cutoff, limit],
    );
    return row.n;
  }
}
