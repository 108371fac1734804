// The options that choose where an offline command finds the controller's data: the data dir
// (identity files, and the SQLite database by default) and, optionally, another database.
import { Option, type Command } from 'commander';
import { DEFAULT_DATA_DIR } from './default-options.ts';

export interface StoreOptions {
  dataDir: string;
  /** A database URL (postgres://… or sqlite:PATH); also ROUTEPLANE_DATABASE_URL. */
  database?: string;
  /** PostgreSQL schema (default public). */
  databaseSchema?: string;
}

export function addStoreOptions(command: Command, what: string): Command {
  return command
    .option(
      '--data-dir <dir>',
      `Routeplane data dir ${what} (identity files, SQLite database)`,
      DEFAULT_DATA_DIR,
    )
    .addOption(
      new Option(
        '--database <url>',
        'postgres://… or sqlite:PATH instead of the SQLite file in the data dir',
      ).env('ROUTEPLANE_DATABASE_URL'),
    )
    .option('--database-schema <name>', 'PostgreSQL schema (default public)');
}
