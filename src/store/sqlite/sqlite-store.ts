// The embedded backend: one SQLite file through Kysely over better-sqlite3.
import { Kysely } from 'kysely';
import { createKyselyStore } from '../kysely-store.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { StoreDatabase } from '../schema.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './sqlite-connection.ts';
import { RouteplaneSqliteDialect } from './sqlite-dialect.ts';
import { SqliteCheckpointer } from './sqlite-checkpointer.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { withStatementCache } from './sqlite-statement-cache.ts';

export interface SqliteStoreOptions {
  /** Path of the database file; it and its directory are created when missing. */
  file: string;
  /** Checkpoint the WAL from a worker thread instead of inside commits (a serving controller). */
  backgroundCheckpoints?: { intervalMs?: number; onError?: (error: Error) => void };
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const database = openSqliteDatabase(options.file);
  const db = new Kysely<StoreDatabase>({
    dialect: new RouteplaneSqliteDialect({ database: withStatementCache(database) }),
  });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const checkpointer =
    options.backgroundCheckpoints && options.file !== ':memory:'
      ? new SqliteCheckpointer({ database, file: options.file, ...options.backgroundCheckpoints })
      : undefined;
  return createKyselyStore({
    kind: 'sqlite',
    db,
    classifyError: classifySqliteError,
    async close() {
      // Taking the one connection waits for a running transaction to finish first.
      await db.connection().execute(() => Promise.resolve());
      await checkpointer?.close();
      await db.destroy();
    },
  });
}
