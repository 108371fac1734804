// Runs the store contract on a real SQLite file in a temp directory, plus what is SQLite's own.
import { migrations as knownMigrations } from '../migrations/migrations.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runStoreContract } from '../store-contract.ts';
import { openSqliteDatabase } from './sqlite-connection.ts';
import { openSqliteStore } from './sqlite-store.ts';

function tempFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'routeplane-sqlite-'));
  // A data directory that does not exist yet: opening must create it.
  return { dir, file: join(dir, 'data', 'routeplane.db') };
}

runStoreContract('sqlite', async () => {
  const { dir, file } = tempFile();
  let current = await openSqliteStore({ file });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await openSqliteStore({ file });
      return current;
    },
    cleanup: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store specifics', () => {
  it('creates a private file in WAL mode and sets the durability pragmas on the connection', async () => {
    const { dir, file } = tempFile();
    try {
      const store = await openSqliteStore({ file });
      assert.equal(store.kind, 'sqlite');
      await store.close();
      await store.close(); // idempotent
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700);

      const database = openSqliteDatabase(file);
      try {
        assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(database.pragma('synchronous', { simple: true }), 2); // FULL
        assert.equal(database.pragma('foreign_keys', { simple: true }), 1);
        assert.equal(database.pragma('busy_timeout', { simple: true }), 5000);
        assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
        assert.deepEqual(database.pragma('foreign_key_check'), []);
        const migrations = database.prepare('select name from kysely_migration order by name').pluck().all();
        assert.deepEqual(migrations, Object.keys(knownMigrations).sort());
      } finally {
        database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses calls after close', async () => {
    const { dir, file } = tempFile();
    try {
      const store = await openSqliteStore({ file });
      await store.close();
      await assert.rejects(store.getSetting('x'), /closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close waits for a running transaction to commit', async () => {
    const { dir, file } = tempFile();
    try {
      const store = await openSqliteStore({ file });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const running = store.transaction(async (tx) => {
        await gate;
        await tx.setSetting('late', 'yes');
      });
      await new Promise((resolve) => setImmediate(resolve));
      const closing = store.close();
      release();
      await running;
      await closing;
      const reopened = await openSqliteStore({ file });
      assert.equal(await reopened.getSetting('late'), 'yes');
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
