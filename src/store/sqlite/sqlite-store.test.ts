// Runs the store contract on a real SQLite file in a temp directory, plus what is SQLite's own.
import { migrations as knownMigrations } from '../migrations/migrations.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Kysely, Migrator, type DatabaseConnection, type Driver } from 'kysely';
import { createKyselyStore } from '../kysely-store.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import { migrationProvider } from '../migrations/migrations.ts';
import { ipamSubnetToRow, memberToRow, networkToRow, routesToRows } from '../record-mapping.ts';
import { sampleMember, sampleNetwork } from '../record-samples.ts';
import type { StoreDatabase } from '../schema.ts';
import { runStoreContract } from '../store-contract.ts';
import type { Store } from '../store.ts';
import { MMAP_BYTES, openSqliteDatabase } from './sqlite-connection.ts';
import { RouteplaneSqliteDialect } from './sqlite-dialect.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { openSqliteStore } from './sqlite-store.ts';

/** Counts COMMITs and can make the next one fail, as a full disk or an I/O error would. */
class FaultyCommitDialect extends RouteplaneSqliteDialect {
  commits = 0;
  failNextCommit = false;

  override createDriver(): Driver {
    const driver = super.createDriver();
    const commit = driver.commitTransaction.bind(driver);
    driver.commitTransaction = async (connection: DatabaseConnection) => {
      if (this.failNextCommit) {
        this.failNextCommit = false;
        throw new Error('injected COMMIT failure');
      }
      this.commits++;
      await commit(connection);
    };
    return driver;
  }
}

async function openFaultyStore(file: string): Promise<{ store: Store; dialect: FaultyCommitDialect }> {
  const dialect = new FaultyCommitDialect({ database: openSqliteDatabase(file) });
  const db = new Kysely<StoreDatabase>({ dialect });
  await migrateToLatest(db);
  const store = createKyselyStore({
    kind: 'sqlite',
    db,
    classifyError: classifySqliteError,
    close: () => db.destroy(),
  });
  return { store, dialect };
}

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

