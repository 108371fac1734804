// The embedded backend: one SQLite file through Kysely over better-sqlite3.
import { Kysely } from 'kysely';
import { createKyselyStore } from '../kysely-store.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { StoreDatabase } from '../schema.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './sqlite-connection.ts';
import { RouteplaneSqliteDialect } from './sqlite-dialect.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { withStatementCache } from './sqlite-statement-cache.ts';

export interface SqliteStoreOptions {
  /** Path of the database file; it and its directory are created when missing. */
  file: string;
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
  return createKyselyStore({
    kind: 'sqlite',
    db,
    classifyError: classifySqliteError,
    async close() {
      // Taking the one connection waits for a running transaction to finish first.
      await db.connection().execute(() => Promise.resolve());
      await db.destroy();
    },
  });
}
