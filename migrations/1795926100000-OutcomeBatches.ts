import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The batch ids of recordOutcomes that committed, per API key, with what they answered: a client
 * that retries after an ambiguous failure (a timeout, a connection dropped after COMMIT) gets the
 * first answer back instead of its outcomes counted twice. Kept at least 24 hours.
 */
export class OutcomeBatches1795926100000 implements MigrationInterface {
  name = 'OutcomeBatches1795926100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outcome_batches (
        key_id       integer NOT NULL,
        batch_id     text NOT NULL CHECK (char_length(batch_id) BETWEEN 1 AND 100),
        committed_at timestamptz NOT NULL DEFAULT now(),
        answer       jsonb,
        PRIMARY KEY (key_id, batch_id)
      )`);
    await q.query(`CREATE INDEX outcome_batches_committed_at ON outcome_batches (committed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outcome_batches`);
  }
}
