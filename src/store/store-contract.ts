// The contract every Store backend must pass. Each backend's test file calls runStoreContract with a
// way to open a fresh, empty store on real storage (a temp SQLite file, a scratch PostgreSQL schema).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCodes, RpError } from '../core/errors.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import { memberRecordArbitrary, networkRecordArbitrary } from './record-arbitraries.ts';
import { sampleMember, sampleNetwork } from './record-samples.ts';
import type {
  NewEvent,
  SourcedRoute,
  Store,
  StoredAdvertisement,
  StoredApiToken,
  StoredEvent,
  StoredIpamSubnet,
} from './store.ts';

export interface StoreUnderTest {
  store: Store;
  /** Closes the current store and opens the same data again. */
  reopen: () => Promise<Store>;
  /** Closes whatever is open and removes the data. */
  cleanup: () => Promise<void>;
}

const NWID = '8056c2e21c000001';
const OTHER_NWID = '8056c2e21c000002';

function sampleEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    time: 1_700_000_000_123,
    networkId: NWID,
    memberAddress: null,
    type: 'network.created',
    actor: 'api',
    reason: 'created through the API',
    data: {},
    ...overrides,
  };
}

const ipam = (target: string, via: string | null = null): SourcedRoute => ({
  target,
  via,
  owner: 'subnet:1',
  metric: 10,
});

function sampleAdvertisement(
  networkId: string,
  member: string,
  prefix: string,
  overrides: Partial<StoredAdvertisement> = {},
): StoredAdvertisement {
  return {
    networkId,
    member,
    prefix,
    metric: 100,
    advertised: true,
    approved: false,
    approvedBy: null,
    slot: 0,
    advertisedAt: 1_700_000_000_000,
    approvedAt: null,
    updatedAt: 1_700_000_000_000,
    primary: false,
    health: null,
    healthSince: null,
    ...overrides,
  };
}

function sampleToken(id: string, overrides: Partial<StoredApiToken> = {}): StoredApiToken {
  return {
    id,
    name: `token ${id}`,
    tokenHash: `${id.padEnd(8, '0')}${'ab'.repeat(28)}`,
    networkId: null,
    memberAddress: null,
    createdAt: 1_700_000_000_000,
    lastUsedAt: null,
    ...overrides,
  };
}

