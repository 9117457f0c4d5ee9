import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The database a run uses: a fresh one made from DATABASE_URL, or a fresh embedded data directory. */
export interface BenchDatabase {
  readonly kind: 'postgres' | 'embedded';
  /** Environment for the server and for loadConfig. */
  readonly env: Record<string, string>;
  readonly description: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(baseUrl: string | undefined): Promise<BenchDatabase> {
  if (baseUrl) {
    const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    await admin(baseUrl, `CREATE DATABASE ${name}`);
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    return {
      kind: 'postgres',
      env: { DATABASE_URL: url.toString() },
      description: `Postgres (${url.host}, fresh database ${name})`,
      drop: () => admin(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'breakers-bench-'));
  return {
    kind: 'embedded',
    env: { DATA_DIR: dir },
    description: 'embedded PGlite (fresh data directory)',
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
