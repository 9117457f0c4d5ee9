import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `breakers.version` is bumped by every committed write. As an integer it overflows after 2^31
 * writes, about 25 days at 1,000 commits a second on one hot breaker, and every later write to
 * that breaker would fail; as a bigint it outlasts any deployment.
 */
export class BreakerVersionBigint1795926000000 implements MigrationInterface {
  name = 'BreakerVersionBigint1795926000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE breakers ALTER COLUMN version TYPE bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE breakers ALTER COLUMN version TYPE integer`);
  }
}
