import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApp } from '../src/bootstrap';
import { printAppSchema } from '../src/common/print-schema';
import { loadConfig } from '../src/config/app-config';

/** Writes schema.graphql from the code-first schema of an app booted on a throwaway embedded database. */
async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'schema-'));
  try {
    const running = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { logger: false });
    try {
      const target = resolve(__dirname, '..', '..', 'schema.graphql');
      await writeFile(target, printAppSchema(running.app));
      console.log(`wrote ${target}`);
    } finally {
      await running.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
