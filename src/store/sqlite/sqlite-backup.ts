// Online backups of the SQLite database through SQLite's backup API (better-sqlite3's `backup`): a
// consistent copy while the controller keeps writing, page by page, never a half-written file (it is
// written beside the destination and renamed into place).
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { chmod, rename, rm } from 'node:fs/promises';
import { BUSY_TIMEOUT_MS } from './sqlite-connection.ts';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export async function backupSqliteFile(
  source: string,
  destination: string,
  onProgress?: (progress: BackupProgress) => void,
): Promise<{ pages: number }> {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  const database = new Database(source, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  const temporary = `${destination}.${process.pid}.tmp`;
  try {
    let pages = 0;
    await database.backup(temporary, {
      progress: (info) => {
        pages = info.totalPages;
        onProgress?.(info);
        // Pages per step: big steps finish sooner; the writer waits at most one step.
        return 1000;
      },
    });
    // It may hold the controller identity's secret.
    await chmod(temporary, 0o600);
    await rename(temporary, destination);
    return { pages };
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    database.close();
  }
}
