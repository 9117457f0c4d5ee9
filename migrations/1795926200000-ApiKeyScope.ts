import { MigrationInterface, QueryRunner } from 'typeorm';

/** A key's scope: the breaker-name prefix it is limited to; null for every breaker. */
export class ApiKeyScope1795926200000 implements MigrationInterface {
  name = 'ApiKeyScope1795926200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE api_keys ADD COLUMN scope text CHECK (scope IS NULL OR char_length(scope) BETWEEN 1 AND 200)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN scope`);
  }
}
