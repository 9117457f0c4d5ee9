import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys, stored as SHA-256 hashes only. */
export class ApiKeys1795923000000 implements MigrationInterface {
  name = 'ApiKeys1795923000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id           serial PRIMARY KEY,
        name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        role         text NOT NULL CHECK (role IN ('VIEWER', 'REPORTER', 'ADMIN')),
        key_hash     text NOT NULL UNIQUE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
