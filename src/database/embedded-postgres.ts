import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Postgres's own 128 MB default lives inside this process with PGlite, as WebAssembly memory.
 * 32 MB keeps the server near 280 MB idle instead of 400 MB; PGlite reads its files through the
 * operating system's cache, and a full bench run (a million events) was no slower with it.
 */
const EMBEDDED_SHARED_BUFFERS = '32MB';

/** An embedded PGlite database served over the Postgres wire protocol on a loopback port. */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly directory: string;
  /** Resolves once no connection is open: PGlite serves one at a time, and refuses the next until the last has gone. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const IDLE_POLL_MS = 5;
const IDLE_WAIT_MS = 5000;

/**
 * Opens (or creates) the PGlite database under `dataDir` and serves it on 127.0.0.1 at a free port,
 * so that the app reaches it through `pg` exactly as it reaches a real Postgres.
 * PGlite serves one connection at a time: its clients must use a pool of one.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const directory = join(dataDir, 'pglite');
  await ownerOnlyDirectory(dataDir);
  await ownerOnlyDirectory(directory);
  const db = await PGlite.create(directory, {
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  });
  await removeGroupAndOtherAccess(directory);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    directory,
    async idle() {
      const deadline = Date.now() + IDLE_WAIT_MS;
      while (server.getStats().activeConnections > 0) {
        if (Date.now() > deadline)
          throw new Error(`the embedded database kept a connection open for ${IDLE_WAIT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
      }
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** Creates the directory 0700, or narrows an existing one to 0700: it holds the database and the admin key. */
async function ownerOnlyDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

/**
 * PGlite runs initdb in memory and copies the files out with the modes initdb gave them, 0666,
 * through an explicit chmod that no umask narrows; files Postgres creates later are 0600. So the
 * tree is narrowed once it exists (linear in its files, every start, which also mends data
 * directories made before this), without touching the process's umask. Links are skipped.
 */
async function removeGroupAndOtherAccess(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if ((info.mode & 0o077) !== 0) await chmod(path, info.mode & 0o700);
  if (!info.isDirectory()) return;
  for (const name of await readdir(path)) await removeGroupAndOtherAccess(join(path, name));
}
