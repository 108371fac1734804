import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { openSqliteDatabase } from './sqlite-connection.ts';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  DEFAULT_AUTOCHECKPOINT_PAGES,
  SqliteCheckpointer,
  type CheckpointResult,
} from './sqlite-checkpointer.ts';

function scratch() {
  const dir = mkdtempSync(join(os.tmpdir(), 'routeplane-checkpoint-'));
  const file = join(dir, 'test.db');
  const database = openSqliteDatabase(file);
  database.exec('create table t (id integer primary key, body text not null)');
  return { dir, file, database, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes about `pages` 4 KB pages to the WAL, one commit per page. */
function write(database: ReturnType<typeof openSqliteDatabase>, pages: number): void {
  const insert = database.prepare('insert into t (body) values (?)');
  for (let i = 0; i < pages; i++) insert.run('x'.repeat(3500));
}

function nextCheckpoint(results: CheckpointResult[], checkpointer: SqliteCheckpointer) {
  const seen = results.length;
  checkpointer.requestCheckpoint();
  return new Promise<CheckpointResult>((resolve) => {
    const poll = setInterval(() => {
      if (results.length > seen) {
        clearInterval(poll);
        resolve(results[results.length - 1]!);
      }
    }, 5);
  });
}

describe('SqliteCheckpointer', () => {
  it('commits below the backstop do not checkpoint; the worker copies the WAL into the file and the WAL is reused', async () => {
    const { file, database, cleanup } = scratch();
    const results: CheckpointResult[] = [];
    const checkpointer = new SqliteCheckpointer({
      database,
      file,
      intervalMs: 60_000,
      onCheckpoint: (r) => results.push(r),
    });
    try {
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_AUTOCHECKPOINT_PAGES);
      write(database, 1200); // ~3,200 pages: past the 1,000 at which a commit would have checkpointed
      const walBytes = statSync(`${file}-wal`).size;
      assert.ok(walBytes > 3000 * 4096, `the WAL kept every frame (${walBytes} bytes)`);
      const result = await nextCheckpoint(results, checkpointer);
      assert.equal(result.busy, 0);
      assert.ok(result.log >= 3000);
      assert.equal(result.checkpointed, result.log, 'every frame copied');
      // Once checkpointed, the next writer starts the WAL over instead of growing it.
      write(database, 10);
      assert.equal(statSync(`${file}-wal`).size, walBytes);
      assert.equal(database.prepare('select count(*) from t').pluck().get(), 1210);
    } finally {
      await checkpointer.close();
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), DEFAULT_AUTOCHECKPOINT_PAGES);
      database.close();
      cleanup();
    }
  });

  it('BUG: under sustained writes the WAL stays bounded (the worker alone let it grow to 99 MB)', async () => {
    const { file, database, cleanup } = scratch();
    const checkpointer = new SqliteCheckpointer({ database, file, intervalMs: 5 });
    try {
      // Writes that keep coming while the worker checkpoints: without the backstop the WAL never
      // restarts from its beginning.
      for (let round = 0; round < 12; round++) {
        write(database, 1000);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const walPages = statSync(`${file}-wal`).size / 4096;
      assert.ok(walPages < BACKSTOP_AUTOCHECKPOINT_PAGES * 1.5, `the WAL holds ${walPages} pages`);
    } finally {
      await checkpointer.close();
      database.close();
      cleanup();
    }
  });

  it('gives the connection its automatic checkpoints back when the thread dies', async () => {
    const { file, database, cleanup } = scratch();
    const errors: Error[] = [];
    const checkpointer = new SqliteCheckpointer({ database, file, onError: (e) => errors.push(e) });
    try {
      const worker = (checkpointer as unknown as { worker: Worker }).worker;
      await worker.terminate();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), DEFAULT_AUTOCHECKPOINT_PAGES);
      assert.match(errors[0]?.message ?? '', /checkpoints run on commit again/);
    } finally {
      database.close();
      cleanup();
    }
  });
});
