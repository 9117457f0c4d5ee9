/*
 * Runs the ingest scenario of two builds against their own servers, alternating, on fresh databases
 * of the Postgres at DATABASE_URL, and prints each run's outcomes-per-second figures: how a change
 * to the write path compares with an earlier build in one session, on a shared, noisy machine.
 *
 *   node dist/bench/compare-ingest.js <other checkout> [rounds]
 *
 * The other checkout must be built (`npx tsc -p tsconfig.build.json`) and have node_modules; its
 * scenario is `ingestScenario(url, raw, floor, seconds)` as here. Raw and floor baselines are not
 * run: only the outcomes-per-second figures are printed.
 */
import { Client } from 'pg';
import { join, resolve } from 'node:path';

interface Build {
  readonly name: string;
  readonly dir: string;
}

async function onFreshDatabase<T>(base: string, work: (url: string, name: string) => Promise<T>): Promise<T> {
  const name = `compare_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return await work(url.toString(), name);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function runOnce(build: Build, base: string): Promise<Record<string, number>> {
  const { startServer } = require(join(build.dir, 'dist/bench/lib/server.js'));
  const { ingestScenario } = require(join(build.dir, 'dist/bench/scenarios/ingest.bench.js'));
  return onFreshDatabase(base, async (url, name) => {
    const server = await startServer({ DATABASE_URL: url, DATA_DIR: `/tmp/${name}` });
    try {
      const result = await ingestScenario(server.url, { rowsPerS: 1, wideRowsPerS: 1 }, 1, 15);
      return Object.fromEntries(
        Object.entries(result as Record<string, number>).filter(
          ([k]) => k.endsWith('outcomes_per_s') && !k.includes('floor'),
        ),
      );
    } finally {
      await server.stop();
    }
  });
}

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL;
  const [other, roundsArg] = process.argv.slice(2);
  if (!base || !other)
    throw new Error('usage: DATABASE_URL=… node dist/bench/compare-ingest.js <other checkout> [rounds]');
  const builds: Build[] = [
    { name: 'other', dir: resolve(other) },
    { name: 'this', dir: resolve(__dirname, '..', '..') },
  ];
  const rounds = Number(roundsArg ?? 3);
  for (let r = 0; r < rounds; r++) {
    for (const build of builds)
      console.log(JSON.stringify({ round: r + 1, build: build.name, ...(await runOnce(build, base)) }));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
