import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A database of its own for one test file: a fresh Postgres database when DATABASE_URL is set
 * (created from it, dropped afterwards), otherwise a fresh directory for the embedded PGlite.
 */
export interface TestDatabase {
  readonly kind: 'postgres' | 'embedded';
  /** The environment to give loadConfig. */
  readonly env: Record<string, string>;
  /** For Postgres: the URL of this test's database. */
  readonly url: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    await withClient(base, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = withDatabase(base, name);
    return {
      kind: 'postgres',
      env: { DATABASE_URL: url },
      url,
      drop: () =>
        withClient(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'breakers-test-'));
  return {
    kind: 'embedded',
    env: { DATA_DIR: dir },
    url: null,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * How many sessions of `client`'s database are waiting for a lock right now. The statistics are
 * cleared first: inside a transaction (say, one holding the very lock others wait for) Postgres
 * would otherwise answer every poll from the snapshot it took at the first one.
 */
export async function lockWaiters(client: Client): Promise<number> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows[0].n;
}
