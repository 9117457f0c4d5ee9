import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';
import { gqlOk } from './support/test-app';

/** Every path under `dir` (itself included) whose mode lets group or others write. */
async function groupOrWorldWritable(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (!info.isSymbolicLink() && (info.mode & 0o022) !== 0) found.push(`${(info.mode & 0o777).toString(8)} ${path}`);
    if (info.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  await walk(dir);
  return found;
}

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777;
}

/** Starts the app on the embedded database under `dataDir`, with no ADMIN_API_KEY, whatever DATABASE_URL says. */
function startEmbedded(dataDir: string) {
  return startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir }), {
    logger: false,
  });
}

/** DATA_DIR holds the embedded database and the generated admin key: nobody but its owner may touch it. */
describe('DATA_DIR permissions (e2e)', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-dir-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is made 0700, with no file under it writable by group or others, and the key file 0600', async () => {
    const dataDir = join(root, 'data');
    await mkdir(dataDir);
    await chmod(dataDir, 0o777);
    const app = await startEmbedded(dataDir);
    try {
      expect((await modeOf(dataDir)).toString(8)).toBe('700');
      expect(await groupOrWorldWritable(dataDir)).toEqual([]);
      expect((await modeOf(join(dataDir, 'admin-key'))).toString(8)).toBe('600');
    } finally {
      await app.close();
    }
  });

  it('replaces a stale admin-key file with a fresh one of mode 0600, and tightens it on a later start', async () => {
    const dataDir = join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    const file = join(dataDir, 'admin-key');
    await writeFile(file, 'a key of an earlier database\n', { mode: 0o644 });
    await chmod(file, 0o644);
    const first = await startEmbedded(dataDir);
    const key = (await readFile(file, 'utf8')).trim();
    try {
      expect((await modeOf(file)).toString(8)).toBe('600');
      expect(key).toMatch(/^brk_/);
      expect((await gqlOk(first, `{ apiKeys { name } }`, undefined, key)).apiKeys).toEqual([
        { name: 'bootstrap-admin' },
      ]);
    } finally {
      await first.close();
    }
    await chmod(file, 0o666);
    const again = await startEmbedded(dataDir);
    await again.close();
    expect((await modeOf(file)).toString(8)).toBe('600');
    expect((await readFile(file, 'utf8')).trim()).toBe(key);
  });

  it('does not follow a symlink planted at admin-key: it refuses to start and leaves the target alone', async () => {
    const dataDir = join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    const target = join(root, 'victim');
    await writeFile(target, 'untouched\n', { mode: 0o644 });
    await symlink(target, join(dataDir, 'admin-key'));
    const outcome = await startEmbedded(dataDir).then(
      async (app) => {
        await app.close();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/admin-key.*symbolic link/);
    expect(await readFile(target, 'utf8')).toBe('untouched\n');
    expect((await modeOf(target)).toString(8)).toBe('644');
  });
});
