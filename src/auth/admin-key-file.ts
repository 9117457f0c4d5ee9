import { constants } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

const FILE_NAME = 'admin-key';
const OWNER_ONLY = 0o600;

/** Where the generated admin key is written on the embedded database. */
export function adminKeyPath(dataDir: string): string {
  return join(dataDir, FILE_NAME);
}

/**
 * Writes a freshly generated admin key. The file is created exclusively and never through a
 * link (O_CREAT | O_EXCL | O_NOFOLLOW), so nothing planted at that path is followed or
 * overwritten; a regular file there is a key of an earlier database and is replaced.
 */
export async function writeAdminKeyFile(dataDir: string, key: string): Promise<string> {
  const file = adminKeyPath(dataDir);
  if ((await regularFileAt(file)) !== null) await unlink(file);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(file, flags, OWNER_ONLY);
  try {
    // The umask may only narrow the mode given at creation; this states it whatever the umask.
    await handle.chmod(OWNER_ONLY);
    await handle.writeFile(key + '\n');
  } finally {
    await handle.close();
  }
  return file;
}

/**
 * Narrows an existing admin-key file to its owner (an earlier version left it as the umask made
 * it). Refuses a symlink or anything but a regular file there: someone else planted it.
 */
export async function secureExistingAdminKeyFile(dataDir: string): Promise<void> {
  const file = adminKeyPath(dataDir);
  const info = await regularFileAt(file);
  if (info === null || (info.mode & 0o777) === OWNER_ONLY) return;
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await handle.chmod(OWNER_ONLY);
  } finally {
    await handle.close();
  }
}

/** The file's stats, null when nothing is there; throws when something other than a regular file is. */
async function regularFileAt(file: string): Promise<Stats | null> {
  let info: Stats;
  try {
    info = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (info.isSymbolicLink()) {
    throw new Error(`${file} is a symbolic link; it is not followed. Remove it, then start again.`);
  }
  if (!info.isFile()) throw new Error(`${file} is not a regular file. Remove it, then start again.`);
  return info;
}
