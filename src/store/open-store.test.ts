import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeStoreLocation, openStore } from './open-store.ts';

describe('openStore', () => {
  it('opens the SQLite file in the data dir by default, or at a sqlite: path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routeplane-open-'));
    try {
      const store = await openStore({ dataDir: dir });
      assert.equal(store.kind, 'sqlite');
      await store.close();
      const other = await openStore({ dataDir: dir, databaseUrl: `sqlite:${join(dir, 'other.db')}` });
      assert.equal(other.kind, 'sqlite');
      await other.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database URL it does not know, naming it', async () => {
    await assert.rejects(
      openStore({ dataDir: '/nonexistent', databaseUrl: 'mysql://x/y' }),
      /mysql:\/\/x\/y/,
    );
  });

  it('never shows a password when describing where the data is', () => {
    assert.equal(
      describeStoreLocation({ dataDir: '/d', databaseUrl: 'postgres://rp:s3cret@db.example:5432/rp' }),
      'postgres://rp:***@db.example:5432/rp',
    );
    assert.equal(describeStoreLocation({ dataDir: '/d' }), 'sqlite:/d/controller.db');
  });
});