function isRpError(code: string, message?: string | RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RpError, `expected an RpError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

class Rollback extends Error {}

export function runStoreContract(backend: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${backend}`, () => {
    let subject: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    const putNetworks = (...networks: NetworkRecord[]) =>
      store.transaction(async (tx) => {
        for (const network of networks) await tx.putNetwork(network);
      });
    const putMembers = (...members: MemberRecord[]) =>
      store.transaction(async (tx) => {
        for (const member of members) await tx.putMember(member);
      });

    describe('settings', () => {
      it('returns undefined for a missing key, then the last value set', async () => {
        assert.equal(await store.getSetting('instance-id'), undefined);
        await store.transaction((tx) => tx.setSetting('instance-id', 'a'));
        assert.equal(await store.getSetting('instance-id'), 'a');
        await store.transaction((tx) => tx.setSetting('instance-id', 'b'));
        await store.transaction((tx) => tx.setSetting('other', ''));
        assert.equal(await store.getSetting('instance-id'), 'b');
        assert.equal(await store.getSetting('other'), '');
      });

      it('claimSetting keeps the first value claimed, and concurrent claims agree on one winner', async () => {
        assert.equal(
          await store.transaction((tx) => tx.claimSetting('controller.identity', 'first')),
          'first',
        );
        assert.equal(
          await store.transaction((tx) => tx.claimSetting('controller.identity', 'second')),
          'first',
        );
        assert.equal(await store.getSetting('controller.identity'), 'first');
        const winners = await Promise.all(
          ['a', 'b', 'c', 'd'].map((value) => store.transaction((tx) => tx.claimSetting('race', value))),
        );
        assert.equal(new Set(winners).size, 1);
        assert.equal(await store.getSetting('race'), winners[0]);
        // A claim in a rolled-back transaction leaves nothing.
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.claimSetting('undone', 'x');
            throw new Rollback('undo');
          }),
          Rollback,
        );
        assert.equal(await store.getSetting('undone'), undefined);
      });

      it('announce is accepted inside a transaction and changes no data', async () => {
        await store.transaction((tx) => tx.announce(JSON.stringify({ events: [] })));
        assert.deepEqual(await store.listNetworkIds(), []);
        assert.equal(await store.getSetting('announce'), undefined);
      });
    });

    describe('networks', () => {
      it('puts, gets, replaces and deletes a network', async () => {
        const network = sampleNetwork(NWID, { dns: { domain: 'zt.example', servers: ['10.147.17.1'] } });
        await putNetworks(network);
        assert.deepEqual(await store.getNetwork(NWID), network);

        const changed = sampleNetwork(NWID, { name: 'renamed', revision: 2, mtu: 1400, routes: [] });
        await putNetworks(changed);
        assert.deepEqual(await store.getNetwork(NWID), changed);

        assert.equal(await store.getNetwork(OTHER_NWID), undefined);
        assert.equal(await store.transaction((tx) => tx.deleteNetwork(NWID)), true);
        assert.equal(await store.getNetwork(NWID), undefined);
        assert.equal(await store.transaction((tx) => tx.deleteNetwork(NWID)), false);
      });

      it('lists networks and their ids ordered by id', async () => {
        const ids = ['8056c2e21c0000ff', '8056c2e21c000001', '1111111111000001', '8056c2e21c00000a'];
        await putNetworks(
          ...ids.map((id) =>
            sampleNetwork(id, { routes: [{ target: `10.0.${id.at(-1)}.0/24`, via: null }] }),
          ),
        );
        const sorted = [...ids].sort();
        assert.deepEqual(await store.listNetworkIds(), sorted);
        const networks = await store.listNetworks();
        assert.deepEqual(
          networks.map((network) => network.id),
          sorted,
        );
        for (const network of networks) assert.deepEqual(network, await store.getNetwork(network.id));
      });

      it('keeps routes in the order given, including a parent and child sharing an address', async () => {
        const routes = [
          { target: '10.0.0.0/8', via: null },
          { target: '10.0.0.0/24', via: null },
          { target: '192.168.0.0/16', via: '10.0.0.1' },
          { target: '0.0.0.0/0', via: '10.0.0.254' },
          { target: 'fd00:1234::/64', via: null },
          { target: '10.1.0.0/16', via: '10.0.0.2' },
        ];
        await putNetworks(sampleNetwork(NWID, { routes }));
        assert.deepEqual((await store.getNetwork(NWID))?.routes, routes);
        assert.deepEqual((await store.listNetworks())[0]?.routes, routes);

        const fewer = [routes[3]!, routes[0]!];
        await putNetworks(sampleNetwork(NWID, { routes: fewer }));
        assert.deepEqual((await store.getNetwork(NWID))?.routes, fewer);
      });
    });

    describe('routes by source', () => {
      it('putNetwork replaces manual routes and never touches other sources', async () => {
        await putNetworks(sampleNetwork(NWID, { routes: [{ target: '10.0.0.0/8', via: null }] }));
        const ipamRoutes = [ipam('10.1.0.0/16'), ipam('10.0.0.0/8', '10.0.0.1')];
        await store.transaction((tx) => tx.putRoutes(NWID, 'ipam', ipamRoutes));

        await putNetworks(
          sampleNetwork(NWID, { revision: 2, routes: [{ target: '172.16.0.0/12', via: null }] }),
        );
        assert.deepEqual(
          await store.listRoutes(NWID, 'ipam'),
          ipamRoutes.map((route) => ({ ...route, source: 'ipam' })),
        );
        assert.deepEqual((await store.getNetwork(NWID))?.routes, [{ target: '172.16.0.0/12', via: null }]);

        await putNetworks(sampleNetwork(NWID, { revision: 3, routes: [] }));
        assert.equal((await store.listRoutes(NWID, 'ipam')).length, 2);
        assert.deepEqual(await store.listRoutes(NWID, 'manual'), []);
      });

      it('putRoutes replaces only its own source and keeps order; listRoutes groups by source', async () => {
        await putNetworks(sampleNetwork(NWID, { routes: [{ target: '10.0.0.0/8', via: null }] }));
        await store.transaction(async (tx) => {
          await tx.putRoutes(NWID, 'ipam', [ipam('10.2.0.0/16'), ipam('10.1.0.0/16')]);
          await tx.putRoutes(NWID, 'advertised', [
            { target: '192.168.1.0/24', via: '10.0.0.5', owner: 'aaaaaaaaaa', metric: 100 },
          ]);
        });
        await store.transaction((tx) => tx.putRoutes(NWID, 'ipam', [ipam('10.3.0.0/16')]));
        assert.deepEqual(await store.listRoutes(NWID), [
          {
            target: '192.168.1.0/24',
            via: '10.0.0.5',
            owner: 'aaaaaaaaaa',
            metric: 100,
            source: 'advertised',
          },
          { ...ipam('10.3.0.0/16'), source: 'ipam' },
          { target: '10.0.0.0/8', via: null, owner: null, metric: 0, source: 'manual' },
        ]);
        // Routes of other sources never leak into the network record.
        assert.deepEqual((await store.getNetwork(NWID))?.routes, [{ target: '10.0.0.0/8', via: null }]);
      });

      it('putRoutes on an unknown network fails with NOT_FOUND', async () => {
        await assert.rejects(
          store.transaction((tx) => tx.putRoutes(OTHER_NWID, 'ipam', [ipam('10.0.0.0/8')])),
          isRpError(ErrorCodes.NOT_FOUND),
        );
        await assert.rejects(
          store.transaction((tx) => tx.putRoutes(OTHER_NWID, 'ipam', [])),
          isRpError(ErrorCodes.NOT_FOUND),
        );
      });
    });

    describe('members', () => {
      beforeEach(async () => {
        await putNetworks(sampleNetwork(NWID), sampleNetwork(OTHER_NWID));
      });

      it('puts, gets, replaces and deletes a member', async () => {
        const member = sampleMember(NWID, 'aaaaaaaaaa', {
          name: 'laptop',
          authorized: true,
          ipAssignments: ['10.147.17.5', 'fd00::5'],
          tags: [[1, 2]],
          identity: 'aaaaaaaaaa:0:abcd',
        });
        await putMembers(member);
        assert.deepEqual(await store.getMember(NWID, 'aaaaaaaaaa'), member);
        assert.equal(await store.getMember(OTHER_NWID, 'aaaaaaaaaa'), undefined);

        const changed = { ...sampleMember(NWID, 'aaaaaaaaaa'), revision: 2, ipAssignments: ['10.147.17.6'] };
        await putMembers(changed);
        assert.deepEqual(await store.getMember(NWID, 'aaaaaaaaaa'), changed);

        assert.equal(await store.transaction((tx) => tx.deleteMember(NWID, 'aaaaaaaaaa')), true);
        assert.equal(await store.getMember(NWID, 'aaaaaaaaaa'), undefined);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.6'), undefined);
        assert.equal(await store.transaction((tx) => tx.deleteMember(NWID, 'aaaaaaaaaa')), false);
      });

      it('records presence without touching the record, and putMember never rolls it back', async () => {
        const member = sampleMember(NWID, 'aaaaaaaaaa', {
          revision: 3,
          lastSeen: 1,
          physicalAddress: 'ignored/1',
        });
        await putMembers(member);
        const stored = await store.getMember(NWID, 'aaaaaaaaaa');
        assert.equal(stored?.lastSeen, undefined, 'putMember does not write presence');
        await store.transaction((tx) =>
          tx.recordPresence([
            {
              networkId: NWID,
              address: 'aaaaaaaaaa',
              lastSeen: 1_700_000_000_999,
              physicalAddress: '192.0.2.7/9993',
            },
            { networkId: NWID, address: 'bbbbbbbbbb', lastSeen: 5, physicalAddress: 'skipped/1' },
          ]),
        );
        const seen = await store.getMember(NWID, 'aaaaaaaaaa');
        assert.equal(seen?.lastSeen, 1_700_000_000_999);
        assert.equal(seen?.physicalAddress, '192.0.2.7/9993');
        assert.equal(seen?.revision, 3);
        assert.equal(await store.getMember(NWID, 'bbbbbbbbbb'), undefined, 'presence never creates a member');
        await putMembers({ ...member, revision: 4, name: 'renamed' });
        assert.equal((await store.getMember(NWID, 'aaaaaaaaaa'))?.lastSeen, 1_700_000_000_999);
      });

      it('lists members seen since a time, newest first, across networks, only those with a path', async () => {
        await putNetworks(sampleNetwork(OTHER_NWID));
        await putMembers(
          sampleMember(NWID, 'aaaaaaaaaa'),
          sampleMember(NWID, 'bbbbbbbbbb'),
          sampleMember(OTHER_NWID, 'cccccccccc'),
          sampleMember(NWID, 'dddddddddd'),
        );
        assert.deepEqual(await store.listRecentlySeen(0), []);
        await store.transaction((tx) =>
          tx.recordPresence([
            { networkId: NWID, address: 'aaaaaaaaaa', lastSeen: 1000, physicalAddress: '192.0.2.1/9993' },
            { networkId: NWID, address: 'bbbbbbbbbb', lastSeen: 500, physicalAddress: '192.0.2.2/9993' },
            {
              networkId: OTHER_NWID,
              address: 'cccccccccc',
              lastSeen: 2000,
              physicalAddress: '[2001:db8::1]/9993',
            },
          ]),
        );
        assert.deepEqual(await store.listRecentlySeen(1000), [
          {
            networkId: OTHER_NWID,
            address: 'cccccccccc',
            lastSeen: 2000,
            physicalAddress: '[2001:db8::1]/9993',
          },
          { networkId: NWID, address: 'aaaaaaaaaa', lastSeen: 1000, physicalAddress: '192.0.2.1/9993' },
        ]);
        assert.equal((await store.listRecentlySeen(0)).length, 3);
        assert.deepEqual(await store.listRecentlySeen(2001), []);
      });

      it('records the presence of many members in one call (more than one statement chunk); the last entry per member wins', async () => {
        const count = 1200;
        const address = (i: number) => (0x3000000000 + i).toString(16);
        await store.transaction(async (tx) => {
          for (let i = 0; i < count; i++) await tx.putMember(sampleMember(NWID, address(i)));
        });
        await store.transaction((tx) =>
          tx.recordPresence([
            ...Array.from({ length: count }, (_, i) => ({
              networkId: NWID,
              address: address(i),
              lastSeen: 10_000 + i,
              physicalAddress: `192.0.2.${i % 250}/${1000 + i}`,
            })),
            { networkId: NWID, address: address(7), lastSeen: 99_999, physicalAddress: '198.51.100.1/9993' },
          ]),
        );
        const seen = await store.listRecentlySeen(0);
        assert.equal(seen.length, count);
        assert.deepEqual(seen[0], {
          networkId: NWID,
          address: address(7),
          lastSeen: 99_999,
          physicalAddress: '198.51.100.1/9993',
        });
        assert.equal((await store.getMember(NWID, address(1199)))?.lastSeen, 11_199);
      });

      it('remembers validated identities; the first one for an address wins', async () => {
        assert.equal(await store.getKnownIdentity('aaaaaaaaaa'), undefined);
        await store.transaction((tx) => tx.rememberIdentity('aaaaaaaaaa', 'aaaaaaaaaa:0:01', 5));
        await store.transaction((tx) => tx.rememberIdentity('aaaaaaaaaa', 'aaaaaaaaaa:0:02', 6));
        assert.equal(await store.getKnownIdentity('aaaaaaaaaa'), 'aaaaaaaaaa:0:01');
      });

      it('lists active bridges of a network', async () => {
        await putMembers(
          sampleMember(NWID, 'aaaaaaaaaa', { activeBridge: true }),
          sampleMember(NWID, 'bbbbbbbbbb', { activeBridge: false }),
          sampleMember(OTHER_NWID, 'cccccccccc', { activeBridge: true }),
        );
        assert.deepEqual(await store.listActiveBridges(NWID), ['aaaaaaaaaa']);
        await putMembers(sampleMember(NWID, 'aaaaaaaaaa', { activeBridge: false, revision: 2 }));
        assert.deepEqual(await store.listActiveBridges(NWID), []);
      });

      it('lists members and revisions ordered by address, per network', async () => {
        const addresses = ['ffffffffff', '0000000001', 'abcdef0123', '1234567890'];
        await putMembers(
          ...addresses.map((address, index) => sampleMember(NWID, address, { revision: index + 10 })),
          sampleMember(OTHER_NWID, '5555555555'),
        );
        const members = await store.listMembers(NWID);
        assert.deepEqual(
          members.map((member) => member.address),
          [...addresses].sort(),
        );
        for (const member of members) assert.deepEqual(member, await store.getMember(NWID, member.address));
        assert.deepEqual(await store.listMemberRevisions(NWID), [
          ['0000000001', 11],
          ['1234567890', 13],
          ['abcdef0123', 12],
          ['ffffffffff', 10],
        ]);
        assert.deepEqual(await store.listMembers('8056c2e21c0000ee'), []);
      });

      it('pages through members by address (keyset), per network', async () => {
        const addresses = Array.from({ length: 23 }, (_, i) =>
          (0xa000000000 + i * 7919).toString(16),
        ).reverse();
        await putMembers(
          ...addresses.map((address, index) =>
            sampleMember(NWID, address, { revision: index + 1, authorized: index % 3 === 0 }),
          ),
          sampleMember(OTHER_NWID, '0000000002'),
          sampleMember(OTHER_NWID, 'fffffffff0'),
        );
        const all = await store.listMembers(NWID);
        for (const limit of [1, 5, 23, 100]) {
          const paged = [];
          let after: string | undefined;
          for (;;) {
            const page = await store.listMembersPage(NWID, after, limit);
            assert.ok(page.length <= limit);
            paged.push(...page);
            if (page.length < limit) break;
            after = page.at(-1)!.address;
          }
          assert.deepEqual(paged, all, `limit ${limit}`);
        }
        // After an address that is not a member, and after the last one.
        assert.deepEqual(
          (await store.listMembersPage(NWID, 'a000000001', 2)).map((member) => member.address),
          all.slice(1, 3).map((member) => member.address),
        );
        assert.deepEqual(await store.listMembersPage(NWID, all.at(-1)!.address, 10), []);
        assert.deepEqual(await store.listMembersPage('8056c2e21c0000ee', undefined, 10), []);
        // Inside a transaction it sees the transaction's own writes.
        await store
          .transaction(async (tx) => {
            await tx.putMember(sampleMember(NWID, '0000000001'));
            assert.equal((await tx.listMembersPage(NWID, undefined, 1))[0]?.address, '0000000001');
            throw new Rollback('undo');
          })
          .catch((error: unknown) => assert.ok(error instanceof Rollback));
        assert.equal((await store.listMembersPage(NWID, undefined, 1))[0]?.address, all[0]!.address);
      });

      it('counts members and authorized members', async () => {
        assert.deepEqual(await store.countMembers(NWID), { total: 0, authorized: 0 });
        await putMembers(
          sampleMember(NWID, 'aaaaaaaaa1', { authorized: true }),
          sampleMember(NWID, 'aaaaaaaaa2', { authorized: false }),
          sampleMember(NWID, 'aaaaaaaaa3', { authorized: true }),
          sampleMember(OTHER_NWID, 'aaaaaaaaa4', { authorized: true }),
        );
        assert.deepEqual(await store.countMembers(NWID), { total: 3, authorized: 2 });
        assert.deepEqual(await store.countMembers(OTHER_NWID), { total: 1, authorized: 1 });
        await putMembers(sampleMember(NWID, 'aaaaaaaaa1', { authorized: false, revision: 2 }));
        assert.deepEqual(await store.countMembers(NWID), { total: 3, authorized: 1 });
      });

      it('putMember on an unknown network fails with NOT_FOUND', async () => {
        await assert.rejects(
          putMembers(sampleMember('8056c2e21c0000ee', 'aaaaaaaaaa')),
          isRpError(ErrorCodes.NOT_FOUND),
        );
      });

      it('finds the holder of an IP, per network, following reassignments', async () => {
        await putMembers(
          sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5', 'fd00::5'] }),
          // The same IP in another network is no conflict.
          sampleMember(OTHER_NWID, 'bbbbbbbbbb', { ipAssignments: ['10.147.17.5'] }),
        );
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), 'aaaaaaaaaa');
        assert.equal(await store.findIpOwner(NWID, 'fd00::5'), 'aaaaaaaaaa');
        assert.equal(await store.findIpOwner(OTHER_NWID, '10.147.17.5'), 'bbbbbbbbbb');
        assert.equal(await store.findIpOwner(NWID, '10.147.17.6'), undefined);

        // Giving up an IP frees it for another member in the same transaction.
        await putMembers(
          sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['fd00::5'], revision: 2 }),
          sampleMember(NWID, 'cccccccccc', { ipAssignments: ['10.147.17.5'] }),
        );
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), 'cccccccccc');
        assert.equal(await store.findIpOwner(NWID, 'fd00::5'), 'aaaaaaaaaa');
      });

      it('keeps a member that lists the same IP twice, holding it once', async () => {
        const member = sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5', '10.147.17.5'] });
        await putMembers(member);
        await putMembers({ ...member, revision: 2 });
        assert.deepEqual((await store.getMember(NWID, 'aaaaaaaaaa'))?.ipAssignments, [
          '10.147.17.5',
          '10.147.17.5',
        ]);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), 'aaaaaaaaaa');
      });

      it('rejects an IP held by another member and rolls the whole transaction back', async () => {
        await putMembers(sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5'] }));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putNetwork(sampleNetwork(NWID, { name: 'changed', revision: 2 }));
            await tx.putMember(sampleMember(NWID, 'cccccccccc'));
            await tx.setSetting('touched', 'yes');
            await tx.putMember(
              sampleMember(NWID, 'bbbbbbbbbb', { ipAssignments: ['10.147.17.9', '10.147.17.5'] }),
            );
          }),
          isRpError(
            ErrorCodes.CONFLICT,
            `10.147.17.5 is already assigned to member aaaaaaaaaa in network ${NWID}`,
          ),
        );
        assert.equal(await store.getMember(NWID, 'bbbbbbbbbb'), undefined);
        assert.equal(await store.getMember(NWID, 'cccccccccc'), undefined);
        assert.equal((await store.getNetwork(NWID))?.name, `net-${NWID}`);
        assert.equal(await store.getSetting('touched'), undefined);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), 'aaaaaaaaaa');
        assert.equal(await store.findIpOwner(NWID, '10.147.17.9'), undefined);
        assert.deepEqual(await store.countMembers(NWID), { total: 1, authorized: 0 });
      });

      it('rejects taking an IP from an existing member without changing either', async () => {
        const a = sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5'] });
        const b = sampleMember(NWID, 'bbbbbbbbbb', { ipAssignments: ['10.147.17.6'] });
        await putMembers(a, b);
        await assert.rejects(
          putMembers({ ...b, revision: 2, ipAssignments: ['10.147.17.5'] }),
          isRpError(ErrorCodes.CONFLICT, /^10\.147\.17\.5 is already assigned to member aaaaaaaaaa/),
        );
        assert.deepEqual(await store.getMember(NWID, 'bbbbbbbbbb'), b);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.6'), 'bbbbbbbbbb');
      });
    });

    describe('IPAM subnets', () => {
      const subnet = (
        id: string,
        prefix: string,
        overrides: Partial<StoredIpamSubnet> = {},
      ): StoredIpamSubnet => ({
        id,
        prefix,
        name: `name of ${id}`,
        parentId: null,
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_000,
        ...overrides,
      });
      const putSubnets = (...subnets: StoredIpamSubnet[]) =>
        store.transaction((tx) => tx.putIpamSubnets(subnets));

      it('puts, lists by id, replaces by id and deletes subnets; networkId is not stored', async () => {
        assert.deepEqual(await store.listIpamSubnets(), []);
        const root = subnet('s-b', '10.0.0.0/8', { name: 'corp', createdAt: 5, updatedAt: 6 });
        const child = subnet('s-c', '10.1.0.0/16', { parentId: 's-b', createdAt: 1_700_000_000_001 });
        const v6 = subnet('s-a', 'fd00::/48', { networkId: NWID });
        await putSubnets(root, child, v6);
        const { networkId: _bound, ...v6Stored } = v6;
        const listed = await store.listIpamSubnets();
        assert.deepEqual(listed, [v6Stored, root, child]);
        assert.ok(listed.every((stored) => !('networkId' in stored)));

        // Replace by id: every column follows, including a prefix change and becoming a root.
        const moved = subnet('s-c', '10.2.0.0/16', { name: 'moved', parentId: null, updatedAt: 99 });
        await putSubnets(moved);
        assert.deepEqual(await store.listIpamSubnets(), [v6Stored, root, moved]);
        // Its old prefix is free again.
        await putSubnets(subnet('s-d', '10.1.0.0/16', { parentId: 's-b' }));
        assert.deepEqual(
          (await store.listIpamSubnets()).map((stored) => [stored.id, stored.prefix]),
          [
            ['s-a', 'fd00::/48'],
            ['s-b', '10.0.0.0/8'],
            ['s-c', '10.2.0.0/16'],
            ['s-d', '10.1.0.0/16'],
          ],
        );

        assert.equal(
          await store.transaction((tx) => tx.deleteIpamSubnets(['s-c', 'missing', 's-a', 's-c'])),
          2,
        );
        assert.equal(await store.transaction((tx) => tx.deleteIpamSubnets(['s-c'])), 0);
        assert.equal(await store.transaction((tx) => tx.deleteIpamSubnets([])), 0);
        await store.transaction((tx) => tx.putIpamSubnets([]));
        assert.deepEqual(
          (await store.listIpamSubnets()).map((stored) => stored.id),
          ['s-b', 's-d'],
        );
      });

      it('a later entry of the same call replaces an earlier one with the same id', async () => {
        await putSubnets(subnet('s-1', '10.0.0.0/8'), subnet('s-1', '11.0.0.0/8', { name: 'second' }));
        assert.deepEqual(await store.listIpamSubnets(), [subnet('s-1', '11.0.0.0/8', { name: 'second' })]);
      });

      it('refuses a prefix held by another id with CONFLICT naming it, changing nothing', async () => {
        const a = subnet('s-a', '10.0.0.0/8');
        const b = subnet('s-b', '10.1.0.0/16', { parentId: 's-a' });
        await putSubnets(a, b);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putIpamSubnets([subnet('s-c', '192.168.0.0/16')]);
            await tx.putIpamSubnets([subnet('s-d', '172.16.0.0/12'), subnet('s-e', '10.1.0.0/16')]);
          }),
          isRpError(ErrorCodes.CONFLICT, /10\.1\.0\.0\/16.*s-b/),
        );
        // Two new ids with one prefix in one call.
        await assert.rejects(
          putSubnets(subnet('s-f', '10.9.0.0/16'), subnet('s-g', '10.9.0.0/16')),
          isRpError(ErrorCodes.CONFLICT, /10\.9\.0\.0\/16/),
        );
        // Taking a prefix before its holder (later in the call) gives it up is refused too.
        await assert.rejects(
          putSubnets(subnet('s-h', '10.0.0.0/8'), subnet('s-a', '12.0.0.0/8')),
          isRpError(ErrorCodes.CONFLICT, /10\.0\.0\.0\/8/),
        );
        assert.deepEqual(await store.listIpamSubnets(), [a, b]);

        // After its holder gives it up earlier in the same call, the prefix may be taken.
        await putSubnets(subnet('s-a', '12.0.0.0/8'), subnet('s-h', '10.0.0.0/8'));
        assert.deepEqual(
          (await store.listIpamSubnets()).map((stored) => [stored.id, stored.prefix]),
          [
            ['s-a', '12.0.0.0/8'],
            ['s-b', '10.1.0.0/16'],
            ['s-h', '10.0.0.0/8'],
          ],
        );
        // Writing a subnet again with its own prefix is no conflict.
        await putSubnets(subnet('s-b', '10.1.0.0/16', { name: 'renamed' }));
        assert.equal((await store.listIpamSubnets())[1]?.name, 'renamed');
      });

      it('a failed transaction leaves IPAM untouched; reads inside see its own writes', async () => {
        const a = subnet('s-a', '10.0.0.0/8');
        const b = subnet('s-b', '10.1.0.0/16', { parentId: 's-a' });
        await putSubnets(a, b);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putIpamSubnets([
              subnet('s-b', '10.2.0.0/16', { parentId: null }),
              subnet('s-c', '10.3.0.0/16'),
            ]);
            assert.equal(await tx.deleteIpamSubnets(['s-a']), 1);
            assert.deepEqual(
              (await tx.listIpamSubnets()).map((stored) => stored.id),
              ['s-b', 's-c'],
            );
            throw new Rollback('undo');
          }),
          Rollback,
        );
        assert.deepEqual(await store.listIpamSubnets(), [a, b]);
      });
    });

    describe('advertisements', () => {
      const putAdverts = (...rows: StoredAdvertisement[]) =>
        store.transaction((tx) => tx.putAdvertisements(rows));
      const deleteAdverts = (networkId: string, member: string, prefixes?: readonly string[]) =>
        store.transaction((tx) => tx.deleteAdvertisements(networkId, member, prefixes));
      const keys = (rows: StoredAdvertisement[]) => rows.map((row) => `${row.member} ${row.prefix}`);

      beforeEach(async () => {
        await putNetworks(sampleNetwork(NWID), sampleNetwork(OTHER_NWID));
      });

      it('round-trips every field, nulls and booleans included', async () => {
        const full = sampleAdvertisement(NWID, 'aaaaaaaaaa', '192.168.1.0/24', {
          metric: 7,
          advertised: true,
          approved: true,
          approvedBy: 'api:ops',
          slot: 3,
          advertisedAt: 1_700_000_000_001,
          approvedAt: 1_700_000_000_002,
          updatedAt: Number.MAX_SAFE_INTEGER,
          primary: true,
          health: 'healthy',
          healthSince: 1_700_000_000_003,
        });
        const bare = sampleAdvertisement(NWID, 'bbbbbbbbbb', '192.168.1.0/24', {
          metric: 0,
          advertised: false,
          approved: false,
          approvedBy: null,
          slot: 0,
          advertisedAt: null,
          approvedAt: null,
          updatedAt: 0,
          primary: false,
          health: null,
          healthSince: null,
        });
        // Only the booleans set: each maps to its own column.
        const mixed = sampleAdvertisement(NWID, 'cccccccccc', '192.168.1.0/24', {
          advertised: false,
          approved: true,
          primary: false,
        });
        const mixed2 = sampleAdvertisement(NWID, 'dddddddddd', '192.168.1.0/24', {
          advertised: true,
          approved: false,
          primary: true,
        });
        await putAdverts(mixed2, bare, full, mixed);
        assert.deepEqual(await store.listAdvertisements(NWID), [full, bare, mixed, mixed2]);
        assert.deepEqual(await store.listAdvertisements(OTHER_NWID), []);
        assert.deepEqual(await store.listAdvertisements('8056c2e21c0000ee'), []);
      });

      it('lists by prefix then member (code-unit order); lists the advertised networks', async () => {
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), []);
        const prefixes = [
          'fd00::/64',
          '101.0.0.0/8',
          '10.1.0.0/16',
          '10.0.0.0/8',
          '10.0.0.0/24',
          '192.168.0.0/16',
          'FD00::/64',
        ];
        const rows = prefixes.flatMap((prefix, i) => [
          sampleAdvertisement(NWID, 'bbbbbbbbbb', prefix, { slot: i }),
          sampleAdvertisement(NWID, 'aaaaaaaaaa', prefix, { slot: i + 100 }),
        ]);
        await putAdverts(...rows, sampleAdvertisement(OTHER_NWID, 'aaaaaaaaaa', '10.0.0.0/8'));
        const sorted = [...prefixes].sort();
        assert.deepEqual(sorted, [
          '10.0.0.0/24',
          '10.0.0.0/8',
          '10.1.0.0/16',
          '101.0.0.0/8',
          '192.168.0.0/16',
          'FD00::/64',
          'fd00::/64',
        ]);
        assert.deepEqual(
          keys(await store.listAdvertisements(NWID)),
          sorted.flatMap((prefix) => [`aaaaaaaaaa ${prefix}`, `bbbbbbbbbb ${prefix}`]),
        );
        assert.deepEqual(keys(await store.listAdvertisements(OTHER_NWID)), ['aaaaaaaaaa 10.0.0.0/8']);
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), [NWID, OTHER_NWID]);

        await putNetworks(sampleNetwork('1111111111000001'));
        await putAdverts(sampleAdvertisement('1111111111000001', 'cccccccccc', '10.9.0.0/16'));
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), ['1111111111000001', NWID, OTHER_NWID]);
        // A network whose rows are all deleted is no longer listed.
        assert.equal(await deleteAdverts(OTHER_NWID, 'aaaaaaaaaa'), 1);
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), ['1111111111000001', NWID]);
      });

      it('upserts by (network, member, prefix): every column is replaced, other rows untouched', async () => {
        const a = sampleAdvertisement(NWID, 'aaaaaaaaaa', '10.0.0.0/8', {
          approved: true,
          approvedBy: 'api',
          approvedAt: 5,
          primary: true,
          health: 'healthy',
          healthSince: 6,
        });
        const b = sampleAdvertisement(NWID, 'bbbbbbbbbb', '10.0.0.0/8');
        const other = sampleAdvertisement(OTHER_NWID, 'aaaaaaaaaa', '10.0.0.0/8');
        await putAdverts(a, b, other);

        const replaced: StoredAdvertisement = {
          ...a,
          metric: 5,
          advertised: false,
          approved: false,
          approvedBy: null,
          slot: 9,
          advertisedAt: null,
          approvedAt: null,
          updatedAt: 1_700_000_000_999,
          primary: false,
          health: null,
          healthSince: null,
        };
        await putAdverts(replaced);
        assert.deepEqual(await store.listAdvertisements(NWID), [replaced, b]);
        assert.deepEqual(await store.listAdvertisements(OTHER_NWID), [other]);

        // And back from nulls to values.
        await putAdverts(a);
        assert.deepEqual(await store.listAdvertisements(NWID), [a, b]);

        // A later entry of the same call replaces an earlier one with the same key.
        const first = sampleAdvertisement(NWID, 'cccccccccc', '10.2.0.0/16', { metric: 1 });
        const second = { ...first, metric: 2, approved: true, health: 'down' };
        await putAdverts(first, second);
        assert.deepEqual(
          (await store.listAdvertisements(NWID)).filter((row) => row.member === 'cccccccccc'),
          [second],
        );
        await store.transaction((tx) => tx.putAdvertisements([]));
        assert.equal((await store.listAdvertisements(NWID)).length, 3);
      });

      it('deletes given prefixes of one member, or all of them', async () => {
        const prefixes = ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', 'fd00::/64'];
        await putAdverts(
          ...prefixes.map((prefix) => sampleAdvertisement(NWID, 'aaaaaaaaaa', prefix)),
          ...prefixes.map((prefix) => sampleAdvertisement(NWID, 'bbbbbbbbbb', prefix)),
          ...prefixes.map((prefix) => sampleAdvertisement(OTHER_NWID, 'aaaaaaaaaa', prefix)),
        );
        assert.equal(
          await deleteAdverts(NWID, 'aaaaaaaaaa', ['10.1.0.0/16', 'fd00::/64', '172.16.0.0/12', 'fd00::/64']),
          2,
        );
        assert.deepEqual(keys(await store.listAdvertisements(NWID)), [
          'aaaaaaaaaa 10.0.0.0/8',
          'bbbbbbbbbb 10.0.0.0/8',
          'bbbbbbbbbb 10.1.0.0/16',
          'aaaaaaaaaa 10.2.0.0/16',
          'bbbbbbbbbb 10.2.0.0/16',
          'bbbbbbbbbb fd00::/64',
        ]);
        assert.equal(await deleteAdverts(NWID, 'aaaaaaaaaa', ['10.1.0.0/16']), 0);
        assert.equal(await deleteAdverts(NWID, 'aaaaaaaaaa', []), 0);
        assert.equal((await store.listAdvertisements(NWID)).length, 6);

        assert.equal(await deleteAdverts(NWID, 'aaaaaaaaaa'), 2);
        assert.deepEqual(keys(await store.listAdvertisements(NWID)), [
          'bbbbbbbbbb 10.0.0.0/8',
          'bbbbbbbbbb 10.1.0.0/16',
          'bbbbbbbbbb 10.2.0.0/16',
          'bbbbbbbbbb fd00::/64',
        ]);
        assert.equal(await deleteAdverts(NWID, 'aaaaaaaaaa'), 0);
        assert.equal(await deleteAdverts(NWID, 'cccccccccc'), 0);
        // The same member in another network keeps its rows.
        assert.equal((await store.listAdvertisements(OTHER_NWID)).length, 4);
      });

      it('deleteMember removes that member’s rows only', async () => {
        await putMembers(
          sampleMember(NWID, 'aaaaaaaaaa'),
          sampleMember(NWID, 'bbbbbbbbbb'),
          sampleMember(OTHER_NWID, 'aaaaaaaaaa'),
        );
        await putAdverts(
          sampleAdvertisement(NWID, 'aaaaaaaaaa', '10.0.0.0/8'),
          sampleAdvertisement(NWID, 'aaaaaaaaaa', '10.1.0.0/16'),
          sampleAdvertisement(NWID, 'bbbbbbbbbb', '10.0.0.0/8'),
          sampleAdvertisement(OTHER_NWID, 'aaaaaaaaaa', '10.0.0.0/8'),
        );
        assert.equal(await store.transaction((tx) => tx.deleteMember(NWID, 'aaaaaaaaaa')), true);
        assert.deepEqual(keys(await store.listAdvertisements(NWID)), ['bbbbbbbbbb 10.0.0.0/8']);
        assert.deepEqual(keys(await store.listAdvertisements(OTHER_NWID)), ['aaaaaaaaaa 10.0.0.0/8']);
        // The member coming back starts without advertisements.
        await putMembers(sampleMember(NWID, 'aaaaaaaaaa'));
        assert.deepEqual(keys(await store.listAdvertisements(NWID)), ['bbbbbbbbbb 10.0.0.0/8']);
      });

      it('deleteNetwork removes the network’s rows only', async () => {
        await putAdverts(
          sampleAdvertisement(NWID, 'aaaaaaaaaa', '10.0.0.0/8'),
          sampleAdvertisement(NWID, 'bbbbbbbbbb', '10.1.0.0/16'),
          sampleAdvertisement(OTHER_NWID, 'aaaaaaaaaa', '10.0.0.0/8'),
        );
        assert.equal(await store.transaction((tx) => tx.deleteNetwork(NWID)), true);
        assert.deepEqual(await store.listAdvertisements(NWID), []);
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), [OTHER_NWID]);
        assert.equal((await store.listAdvertisements(OTHER_NWID)).length, 1);
        // A new network under the same id starts empty.
        await putNetworks(sampleNetwork(NWID));
        assert.deepEqual(await store.listAdvertisements(NWID), []);
      });

      it('fails with NOT_FOUND for an unknown network, writing none of the call', async () => {
        await assert.rejects(
          putAdverts(sampleAdvertisement('8056c2e21c0000ee', 'aaaaaaaaaa', '10.0.0.0/8')),
          isRpError(ErrorCodes.NOT_FOUND, /8056c2e21c0000ee/),
        );
        await store.transaction(async (tx) => {
          await assert.rejects(
            tx.putAdvertisements([
              sampleAdvertisement(NWID, 'aaaaaaaaaa', '10.0.0.0/8'),
              sampleAdvertisement('8056c2e21c0000ee', 'aaaaaaaaaa', '10.0.0.0/8'),
            ]),
            isRpError(ErrorCodes.NOT_FOUND, /8056c2e21c0000ee/),
          );
          assert.deepEqual(await tx.listAdvertisements(NWID), []);
        });
        assert.deepEqual(await store.listAdvertisements(NWID), []);
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), []);
      });

      it('a failed transaction leaves rows untouched; reads inside see its own writes', async () => {
        await putMembers(sampleMember(NWID, 'aaaaaaaaaa'));
        const a = sampleAdvertisement(NWID, 'aaaaaaaaaa', '10.0.0.0/8', { approved: true });
        const b = sampleAdvertisement(NWID, 'bbbbbbbbbb', '10.1.0.0/16');
        await putAdverts(a, b);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putAdvertisements([
              { ...a, approved: false, primary: true, updatedAt: 2 },
              sampleAdvertisement(OTHER_NWID, 'cccccccccc', '10.2.0.0/16'),
            ]);
            assert.equal(await tx.deleteAdvertisements(NWID, 'bbbbbbbbbb'), 1);
            assert.deepEqual(await tx.listAdvertisements(NWID), [
              { ...a, approved: false, primary: true, updatedAt: 2 },
            ]);
            assert.deepEqual(await tx.listAllAdvertisedNetworkIds(), [NWID, OTHER_NWID]);
            await tx.deleteMember(NWID, 'aaaaaaaaaa');
            assert.deepEqual(await tx.listAdvertisements(NWID), []);
            throw new Rollback('undo');
          }),
          Rollback,
        );
        assert.deepEqual(await store.listAdvertisements(NWID), [a, b]);
        assert.deepEqual(await store.listAllAdvertisedNetworkIds(), [NWID]);
      });
    });

    describe('API tokens', () => {
      const putTokens = (...tokens: StoredApiToken[]) =>
        store.transaction(async (tx) => {
          for (const token of tokens) await tx.putApiToken(token);
        });

      it('round-trips every field, lists by createdAt then id, finds by hash', async () => {
        assert.deepEqual(await store.listApiTokens(), []);
        const admin = sampleToken('t-b', { name: 'admin', createdAt: 20 });
        const scoped = sampleToken('t-a', {
          name: 'router ☃',
          networkId: NWID,
          memberAddress: 'aaaaaaaaaa',
          createdAt: 20,
          lastUsedAt: Number.MAX_SAFE_INTEGER,
        });
        const oldest = sampleToken('t-c', { createdAt: 10, lastUsedAt: 11 });
        const newest = sampleToken('t-0', { createdAt: 30 });
        await putTokens(admin, scoped, newest, oldest);
        assert.deepEqual(await store.listApiTokens(), [oldest, scoped, admin, newest]);
        assert.deepEqual(await store.getApiTokenByHash(scoped.tokenHash), scoped);
        assert.deepEqual(await store.getApiTokenByHash(admin.tokenHash), admin);
        assert.equal(await store.getApiTokenByHash('0'.repeat(64)), undefined);
        assert.equal(await store.getApiTokenByHash(''), undefined);
        assert.equal(await store.getApiTokenByHash(scoped.tokenHash.toUpperCase()), undefined);
      });

      it('replaces by id, touches, and deletes', async () => {
        const token = sampleToken('t-1', { networkId: NWID, memberAddress: 'aaaaaaaaaa', lastUsedAt: 5 });
        const other = sampleToken('t-2');
        await putTokens(token, other);

        const rotated = sampleToken('t-1', {
          name: 'rotated',
          tokenHash: 'ff'.repeat(32),
          createdAt: 1_800_000_000_000,
          lastUsedAt: null,
        });
        await putTokens(rotated);
        assert.deepEqual(await store.listApiTokens(), [other, rotated]);
        assert.equal(await store.getApiTokenByHash(token.tokenHash), undefined);
        assert.deepEqual(await store.getApiTokenByHash(rotated.tokenHash), rotated);

        await store.transaction((tx) => tx.touchApiToken('t-1', 1_700_000_000_500));
        await store.transaction((tx) => tx.touchApiToken('missing', 1));
        assert.deepEqual(await store.getApiTokenByHash(rotated.tokenHash), {
          ...rotated,
          lastUsedAt: 1_700_000_000_500,
        });
        assert.deepEqual(await store.getApiTokenByHash(other.tokenHash), other);
        assert.equal((await store.listApiTokens()).length, 2);

        assert.equal(await store.transaction((tx) => tx.deleteApiToken('t-1')), true);
        assert.equal(await store.transaction((tx) => tx.deleteApiToken('t-1')), false);
        assert.equal(await store.getApiTokenByHash(rotated.tokenHash), undefined);
        assert.deepEqual(await store.listApiTokens(), [other]);
        // Its hash is free again.
        await putTokens(sampleToken('t-3', { tokenHash: rotated.tokenHash }));
        assert.equal((await store.getApiTokenByHash(rotated.tokenHash))?.id, 't-3');
      });

      it('refuses a hash held by another id with CONFLICT, changing nothing', async () => {
        const a = sampleToken('t-a');
        const b = sampleToken('t-b');
        await putTokens(a, b);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putApiToken(sampleToken('t-c'));
            await tx.putApiToken(sampleToken('t-d', { tokenHash: a.tokenHash }));
          }),
          isRpError(ErrorCodes.CONFLICT, /t-a/),
        );
        await assert.rejects(
          putTokens({ ...b, tokenHash: a.tokenHash, name: 'stolen' }),
          isRpError(ErrorCodes.CONFLICT),
        );
        assert.deepEqual(await store.listApiTokens(), [a, b]);
        assert.equal((await store.getApiTokenByHash(a.tokenHash))?.id, 't-a');

        // Writing a token again with its own hash is no conflict; a hash given up earlier in the
        // same transaction may be taken.
        await putTokens({ ...a, name: 'renamed' });
        await putTokens({ ...a, tokenHash: 'ee'.repeat(32) }, { ...b, tokenHash: a.tokenHash });
        assert.equal((await store.getApiTokenByHash(a.tokenHash))?.id, 't-b');
        assert.equal((await store.getApiTokenByHash('ee'.repeat(32)))?.id, 't-a');
      });

      it('a failed transaction leaves tokens untouched', async () => {
        const a = sampleToken('t-a', { lastUsedAt: 1 });
        await putTokens(a);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putApiToken(sampleToken('t-b'));
            await tx.touchApiToken('t-a', 2);
            assert.equal((await tx.getApiTokenByHash(a.tokenHash))?.lastUsedAt, 2);
            assert.equal(await tx.deleteApiToken('t-a'), true);
            assert.equal((await tx.listApiTokens()).length, 1);
            throw new Rollback('undo');
          }),
          Rollback,
        );
        assert.deepEqual(await store.listApiTokens(), [a]);
      });

      it('tokens scoped to a deleted member or network stay', async () => {
        await putNetworks(sampleNetwork(NWID));
        await putMembers(sampleMember(NWID, 'aaaaaaaaaa'));
        const scoped = sampleToken('t-1', { networkId: NWID, memberAddress: 'aaaaaaaaaa' });
        await putTokens(scoped);
        await store.transaction((tx) => tx.deleteMember(NWID, 'aaaaaaaaaa'));
        assert.deepEqual(await store.getApiTokenByHash(scoped.tokenHash), scoped);
        await store.transaction((tx) => tx.deleteNetwork(NWID));
        assert.deepEqual(await store.listApiTokens(), [scoped]);
      });
    });

    describe('member route facts', () => {
      beforeEach(async () => {
        await putNetworks(sampleNetwork(NWID), sampleNetwork(OTHER_NWID));
      });

      it('lists address, authorization and IPs of one network, ordered by address', async () => {
        await putMembers(
          sampleMember(NWID, 'ffffffffff', { authorized: true, ipAssignments: ['10.147.17.9', 'fd00::9'] }),
          sampleMember(NWID, '0000000001', { authorized: false, ipAssignments: [] }),
          sampleMember(NWID, 'abcdef0123', {
            authorized: true,
            ipAssignments: ['10.147.17.3', '10.147.17.2', '10.147.17.3'],
          }),
          sampleMember(OTHER_NWID, '5555555555', { authorized: true, ipAssignments: ['10.147.17.9'] }),
        );
        assert.deepEqual(await store.listMemberRouteFacts(NWID), [
          { address: '0000000001', authorized: false, ipAssignments: [] },
          {
            address: 'abcdef0123',
            authorized: true,
            ipAssignments: ['10.147.17.3', '10.147.17.2', '10.147.17.3'],
          },
          { address: 'ffffffffff', authorized: true, ipAssignments: ['10.147.17.9', 'fd00::9'] },
        ]);
        assert.deepEqual(await store.listMemberRouteFacts(OTHER_NWID), [
          { address: '5555555555', authorized: true, ipAssignments: ['10.147.17.9'] },
        ]);
        assert.deepEqual(await store.listMemberRouteFacts('8056c2e21c0000ee'), []);

        // Follows rewrites and deletes, inside and outside a transaction.
        await store.transaction(async (tx) => {
          await tx.putMember(
            sampleMember(NWID, 'ffffffffff', { authorized: false, revision: 2, ipAssignments: ['fd00::1'] }),
          );
          await tx.deleteMember(NWID, '0000000001');
          assert.deepEqual(await tx.listMemberRouteFacts(NWID), [
            {
              address: 'abcdef0123',
              authorized: true,
              ipAssignments: ['10.147.17.3', '10.147.17.2', '10.147.17.3'],
            },
            { address: 'ffffffffff', authorized: false, ipAssignments: ['fd00::1'] },
          ]);
        });
        assert.deepEqual(
          (await store.listMemberRouteFacts(NWID)).map((facts) => facts.address),
          ['abcdef0123', 'ffffffffff'],
        );
      });

      it('agrees with listMembers for any members', async () => {
        const members = Array.from({ length: 30 }, (_, i) =>
          sampleMember(NWID, (0xb000000000 + i * 104_729).toString(16), {
            authorized: i % 4 !== 1,
            ipAssignments: i % 5 === 0 ? [] : [`10.147.${i}.1`, `fd00::${i.toString(16)}`],
          }),
        );
        await putMembers(...members.reverse());
        assert.deepEqual(
          await store.listMemberRouteFacts(NWID),
          (await store.listMembers(NWID)).map(({ address, authorized, ipAssignments }) => ({
            address,
            authorized,
            ipAssignments,
          })),
        );
      });
    });

    describe('transactions', () => {
      it('returns what the function returns', async () => {
        assert.equal(await store.transaction(() => Promise.resolve(42)), 42);
      });

      it('rolls back every write when the function throws', async () => {
        await putNetworks(sampleNetwork(NWID));
        const before = await store.listEvents({});
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.setSetting('k', 'v');
            await tx.putNetwork(sampleNetwork(OTHER_NWID));
            await tx.putNetwork(sampleNetwork(NWID, { name: 'changed', revision: 9, routes: [] }));
            await tx.putRoutes(NWID, 'ipam', [ipam('10.9.0.0/16')]);
            await tx.putMember(sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5'] }));
            await tx.appendEvent(sampleEvent());
            // Reads inside the transaction see its own writes.
            assert.equal((await tx.getNetwork(NWID))?.name, 'changed');
            assert.equal(await tx.findIpOwner(NWID, '10.147.17.5'), 'aaaaaaaaaa');
            throw new Rollback('no');
          }),
          Rollback,
        );
        assert.equal(await store.getSetting('k'), undefined);
        assert.equal(await store.getNetwork(OTHER_NWID), undefined);
        assert.deepEqual(await store.getNetwork(NWID), sampleNetwork(NWID));
        assert.deepEqual(await store.listRoutes(NWID, 'ipam'), []);
        assert.equal(await store.getMember(NWID, 'aaaaaaaaaa'), undefined);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), undefined);
        assert.deepEqual(await store.listEvents({}), before);
      });

      it('runs concurrent transactions one after another without losing any', async () => {
        await putNetworks(sampleNetwork(NWID));
        const addresses = Array.from({ length: 20 }, (_, i) => `00000000${String(i).padStart(2, '0')}`);
        await Promise.all(
          addresses.map((address, i) =>
            store.transaction(async (tx) => {
              await tx.putMember(sampleMember(NWID, address, { ipAssignments: [`10.147.17.${i + 1}`] }));
              await tx.appendEvent(sampleEvent({ memberAddress: address }));
            }),
          ),
        );
        assert.deepEqual(
          (await store.listMemberRevisions(NWID)).map(([address]) => address),
          addresses,
        );
        assert.equal((await store.listEvents({ networkId: NWID })).length, 20);
      });

      it('runs concurrent transactions as if one after another, in call order', async () => {
        // Each call reads what the previous call wrote: in call order, whether or not they share a
        // database transaction (group commit), and only committed work is acknowledged.
        await store.transaction((tx) => tx.setSetting('counter', '0'));
        const seen = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            store.transaction(async (tx) => {
              const before = Number(await tx.getSetting('counter'));
              await tx.setSetting('counter', String(before + 1));
              await tx.appendEvent(sampleEvent({ type: `call-${i}` }));
              return before;
            }),
          ),
        );
        assert.deepEqual(
          seen,
          Array.from({ length: 40 }, (_, i) => i),
        );
        assert.equal(await store.getSetting('counter'), '40');
        const events = await store.listEvents({});
        assert.deepEqual(
          events.map((event) => event.type),
          Array.from({ length: 40 }, (_, i) => `call-${i}`),
        );
      });

      it('a transaction that fails among concurrent ones changes nothing and harms none of the others', async () => {
        await putNetworks(sampleNetwork(NWID));
        const failing = new Set([0, 3, 4, 9]);
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            store.transaction(async (tx) => {
              const address = `00000000${String(i).padStart(2, '0')}`;
              await tx.putMember(sampleMember(NWID, address, { ipAssignments: [`10.147.17.${i + 1}`] }));
              await tx.setSetting(`call-${i}`, 'written');
              await tx.appendEvent(sampleEvent({ memberAddress: address }));
              if (failing.has(i)) throw new Rollback(`call ${i}`);
              return i;
            }),
          ),
        );
        results.forEach((result, i) => {
          if (failing.has(i)) {
            assert.equal(result.status, 'rejected');
            assert.ok(result.reason instanceof Rollback && result.reason.message === `call ${i}`);
          } else {
            assert.deepEqual(result, { status: 'fulfilled', value: i });
          }
        });
        for (let i = 0; i < 12; i++) {
          const address = `00000000${String(i).padStart(2, '0')}`;
          const kept = !failing.has(i);
          assert.equal((await store.getMember(NWID, address)) !== undefined, kept, `member of call ${i}`);
          assert.equal(await store.findIpOwner(NWID, `10.147.17.${i + 1}`), kept ? address : undefined);
          assert.equal(await store.getSetting(`call-${i}`), kept ? 'written' : undefined);
        }
        assert.equal((await store.listEvents({ networkId: NWID })).length, 12 - failing.size);
      });

      it('concurrent transactions see each other in call order: a later one conflicts with an earlier one', async () => {
        await putNetworks(sampleNetwork(NWID));
        const [first, second, third] = await Promise.allSettled([
          putMembers(sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5'] })),
          putMembers(sampleMember(NWID, 'bbbbbbbbbb', { ipAssignments: ['10.147.17.5'] })),
          putMembers(sampleMember(NWID, 'cccccccccc', { ipAssignments: ['10.147.17.6'] })),
        ]);
        assert.equal(first.status, 'fulfilled');
        assert.equal(second.status, 'rejected');
        assert.ok(
          isRpError(
            ErrorCodes.CONFLICT,
            /already assigned to member aaaaaaaaaa/,
          )((second as PromiseRejectedResult).reason),
        );
        assert.equal(third.status, 'fulfilled');
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), 'aaaaaaaaaa');
        assert.equal(await store.getMember(NWID, 'bbbbbbbbbb'), undefined);
        assert.equal(await store.findIpOwner(NWID, '10.147.17.6'), 'cccccccccc');
      });

      it('refuses the store itself inside a transaction that runs among concurrent ones', async () => {
        const results = await Promise.allSettled([
          store.transaction((tx) => tx.setSetting('a', '1')),
          store.transaction(async (tx) => {
            await tx.setSetting('b', '1');
            return store.getSetting('a');
          }),
          store.transaction(() => store.transaction(() => Promise.resolve())),
          store.transaction((tx) => tx.setSetting('c', '1')),
        ]);
        assert.deepEqual(
          results.map((result) => result.status),
          ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
        );
        for (const result of results.slice(1, 3)) {
          assert.ok(isRpError(ErrorCodes.INTERNAL)((result as PromiseRejectedResult).reason));
        }
        assert.equal(await store.getSetting('a'), '1');
        assert.equal(await store.getSetting('b'), undefined);
        assert.equal(await store.getSetting('c'), '1');
      });

      it('refuses the store itself inside its transaction and a handle after its transaction', async () => {
        await assert.rejects(
          store.transaction(() => store.getSetting('x')),
          isRpError(ErrorCodes.INTERNAL, /transaction handle/),
        );
        await assert.rejects(
          store.transaction(() => store.transaction(() => Promise.resolve())),
          isRpError(ErrorCodes.INTERNAL),
        );
        let leaked: { getSetting(key: string): Promise<string | undefined> } | undefined;
        await store.transaction((tx) => {
          leaked = tx;
          return Promise.resolve();
        });
        await assert.rejects(
          leaked!.getSetting('x'),
          isRpError(ErrorCodes.INTERNAL, /after its transaction ended/),
        );
        // Once the transaction is over, the store works again.
        assert.equal(await store.getSetting('x'), undefined);
      });
    });

    describe('delete network', () => {
      it('removes its routes, members and IP holdings, keeps other networks and the event log', async () => {
        await putNetworks(sampleNetwork(NWID), sampleNetwork(OTHER_NWID));
        await store.transaction(async (tx) => {
          await tx.putRoutes(NWID, 'ipam', [ipam('10.1.0.0/16')]);
          await tx.putMember(sampleMember(NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5'] }));
          await tx.putMember(
            sampleMember(NWID, 'bbbbbbbbbb', { ipAssignments: ['10.147.17.6'], authorized: true }),
          );
          await tx.putMember(sampleMember(OTHER_NWID, 'aaaaaaaaaa', { ipAssignments: ['10.147.17.5'] }));
          await tx.appendEvent(sampleEvent());
        });
        assert.equal(await store.transaction((tx) => tx.deleteNetwork(NWID)), true);

        assert.equal(await store.getNetwork(NWID), undefined);
        assert.deepEqual(await store.listRoutes(NWID), []);
        assert.deepEqual(await store.listMembers(NWID), []);
        assert.deepEqual(await store.countMembers(NWID), { total: 0, authorized: 0 });
        assert.equal(await store.findIpOwner(NWID, '10.147.17.5'), undefined);
        assert.equal(await store.findIpOwner(OTHER_NWID, '10.147.17.5'), 'aaaaaaaaaa');
        assert.equal((await store.listEvents({ networkId: NWID })).length, 1);

        // A new network under the same id starts empty: nothing comes back from the old one.
        await putNetworks(sampleNetwork(NWID, { routes: [] }));
        assert.deepEqual(await store.listRoutes(NWID), []);
        assert.deepEqual(await store.listMemberRevisions(NWID), []);
        await putMembers(sampleMember(NWID, 'cccccccccc', { ipAssignments: ['10.147.17.6'] }));
        assert.equal(await store.findIpOwner(NWID, '10.147.17.6'), 'cccccccccc');
      });
    });

    describe('events', () => {
      it('appends with increasing ids and lists by network, after an id, with a limit', async () => {
        const appended: StoredEvent[] = [];
        await store.transaction(async (tx) => {
          for (let i = 0; i < 6; i++) {
            const event = sampleEvent({
              time: 1_700_000_000_000 + i,
              networkId: i === 5 ? null : i % 2 === 0 ? NWID : OTHER_NWID,
              memberAddress: i === 1 ? 'aaaaaaaaaa' : null,
              type: `t${i}`,
              data: { i, nested: { list: [1, 'two', null] } },
            });
            appended.push({ ...event, id: await tx.appendEvent(event) });
          }
        });
        for (let i = 1; i < appended.length; i++) assert.ok(appended[i]!.id > appended[i - 1]!.id);

        assert.deepEqual(await store.listEvents({}), appended);
        assert.deepEqual(
          await store.listEvents({ networkId: NWID }),
          appended.filter((event) => event.networkId === NWID),
        );
        assert.deepEqual(await store.listEvents({ afterId: appended[2]!.id }), appended.slice(3));
        assert.deepEqual(await store.listEvents({ limit: 2 }), appended.slice(0, 2));
        assert.deepEqual(await store.listEvents({ networkId: NWID, afterId: appended[0]!.id, limit: 1 }), [
          appended[2],
        ]);
        assert.deepEqual(await store.listEvents({ afterId: appended[5]!.id }), []);
      });

      it('filters by member, by type prefix (exactly, % and _ are plain), before an id, and lists newest first', async () => {
        const specs: Array<Partial<NewEvent>> = [
          { type: 'route.added', memberAddress: 'aaaaaaaaaa' },
          { type: 'route.removed', networkId: OTHER_NWID },
          { type: 'routes.replaced' },
          { type: 'ROUTE.added', memberAddress: 'bbbbbbbbbb' },
          { type: 'route', memberAddress: 'aaaaaaaaaa' },
          { type: 'r%ute.x', networkId: null },
          { type: 'r_ute.x' },
          { type: 'rxute.x', memberAddress: 'aaaaaaaaaa', networkId: OTHER_NWID },
          { type: 'member.authorized', memberAddress: 'aaaaaaaaaa' },
          { type: 'ипам.создан' },
          { type: '🚀.launched' },
          { type: 'route.added', memberAddress: 'bbbbbbbbbb' },
        ];
        const appended: StoredEvent[] = [];
        await store.transaction(async (tx) => {
          for (const [i, spec] of specs.entries()) {
            const event = sampleEvent({ time: 1_700_000_000_000 + i, ...spec });
            appended.push({ ...event, id: await tx.appendEvent(event) });
          }
        });
        const types = (events: StoredEvent[]) => events.map((event) => event.type);
        const where = (predicate: (event: StoredEvent) => boolean) => appended.filter(predicate);

        assert.deepEqual(
          await store.listEvents({ memberAddress: 'aaaaaaaaaa' }),
          where((event) => event.memberAddress === 'aaaaaaaaaa'),
        );
        assert.deepEqual(
          await store.listEvents({ memberAddress: 'aaaaaaaaaa', networkId: NWID }),
          where((event) => event.memberAddress === 'aaaaaaaaaa' && event.networkId === NWID),
        );
        assert.deepEqual(await store.listEvents({ memberAddress: 'cccccccccc' }), []);

        assert.deepEqual(types(await store.listEvents({ typePrefix: 'route.' })), [
          'route.added',
          'route.removed',
          'route.added',
        ]);
        assert.deepEqual(types(await store.listEvents({ typePrefix: 'route' })), [
          'route.added',
          'route.removed',
          'routes.replaced',
          'route',
          'route.added',
        ]);
        assert.deepEqual(types(await store.listEvents({ typePrefix: 'ROUTE' })), ['ROUTE.added']);
        assert.deepEqual(types(await store.listEvents({ typePrefix: 'r%' })), ['r%ute.x']);
        assert.deepEqual(types(await store.listEvents({ typePrefix: 'r_' })), ['r_ute.x']);
        assert.deepEqual(types(await store.listEvents({ typePrefix: 'ипам.' })), ['ипам.создан']);
        assert.deepEqual(types(await store.listEvents({ typePrefix: '🚀.' })), ['🚀.launched']);
        assert.deepEqual(types(await store.listEvents({ typePrefix: 'route.added.more' })), []);
        assert.deepEqual(await store.listEvents({ typePrefix: '' }), appended);
        assert.deepEqual(
          await store.listEvents({ typePrefix: 'route.', networkId: NWID, memberAddress: 'bbbbbbbbbb' }),
          [appended[11]],
        );

        const middle = appended[6]!.id;
        assert.deepEqual(await store.listEvents({ beforeId: middle }), appended.slice(0, 6));
        assert.deepEqual(await store.listEvents({ beforeId: appended[0]!.id }), []);
        assert.deepEqual(
          await store.listEvents({ afterId: appended[2]!.id, beforeId: middle }),
          appended.slice(3, 6),
        );

        const newestFirst = [...appended].reverse();
        assert.deepEqual(await store.listEvents({ order: 'desc' }), newestFirst);
        assert.deepEqual(await store.listEvents({ order: 'asc' }), appended);
        assert.deepEqual(await store.listEvents({ order: 'desc', limit: 3 }), newestFirst.slice(0, 3));
        // Paging backwards: the next page starts before the last id seen.
        assert.deepEqual(
          await store.listEvents({ order: 'desc', limit: 3, beforeId: newestFirst[2]!.id }),
          newestFirst.slice(3, 6),
        );
        assert.deepEqual(
          await store.listEvents({ order: 'desc', networkId: NWID, typePrefix: 'route.', limit: 1 }),
          [appended[11]],
        );
        assert.deepEqual(
          await store.listEvents({ order: 'desc', afterId: appended[8]!.id }),
          newestFirst.slice(0, 3),
        );
      });
    });

    describe('persistence', () => {
      it('reads back the same data after close and reopen', async () => {
        const network = sampleNetwork(NWID, { routes: [{ target: '10.0.0.0/8', via: null }] });
        const member = sampleMember(NWID, 'aaaaaaaaaa', { authorized: true, ipAssignments: ['10.147.17.5'] });
        await store.transaction(async (tx) => {
          await tx.setSetting('instance-id', 'i-1');
          await tx.putNetwork(network);
          await tx.putRoutes(NWID, 'ipam', [ipam('10.1.0.0/16')]);
          await tx.putMember(member);
          await tx.appendEvent(sampleEvent());
          await tx.putIpamSubnets([
            { id: 's-1', prefix: '10.0.0.0/8', name: 'corp', parentId: null, createdAt: 1, updatedAt: 2 },
            { id: 's-2', prefix: '10.1.0.0/16', name: 'lab', parentId: 's-1', createdAt: 3, updatedAt: 4 },
          ]);
          await tx.putAdvertisements([
            sampleAdvertisement(NWID, 'aaaaaaaaaa', '192.168.1.0/24', {
              approved: true,
              approvedBy: 'api',
              approvedAt: 7,
              primary: true,
              health: 'healthy',
              healthSince: 8,
            }),
            sampleAdvertisement(NWID, 'bbbbbbbbbb', '192.168.1.0/24'),
          ]);
          await tx.putApiToken(sampleToken('t-1', { networkId: NWID, memberAddress: 'aaaaaaaaaa' }));
          await tx.putApiToken(sampleToken('t-2', { lastUsedAt: 9 }));
        });
        const snapshot = async (s: Store) => ({
          setting: await s.getSetting('instance-id'),
          networks: await s.listNetworks(),
          routes: await s.listRoutes(NWID),
          members: await s.listMembers(NWID),
          counts: await s.countMembers(NWID),
          owner: await s.findIpOwner(NWID, '10.147.17.5'),
          events: await s.listEvents({}),
          subnets: await s.listIpamSubnets(),
          facts: await s.listMemberRouteFacts(NWID),
          advertisements: await s.listAdvertisements(NWID),
          advertisedNetworks: await s.listAllAdvertisedNetworkIds(),
          tokens: await s.listApiTokens(),
          token: await s.getApiTokenByHash(sampleToken('t-2').tokenHash),
        });
        const before = await snapshot(store);
        store = await subject.reopen();
        assert.deepEqual(await snapshot(store), before);
        assert.equal(before.members.length, 1);
        assert.equal(before.subnets.length, 2);
        assert.equal(before.facts.length, 1);
        assert.equal(before.advertisements.length, 2);
        assert.deepEqual(before.advertisedNetworks, [NWID]);
        assert.equal(before.tokens.length, 2);
        assert.equal(before.token?.lastUsedAt, 9);

        // Ids keep increasing after a reopen.
        const id = await store.transaction((tx) => tx.appendEvent(sampleEvent()));
        assert.ok(id > before.events[0]!.id);
        await assert.rejects(
          putMembers(sampleMember(NWID, 'bbbbbbbbbb', { ipAssignments: ['10.147.17.5'] })),
          isRpError(ErrorCodes.CONFLICT),
        );
      });
    });

    describe('round trips (property)', () => {
      it('any NetworkRecord survives put + get unchanged', async () => {
        await fc.assert(
          fc.asyncProperty(networkRecordArbitrary(), async (network) => {
            await putNetworks(network);
            assert.deepEqual(await store.getNetwork(network.id), network);
          }),
          { numRuns: 150 },
        );
      });

      it('any MemberRecord survives put + get unchanged', async () => {
        await putNetworks(sampleNetwork(NWID));
        await fc.assert(
          fc.asyncProperty(memberRecordArbitrary(NWID), async (member) => {
            await putMembers(member);
            assert.deepEqual(await store.getMember(NWID, member.address), member);
            // Free its IPs so the next generated member cannot conflict with this one.
            await store.transaction((tx) => tx.deleteMember(NWID, member.address));
          }),
          { numRuns: 150 },
        );
      });

      it('any advertisement survives put + list unchanged', async () => {
        await putNetworks(sampleNetwork(NWID));
        // Any text but NUL, which PostgreSQL text columns cannot hold.
        const text = fc.string({ unit: 'binary' }).filter((value) => !value.includes('\u0000'));
        const time = fc.maxSafeNat();
        const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
        await fc.assert(
          fc.asyncProperty(
            fc.record(
              {
                networkId: fc.constant(NWID),
                member: text,
                prefix: text,
                metric: int,
                advertised: fc.boolean(),
                approved: fc.boolean(),
                approvedBy: fc.option(text),
                slot: int,
                advertisedAt: fc.option(time),
                approvedAt: fc.option(time),
                updatedAt: time,
                primary: fc.boolean(),
                health: fc.option(text),
                healthSince: fc.option(time),
              },
              { noNullPrototype: true },
            ),
            async (row) => {
              // Start empty even after a failed run (shrinking replays runs).
              await store.transaction(async (tx) => {
                for (const { member } of await tx.listAdvertisements(NWID))
                  await tx.deleteAdvertisements(NWID, member);
              });
              await store.transaction((tx) => tx.putAdvertisements([row]));
              assert.deepEqual(await store.listAdvertisements(NWID), [row]);
              assert.equal(await store.transaction((tx) => tx.deleteAdvertisements(NWID, row.member)), 1);
            },
          ),
          { numRuns: 100 },
        );
      });

      it('any API token survives put + get unchanged', async () => {
        const text = fc.string({ unit: 'binary' }).filter((value) => !value.includes('\u0000'));
        const time = fc.maxSafeNat();
        await fc.assert(
          fc.asyncProperty(
            fc.record(
              {
                id: text,
                name: text,
                tokenHash: text,
                networkId: fc.option(text),
                memberAddress: fc.option(text),
                createdAt: time,
                lastUsedAt: fc.option(time),
              },
              { noNullPrototype: true },
            ),
            async (token) => {
              await store.transaction(async (tx) => {
                for (const { id } of await tx.listApiTokens()) await tx.deleteApiToken(id);
              });
              await store.transaction((tx) => tx.putApiToken(token));
              assert.deepEqual(await store.getApiTokenByHash(token.tokenHash), token);
              assert.deepEqual(await store.listApiTokens(), [token]);
              assert.equal(await store.transaction((tx) => tx.deleteApiToken(token.id)), true);
            },
          ),
          { numRuns: 100 },
        );
      });

      it('any event data survives append + list unchanged', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc
              .dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { noNullPrototype: true })
              .map((data) => JSON.parse(JSON.stringify(data)) as Record<string, unknown>),
            // Any text but NUL, which PostgreSQL text columns cannot hold (inside JSON it is escaped).
            fc.string({ unit: 'binary' }).filter((reason) => !reason.includes('\u0000')),
            async (data, reason) => {
              const event = sampleEvent({ data, reason });
              const id = await store.transaction((tx) => tx.appendEvent(event));
              assert.deepEqual(await store.listEvents({ afterId: id - 1 }), [{ ...event, id }]);
            },
          ),
          { numRuns: 100 },
        );
      });
    });
  });
}
