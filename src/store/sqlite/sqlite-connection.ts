// Opens the SQLite file with the settings Routeplane's guarantees rest on.
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** How long a write waits for another process (a CLI command, a backup) to release the file. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Reads through a memory map of (up to) the first 128 MiB of the file instead of a pread per page
 * that misses SQLite's small page cache: at 100,000 members (a 92 MB file) this made a full member
 * list about twice as fast and cut GET-member CPU by a fifth. Writes still go through write() and
 * fsync, so durability is unchanged. The mapped pages are the kernel's page cache, shared and
 * reclaimable, but they count in the process's RSS: at most this much.
 */
export const MMAP_BYTES = 128 * 1024 * 1024;

export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') createPrivateFile(file);
  const database = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL: readers never block the writer and a commit is one append. FULL: every commit is fsynced,
    // so neither kill -9 nor a power cut loses an acknowledged write (NORMAL could lose the last
    // commits on power loss). Checked at ~4,700 commits/s, which is plenty.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma(`mmap_size = ${MMAP_BYTES}`);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

/**
 * The database may hold the controller's identity secret, so a new file is created 0600 in a 0700
 * directory; SQLite gives its -wal and -shm files the same mode as the database file.
 */
function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
