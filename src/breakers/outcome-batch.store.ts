import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { StoredBreaker } from './stored-breaker';

/** A client's batch id, scoped to its API key so that no client can claim another's ids. */
export interface BatchKey {
  readonly keyId: number;
  readonly batchId: string;
}

/** What a committed batch answered, kept to answer its replays the same. */
export interface BatchAnswer {
  readonly accepted: number;
  /** The breakers as that batch committed them, and when. */
  readonly breakers: StoredBreaker[];
  readonly now: number;
}

/** Batch ids are kept at least this long; the scheduled prune removes older ones. */
export const BATCH_ID_RETENTION_MS = 24 * 3_600_000;

/**
 * SQL for `outcome_batches`. A batch is claimed before its breakers are locked, in one statement
 * for the whole group and in key order, so that two transactions claiming the same ids queue on
 * the first instead of deadlocking. A claim waits for an uncommitted claim of the same id: what
 * it then finds is either that batch's answer (it committed) or nothing (it rolled back).
 */
@Injectable()
export class OutcomeBatchStore {
  /** Claims each key; answers the answers of those that had already committed, by key string. */
  async claim(manager: EntityManager, keys: readonly BatchKey[]): Promise<Map<string, BatchAnswer>> {
    const replays = new Map<string, BatchAnswer>();
    if (keys.length === 0) return replays;
    const sorted = [...keys].sort((a, b) => a.keyId - b.keyId || (a.batchId < b.batchId ? -1 : 1));
    const params = [sorted.map((k) => k.keyId), sorted.map((k) => k.batchId)];
    const claimed = await queryRows<{ key_id: number; batch_id: string }>(
      manager,
      `INSERT INTO outcome_batches (key_id, batch_id)
       SELECT key_id, batch_id FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS v(key_id, batch_id, ord)
       ORDER BY ord
       ON CONFLICT DO NOTHING
       RETURNING key_id, batch_id`,
      params,
    );
    if (claimed.length === keys.length) return replays;
    const rows = await queryRows<{ key_id: number; batch_id: string; answer: BatchAnswer }>(
      manager,
      `SELECT o.key_id, o.batch_id, o.answer FROM outcome_batches o
       JOIN unnest($1::int[], $2::text[]) AS v(key_id, batch_id) USING (key_id, batch_id)
       WHERE o.answer IS NOT NULL`,
      params,
    );
    for (const row of rows) replays.set(batchKeyString({ keyId: row.key_id, batchId: row.batch_id }), row.answer);
    // A claim commits only with its answer (or is deleted with its refusal), so this cannot happen;
    // if it did, applying the batch again would count it twice.
    if (claimed.length + replays.size !== keys.length) throw new Error('a batch id is claimed without an answer');
    return replays;
  }

  /** Stores what the claimed batches answered, in the transaction that applied them. */
  async saveAnswers(
    manager: EntityManager,
    answered: readonly { key: BatchKey; answer: BatchAnswer }[],
  ): Promise<void> {
    if (answered.length === 0) return;
    await queryRows(
      manager,
      `UPDATE outcome_batches o SET answer = v.answer::jsonb
       FROM unnest($1::int[], $2::text[], $3::text[]) AS v(key_id, batch_id, answer)
       WHERE o.key_id = v.key_id AND o.batch_id = v.batch_id`,
      [
        answered.map((a) => a.key.keyId),
        answered.map((a) => a.key.batchId),
        answered.map((a) => JSON.stringify(a.answer)),
      ],
    );
  }

  /** Gives back the claims of batches that were refused: nothing of theirs committed, so a retry applies. */
  async release(manager: EntityManager, keys: readonly BatchKey[]): Promise<void> {
    if (keys.length === 0) return;
    await queryRows(
      manager,
      `DELETE FROM outcome_batches o USING unnest($1::int[], $2::text[]) AS v(key_id, batch_id)
       WHERE o.key_id = v.key_id AND o.batch_id = v.batch_id`,
      [keys.map((k) => k.keyId), keys.map((k) => k.batchId)],
    );
  }
}

/** One string per key, for maps. */
export function batchKeyString(key: BatchKey): string {
  return `${key.keyId}:${key.batchId}`;
}
