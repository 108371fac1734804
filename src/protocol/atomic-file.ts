// Writing key files so that a crash never leaves half a key and two processes starting at once never
// overwrite each other's: temp file with the exact mode, fsync, then an atomic move into place.
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes atomically without replacing an existing file; false when `path` already exists. */
export function createFileExclusive(path: string, text: string, mode: number): Promise<boolean> {
  return writeFileAtomic(path, text, mode, false);
}

/**
 * Temp file (exact mode, fsync'ed) then an atomic move into place, so a crash never leaves a
 * half-written key. Without `replace`, link() moves it: unlike rename() it fails if the target
 * exists, so two processes starting at once cannot overwrite each other's identity.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  mode: number,
  replace: boolean,
): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.chmod(mode); // the umask may have removed bits we want (0644)
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (replace) {
      await rename(temp, path);
      return true;
    }
    try {
      await link(temp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      await rename(temp, path); // file system without hard links
      return true;
    }
    return true;
  } finally {
    await unlink(temp).catch(() => undefined);
    await syncDirectory(path);
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(join(path, '..'), 'r').catch(() => undefined);
  if (!dir) return;
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse fsync on directories; the file itself is already durable.
  } finally {
    await dir.close();
  }
}
