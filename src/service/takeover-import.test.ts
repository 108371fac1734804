import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ErrorCodes, RpError } from '../core/errors.ts';
import { newMember } from '../core/member/member-defaults.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import { newNetwork } from '../core/network/network-defaults.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { writeTakeover, type TakeoverWrite } from './takeover-import.ts';

const NET_A = 'f8ea0e7924000001';
const NET_B = 'f8ea0e7924000002';
const SECRET = `f8ea0e7924:0:${'ab'.repeat(64)}:${'cd'.repeat(64)}`;
const IDENTITY = 'controller.identity';

function network(id: string, revision: number): NetworkRecord {
  return {
    ...newNetwork(id, 1000),
    name: `net ${id}`,
    revision,
    routes: [{ target: '10.1.0.0/16', via: null }],
  };
}

function member(nwid: string, address: string, ip: string, authorized = true): MemberRecord {
  return {
    ...newMember(nwid, address, 2000),
    authorized,
    ipAssignments: [ip],
    revision: 7,
    lastAuthorizedTime: 2500,
    identity: `${address}:0:${'12'.repeat(64)}`,
  };
}

describe('writeTakeover', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-takeover-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const input = (patch: Partial<TakeoverWrite> = {}): TakeoverWrite => ({
    networks: [network(NET_A, 3), network(NET_B, 1)],
    members: new Map([
      [NET_A, [member(NET_A, 'aaaaaaaaaa', '10.1.0.1'), member(NET_A, 'bbbbbbbbbb', '10.1.0.2', false)]],
      [NET_B, [member(NET_B, 'aaaaaaaaaa', '10.1.0.1')]],
    ]),
    controllerAddress: 'f8ea0e7924',
    settings: [[IDENTITY, SECRET]],
    replaceNetworks: false,
    source: '/var/lib/zerotier-one',
    now: 5000,
    ...patch,
  });

  /** Everything an import can touch, to compare before and after a failed one. */
  async function snapshot() {
    const networks = await store.listNetworks();
    return {
      setting: await store.getSetting(IDENTITY),
      networks,
      members: await Promise.all(networks.map((n) => store.listMembers(n.id))),
      events: await store.listEvents({}),
    };
  }

  it('writes every record as given (revisions, times, identity pins kept), the identity setting and events', async () => {
    const counts: number[] = [];
    const result = await writeTakeover(store, input({ onMembersWritten: (n) => counts.push(n) }));
    assert.deepEqual(result, { replacedNetworks: [], members: 3 });
    assert.deepEqual(await store.getNetwork(NET_A), network(NET_A, 3));
    assert.deepEqual(await store.listMembers(NET_A), [
      member(NET_A, 'aaaaaaaaaa', '10.1.0.1'),
      member(NET_A, 'bbbbbbbbbb', '10.1.0.2', false),
    ]);
    assert.equal(await store.findIpOwner(NET_A, '10.1.0.2'), 'bbbbbbbbbb', 'IP holdings are indexed');
    assert.equal(await store.getSetting(IDENTITY), SECRET);
    assert.deepEqual(counts, [3]);
    const events = await store.listEvents({});
    assert.deepEqual(
      events.map((e) => [e.type, e.networkId, e.actor]),
      [
        ['network.imported', NET_A, 'import'],
        ['network.imported', NET_B, 'import'],
        ['controller.imported', null, 'import'],
      ],
    );
    assert.deepEqual(events[0]!.data, { revision: 3, members: 2, authorized: 1, replaced: false });
    assert.deepEqual(events[2]!.data, {
      controller: 'f8ea0e7924',
      networks: 2,
      members: 3,
      replacedNetworks: [],
    });
  });

  it('refuses a network the store already holds, writing nothing', async () => {
    await store.transaction((tx) => tx.putNetwork(network(NET_B, 9)));
    const before = await snapshot();
    await assert.rejects(
      writeTakeover(store, input()),
      (error: unknown) =>
        error instanceof RpError &&
        error.code === ErrorCodes.CONFLICT &&
        /f8ea0e7924000002/.test(error.message),
    );
    assert.deepEqual(await snapshot(), before);
  });

  it('replaces such a network whole when asked: its old members go with it', async () => {
    await store.transaction(async (tx) => {
      await tx.putNetwork(network(NET_B, 9));
      await tx.putMember(member(NET_B, 'cccccccccc', '10.1.0.1'));
    });
    const result = await writeTakeover(store, input({ replaceNetworks: true }));
    assert.deepEqual(result.replacedNetworks, [NET_B]);
    assert.equal((await store.getNetwork(NET_B))?.revision, 1);
    assert.deepEqual(
      (await store.listMembers(NET_B)).map((m) => m.address),
      ['aaaaaaaaaa'],
    );
  });

  it('a failing last step (the identity files) rolls everything back', async () => {
    const before = await snapshot();
    await assert.rejects(
      writeTakeover(
        store,
        input({
          beforeCommit: async () => {
            throw new Error('disk full');
          },
        }),
      ),
      /disk full/,
    );
    assert.deepEqual(await snapshot(), before);
  });

  it('a store refusal half way (an IP held twice) rolls back the networks already written', async () => {
    const before = await snapshot();
    const clash = new Map([
      [NET_A, [member(NET_A, 'aaaaaaaaaa', '10.1.0.1')]],
      [NET_B, [member(NET_B, 'aaaaaaaaaa', '10.1.0.1'), member(NET_B, 'bbbbbbbbbb', '10.1.0.1')]],
    ]);
    await assert.rejects(
      writeTakeover(store, input({ members: clash })),
      (error: unknown) => error instanceof RpError && error.code === ErrorCodes.CONFLICT,
    );
    assert.deepEqual(await snapshot(), before);
  });
});
