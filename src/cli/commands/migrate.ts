// `routeplane migrate --from sqlite:PATH --to postgres://…` (and back): copies a whole Routeplane
// database to another backend in one target transaction, with a progress bar. Offline: stop the
// controller first (a copy of a database still being written would miss the last writes).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IDENTITY_SETTING } from '../../protocol/controller-identity.ts';
import { readIdentityFile } from '../../protocol/identity-file.ts';
import { describeStoreLocation, openStore, sqliteFileOf } from '../../store/open-store.ts';
import { copyStore } from '../../store/store-copy.ts';
import type { Store } from '../../store/store.ts';
import { CliError } from '../cli-error.ts';
import { USAGE_EXIT_CODE } from '../client-context.ts';
import { writeOut } from '../output.ts';
import { createProgress } from '../progress.ts';

interface MigrateOptions {
  from: string;
  to: string;
  fromSchema?: string;
  toSchema?: string;
  progress: boolean;
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('copy every network, member, route, subnet, token and event to another database')
    .requiredOption('--from <url>', 'sqlite:PATH or postgres://… to copy from')
    .requiredOption('--to <url>', 'sqlite:PATH or postgres://… to copy into (must be empty)')
    .option('--from-schema <name>', 'PostgreSQL schema of --from (default public)')
    .option('--to-schema <name>', 'PostgreSQL schema of --to (default public)')
    .option('--no-progress', 'never draw a progress bar')
    .action((options: MigrateOptions) => runMigrate(options));
}

function checkUrl(option: string, url: string): void {
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url))
    throw new CliError(`--${option} "${url}" is neither sqlite:PATH nor postgres://…`, USAGE_EXIT_CODE);
}

function sqlitePath(url: string): string | undefined {
  const file = sqliteFileOf({ dataDir: '.', databaseUrl: url });
  return file === undefined ? undefined : resolve(file);
}

async function runMigrate(options: MigrateOptions): Promise<void> {
  checkUrl('from', options.from);
  checkUrl('to', options.to);
  const fromFile = sqlitePath(options.from);
  const toFile = sqlitePath(options.to);
  // Opening a missing SQLite file would create an empty database and copy nothing.
  if (fromFile !== undefined && !existsSync(fromFile))
    throw new CliError(`--from: no database at ${fromFile}`, USAGE_EXIT_CODE);
  if (fromFile !== undefined && fromFile === toFile)
    throw new CliError('--from and --to are the same database', USAGE_EXIT_CODE);

  const open = (url: string, schema: string | undefined, file: string | undefined) =>
    openStore({ dataDir: '.', databaseUrl: file === undefined ? url : `sqlite:${file}`, schema });
  let source: Store | undefined;
  let target: Store | undefined;
  const started = Date.now();
  const progress = createProgress(options.progress);
  try {
    source = await open(options.from, options.fromSchema, fromFile).catch((error: unknown) => {
      throw new CliError(`--from: ${(error as Error).message}`);
    });
    target = await open(options.to, options.toSchema, toFile).catch((error: unknown) => {
      throw new CliError(`--to: ${(error as Error).message}`);
    });
    const summary = await copyStore(source, target, {
      table: (name, total) => progress.start(name, total),
      rows: (done) => progress.update(done),
    }).catch((error: unknown) => {
      throw new CliError(`nothing was copied: ${(error as Error).message}`);
    });
    progress.stop();
    const identityNote = await carryIdentity(target, fromFile);
    writeOut(
      `Copied ${summary.total} rows from ${describeStoreLocation({ dataDir: '.', databaseUrl: options.from })} ` +
        `to ${describeStoreLocation({ dataDir: '.', databaseUrl: options.to })} in ${Date.now() - started} ms`,
    );
    for (const [table, rows] of Object.entries(summary.rows)) writeOut(`  ${table.padEnd(17)} ${rows}`);
    if (identityNote) writeOut(identityNote);
  } finally {
    progress.stop();
    await source?.close();
    await target?.close();
  }
}

/**
 * A database from before the identity was kept in it has only the data dir's identity.secret beside
 * it: carry that over, or processes starting on the target would make up a new controller address.
 */
async function carryIdentity(target: Store, fromFile: string | undefined): Promise<string | undefined> {
  if ((await target.getSetting(IDENTITY_SETTING)) !== undefined || fromFile === undefined) return undefined;
  const identity = await readIdentityFile(dirname(fromFile)).catch(() => undefined);
  if (identity === undefined)
    return `Note: no controller identity found in the database or beside it; start the target with the data dir holding identity.secret`;
  await target.transaction((tx) => tx.claimSetting(IDENTITY_SETTING, identity.toString(true)));
  return `Controller identity ${identity.address} taken from ${dirname(fromFile)}/identity.secret`;
}
