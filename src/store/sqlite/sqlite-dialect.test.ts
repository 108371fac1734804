// The two corrections of sqlite-dialect.ts, observed on a real file.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Kysely, Migrator, type Migration } from 'kysely';
import { migrations } from '../migrations/migrations.ts';
import { openSqliteDatabase } from './sqlite-connection.ts';
import { RouteplaneSqliteDialect } from './sqlite-dialect.ts';
import { openSqliteStore } from './sqlite-store.ts';

function withTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routeplane-dialect-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('RouteplaneSqliteDialect', () => {
  it(
    'applies migrations atomically: a failing one leaves no table behind',
    withTempDir(async (dir) => {
      const file = join(dir, 'db.sqlite');
      const db = new Kysely<unknown>({
        dialect: new RouteplaneSqliteDialect({ database: openSqliteDatabase(file) }),
      });
      const broken: Migration = {
        async up(kysely) {
          await kysely.schema.createTable('half').addColumn('x', 'text').execute();
          throw new Error('boom');
        },
      };
      const migrator = new Migrator({
        db,
        provider: { getMigrations: () => Promise.resolve({ ...migrations, '9999-broken': broken }) },
      });
      const { error } = await migrator.migrateToLatest();
      assert.ok(error instanceof Error);
      assert.equal((error as Error).message, 'boom');
      await db.destroy();

      const raw = new Database(file);
      try {
        const tables = raw
          .prepare(`select name from sqlite_master where type = 'table' order by name`)
          .pluck()
          .all();
        // Only Kysely's bookkeeping tables (created before the transaction) exist, and no migration ran.
        assert.deepEqual(tables, ['kysely_migration', 'kysely_migration_lock']);
        assert.equal(raw.prepare('select count(*) from kysely_migration').pluck().get(), 0);
      } finally {
        raw.close();
      }
    }),
  );

  it(
    'takes the write lock when a transaction begins (BEGIN IMMEDIATE)',
    withTempDir(async (dir) => {
      const file = join(dir, 'db.sqlite');
      const store = await openSqliteStore({ file });
      const other = new Database(file, { timeout: 0 });
      try {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let inside!: () => void;
        const entered = new Promise<void>((resolve) => (inside = resolve));
        const running = store.transaction(async () => {
          inside();
          await gate; // has written nothing yet
        });
        await entered;
        assert.throws(() => other.exec('begin immediate'), { code: 'SQLITE_BUSY' });
        release();
        await running;
        other.exec('begin immediate');
        other.exec('rollback');
      } finally {
        other.close();
        await store.close();
      }
    }),
  );
});
