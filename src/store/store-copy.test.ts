// Whole-database copies SQLite → PostgreSQL → SQLite: everything read back through the Store equals
// the source, keys and event ids included; paging over more rows than one page; a non-empty target is
// refused; a copy that fails halfway leaves the target empty.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { dropSchema, scratchSchemaName, TEST_DATABASE_URL } from './postgres/postgres-test-database.ts';
import { sampleMember, sampleNetwork } from './record-samples.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { copyStore } from './store-copy.ts';
import type { Store } from './store.ts';

const NWID = '8056c2e21c000001';
const MEMBERS = 1500;

function address(i: number): string {
  return (0x1000000000 + i).toString(16);
}

async function fill(store: Store): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.setSetting('controller.identity', 'secret-form');
    await tx.putNetwork(sampleNetwork(NWID, { routes: [{ target: '10.0.0.0/16', via: null }] }));
    await tx.putRoutes(NWID, 'ipam', [{ target: '10.0.0.0/24', via: null, owner: 's-1', metric: 3 }]);
    for (let i = 0; i < MEMBERS; i++)
      await tx.putMember(
        sampleMember(NWID, address(i), {
          authorized: i % 2 === 0,
          ipAssignments: [`10.0.${i >> 8}.${i & 255}`],
        }),
      );
    await tx.recordPresence([
      { networkId: NWID, address: address(1), lastSeen: 1234, physicalAddress: '192.0.2.1/9993' },
    ]);
    for (let i = 0; i < 5; i++)
      await tx.appendEvent({
        time: i,
        networkId: NWID,
        memberAddress: null,
        type: `t.${i}`,
        actor: 'api',
        reason: 'r',
        data: { i },
      });
    await tx.rememberIdentity(address(2), `${address(2)}:0:ab`, 7);
    await tx.putIpamSubnets([
      { id: 's-1', prefix: '10.0.0.0/8', name: 'corp', parentId: null, createdAt: 1, updatedAt: 2 },
    ]);
    await tx.putAdvertisements([
      {
        networkId: NWID,
        member: address(3),
        prefix: '192.168.50.0/24',
        metric: 100,
        advertised: true,
        approved: true,
        approvedBy: 'api',
        slot: 1,
        advertisedAt: 5,
        approvedAt: 6,
        updatedAt: 7,
        primary: true,
        health: 'healthy',
        healthSince: 8,
      },
    ]);
    await tx.putApiToken({
      id: 't-1',
      name: 'router',
      tokenHash: 'ab'.repeat(32),
      networkId: NWID,
      memberAddress: address(3),
      createdAt: 9,
      lastUsedAt: null,
    });
  });
}

async function snapshot(store: Store) {
  return {
    setting: await store.getSetting('controller.identity'),
    network: await store.getNetwork(NWID),
    routes: await store.listRoutes(NWID),
    members: await store.listMembers(NWID),
    seen: await store.listRecentlySeen(0),
    events: await store.listEvents({}),
    identity: await store.getKnownIdentity(address(2)),
    ipam: await store.listIpamSubnets(),
    advertisements: await store.listAdvertisements(NWID),
    tokens: await store.listApiTokens(),
  };
}

describe('copyStore between backends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routeplane-copy-'));
  const schemas = [scratchSchemaName(), scratchSchemaName()];
  let source: Store;
  let expected: Awaited<ReturnType<typeof snapshot>>;

  before(async () => {
    source = await openSqliteStore({ file: join(dir, 'source.db') });
    await fill(source);
    expected = await snapshot(source);
    assert.equal(expected.members.length, MEMBERS);
  });
  after(async () => {
    await source.close();
    for (const schema of schemas) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('SQLite → PostgreSQL → SQLite keeps every row, and event ids continue after the copied ones', async () => {
    const postgres = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: schemas[0]! });
    const back = await openSqliteStore({ file: join(dir, 'back.db') });
    try {
      const tables: string[] = [];
      const summary = await copyStore(source, postgres, {
        table: (name) => tables.push(name),
        rows: () => undefined,
      });
      assert.equal(summary.rows.member, MEMBERS);
      assert.equal(summary.rows.member_ip, MEMBERS);
      assert.ok(tables.includes('advertised_route'));
      assert.deepEqual(await snapshot(postgres), expected);
      await copyStore(postgres, back);
      assert.deepEqual(await snapshot(back), expected);
      for (const store of [postgres, back]) {
        const id = await store.transaction((tx) =>
          tx.appendEvent({
            time: 9,
            networkId: null,
            memberAddress: null,
            type: 'after',
            actor: 'api',
            reason: 'r',
            data: {},
          }),
        );
        assert.equal(id, expected.events.at(-1)!.id + 1);
      }
    } finally {
      await postgres.close();
      await back.close();
    }
  });

  it('refuses a target that holds data, and changes nothing there', async () => {
    const target = await openSqliteStore({ file: join(dir, 'busy.db') });
    try {
      await target.transaction((tx) => tx.putNetwork(sampleNetwork('8056c2e21c000009')));
      await assert.rejects(copyStore(source, target), /target database is not empty \(1 network, 1 route\)/);
      assert.deepEqual(await target.listNetworkIds(), ['8056c2e21c000009']);
    } finally {
      await target.close();
    }
  });

  it('a copy that fails halfway leaves the target empty', async () => {
    const target = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: schemas[1]! });
    try {
      await assert.rejects(
        copyStore(source, target, {
          table: () => undefined,
          rows: (done) => {
            if (done >= 1000) throw new Error('disk full (injected)');
          },
        }),
        /disk full/,
      );
      assert.deepEqual(await target.listNetworkIds(), []);
      assert.equal(await target.getSetting('controller.identity'), undefined);
      // And the same target then takes a whole copy.
      await copyStore(source, target);
      assert.equal((await target.listMembers(NWID)).length, MEMBERS);
    } finally {
      await target.close();
    }
  });
});