/** A database file migrated up to `migration` only, as an older release left it. */
async function databaseAt(file: string, migration: string): Promise<Kysely<StoreDatabase>> {
  const db = new Kysely<StoreDatabase>({
    dialect: new RouteplaneSqliteDialect({ database: openSqliteDatabase(file) }),
  });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo(migration);
  assert.equal(error, undefined);
  return db;
}

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
        assert.equal(database.pragma('mmap_size', { simple: true }), MMAP_BYTES);
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

  it('upgrades a database written before 0003-ipam-subnets, keeping its data', async () => {
    const { dir, file } = tempFile();
    const NWID = '8056c2e21c000001';
    try {
      const old = await databaseAt(file, '0002-member-presence');
      // Routes live in their own table; the record's routes are none here.
      const network = sampleNetwork(NWID, { routes: [] });
      const member = sampleMember(NWID, 'aaaaaaaaaa', { authorized: true, ipAssignments: ['10.147.17.5'] });
      await old.insertInto('network').values(networkToRow(network)).execute();
      await old.insertInto('member').values(memberToRow(member)).execute();
      await old.destroy();

      const store = await openSqliteStore({ file });
      try {
        assert.deepEqual(await store.getNetwork(NWID), network);
        assert.deepEqual(await store.listMemberRouteFacts(NWID), [
          { address: 'aaaaaaaaaa', authorized: true, ipAssignments: ['10.147.17.5'] },
        ]);
        assert.deepEqual(await store.listIpamSubnets(), []);
        const subnet = {
          id: 's-1',
          prefix: '10.0.0.0/8',
          name: 'corp',
          parentId: null,
          createdAt: 1,
          updatedAt: 1,
        };
        await store.transaction((tx) => tx.putIpamSubnets([subnet]));
        assert.deepEqual(await store.listIpamSubnets(), [subnet]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a database written at 0003-ipam-subnets, keeping its data', async () => {
    const { dir, file } = tempFile();
    const NWID = '8056c2e21c000001';
    try {
      const old = await databaseAt(file, '0003-ipam-subnets');
      const network = sampleNetwork(NWID, { routes: [] });
      const member = sampleMember(NWID, 'aaaaaaaaaa', { authorized: true, ipAssignments: ['10.147.17.5'] });
      const subnet = {
        id: 's-1',
        prefix: '10.0.0.0/8',
        name: 'corp',
        parentId: null,
        createdAt: 1,
        updatedAt: 2,
      };
      await old.insertInto('network').values(networkToRow(network)).execute();
      await old.insertInto('member').values(memberToRow(member)).execute();
      await old
        .insertInto('member_ip')
        .values({ network_id: NWID, ip: '10.147.17.5', address: 'aaaaaaaaaa' })
        .execute();
      await old.insertInto('ipam_subnet').values(ipamSubnetToRow(subnet)).execute();
      await old
        .insertInto('route')
        .values(routesToRows(NWID, 'ipam', [{ target: '10.0.0.0/8', via: null, owner: 's-1', metric: 0 }]))
        .execute();
      await old.destroy();

      const store = await openSqliteStore({ file });
      try {
        assert.deepEqual(await store.getNetwork(NWID), network);
        assert.deepEqual(await store.getMember(NWID, 'aaaaaaaaaa'), member);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), 'aaaaaaaaaa');
        assert.deepEqual(await store.listIpamSubnets(), [subnet]);
        assert.deepEqual(await store.listRoutes(NWID), [
          { target: '10.0.0.0/8', via: null, owner: 's-1', metric: 0, source: 'ipam' },
        ]);
        assert.deepEqual(await store.listAdvertisements(NWID), []);
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), []);
        assert.deepEqual(await store.listApiTokens(), []);

        const advertisement = {
          networkId: NWID,
          member: 'aaaaaaaaaa',
          prefix: '192.168.1.0/24',
          metric: 10,
          advertised: true,
          approved: true,
          approvedBy: 'api',
          slot: 1,
          advertisedAt: 3,
          approvedAt: 4,
          updatedAt: 5,
          primary: true,
          health: 'healthy',
          healthSince: 6,
        };
        const token = {
          id: 't-1',
          name: 'router',
          tokenHash: 'ab'.repeat(32),
          networkId: NWID,
          memberAddress: 'aaaaaaaaaa',
          createdAt: 7,
          lastUsedAt: null,
        };
        await store.transaction(async (tx) => {
          await tx.putAdvertisements([advertisement]);
          await tx.putApiToken(token);
        });
        assert.deepEqual(await store.listAdvertisements(NWID), [advertisement]);
        assert.deepEqual(await store.getApiTokenByHash(token.tokenHash), token);
        await store.transaction((tx) => tx.deleteMember(NWID, 'aaaaaaaaaa'));
        assert.deepEqual(await store.listAdvertisements(NWID), []);
        assert.deepEqual(await store.listApiTokens(), [token]);
      } finally {
        await store.close();
      }

      const database = openSqliteDatabase(file);
      try {
        assert.deepEqual(database.pragma('foreign_key_check'), []);
        assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
        const names = database.prepare('select name from kysely_migration order by name').pluck().all();
        assert.equal(names.at(-1), Object.keys(knownMigrations).at(-1));
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

  it('group commit: concurrent transactions share COMMITs; a failed COMMIT fails every caller of its batch', async () => {
    const { dir, file } = tempFile();
    const NWID = '8056c2e21c000001';
    try {
      const { store, dialect } = await openFaultyStore(file);
      await store.transaction((tx) => tx.putNetwork(sampleNetwork(NWID)));
      const put = (i: number) =>
        store.transaction(async (tx) => {
          await tx.putMember(
            sampleMember(NWID, `00000000${String(i).padStart(2, '0')}`, {
              ipAssignments: [`10.147.17.${i + 1}`],
            }),
          );
          return i;
        });

      // 20 concurrent writers: the first runs alone, the 19 that queued behind it share one COMMIT.
      const commitsBefore = dialect.commits;
      assert.deepEqual(
        await Promise.all(Array.from({ length: 20 }, (_, i) => put(i))),
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.ok(
        dialect.commits - commitsBefore <= 2,
        `${dialect.commits - commitsBefore} commits for 20 transactions`,
      );
      assert.equal((await store.countMembers(NWID)).total, 20);

      // A failing COMMIT: every caller of the batch is rejected and none of their writes is kept.
      dialect.failNextCommit = true;
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => put(20 + i)));
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.match(String((result as PromiseRejectedResult).reason), /injected COMMIT failure/);
      }
      assert.equal((await store.countMembers(NWID)).total, 20);
      assert.equal(await store.findIpOwner(NWID, '10.147.17.21'), undefined);

      // The connection was rolled back and released: the store goes on working.
      assert.equal(await put(30), 30);
      assert.equal((await store.countMembers(NWID)).total, 21);
      await store.close();
      const reopened = await openSqliteStore({ file });
      assert.equal((await reopened.countMembers(NWID)).total, 21);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
