// Kysely's SQLite driver prepares every statement anew; with better-sqlite3 preparing costs several
// times more than running a point lookup, so keep the prepared statements of recent SQL texts.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts are few (the store's queries, times the list lengths of `in (…)`). */
const CAPACITY = 256;

export function withStatementCache(database: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      const cached = cache.get(sql);
      // A statement still being iterated (a stream) cannot run again; give that caller its own.
      if (cached !== undefined && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (cached === undefined) {
        if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      database.close();
    },
  };
}
