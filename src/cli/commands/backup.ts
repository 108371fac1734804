// `routeplane backup --out FILE`: a consistent copy of the SQLite database while the controller runs
// (SQLite's online backup API). PostgreSQL deployments use pg_dump or their own replication.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE } from '../../store/open-store.ts';
import { backupSqliteFile } from '../../store/sqlite/sqlite-backup.ts';
import { CliError } from '../cli-error.ts';
import { USAGE_EXIT_CODE } from '../client-context.ts';
import { DEFAULT_DATA_DIR } from '../default-options.ts';
import { writeOut } from '../output.ts';
import { createProgress } from '../progress.ts';

interface BackupOptions {
  dataDir: string;
  out: string;
  force?: boolean;
  progress: boolean;
}

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite database while the controller runs (online backup)')
    .requiredOption('--out <file>', 'where to write the copy')
    .option('--data-dir <dir>', 'data dir of the controller', DEFAULT_DATA_DIR)
    .option('--force', 'replace --out when it exists')
    .option('--no-progress', 'never draw a progress bar')
    .action((options: BackupOptions) => runBackup(options));
}

async function runBackup(options: BackupOptions): Promise<void> {
  const source = join(resolve(options.dataDir), DATABASE_FILE);
  const out = resolve(options.out);
  if (!existsSync(source))
    throw new CliError(`no database at ${source} (is --data-dir right?)`, USAGE_EXIT_CODE);
  if (out === source) throw new CliError('--out is the database itself', USAGE_EXIT_CODE);
  if (existsSync(out) && options.force !== true)
    throw new CliError(`${out} exists; pass --force to replace it`, USAGE_EXIT_CODE);
  const progress = createProgress(options.progress, process.stderr, 1);
  let started = false;
  const began = Date.now();
  try {
    const { pages } = await backupSqliteFile(source, out, ({ totalPages, remainingPages }) => {
      if (!started) progress.start('backup', totalPages);
      started = true;
      progress.update(totalPages - remainingPages);
    });
    progress.stop();
    writeOut(`Backed up ${source} to ${out} (${pages} pages, ${Date.now() - began} ms)`);
  } catch (error) {
    progress.stop();
    throw new CliError(`backup failed: ${(error as Error).message}`);
  }
}
