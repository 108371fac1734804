import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import type { ChangeEvent } from './change-events.ts';
import { ControllerService } from './controller-service.ts';

const CONTROLLER = 'f8ea0e7924';
const MEMBER = '43e690e007';
const MEMBER_IDENTITY = `${MEMBER}:0:${'ab'.repeat(64)}`;

describe('ControllerService', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;
  let now = 1_800_000_000_000;
  const changes: ChangeEvent[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-service-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    let nextRandom = 0x123456;
    service = new ControllerService({
      store,
      controllerAddress: CONTROLLER,
      clock: () => now,
      randomBelow: () => nextRandom++,
    });
    service.changes.subscribe((event) => changes.push(event));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates networks under the controller address and publishes the change after commit', async () => {
    const network = await service.createNetwork({ name: 'n' });
    assert.equal(network.id, `${CONTROLLER}123456`);
    assert.deepEqual(changes.at(-1), { kind: 'network-changed', networkId: network.id, revision: 1 });
    const events = await store.listEvents({ networkId: network.id });
    assert.deepEqual(
      events.map((e) => [e.type, e.actor]),
      [['network.created', 'api']],
    );
  });

  it('gives up with a clear error when no network ID is free', async () => {
    const full = new ControllerService({ store, controllerAddress: CONTROLLER, randomBelow: () => 0x123456 });
    await assert.rejects(full.createNetwork({}), /no free network ID/);
  });

  it('a rejected write publishes nothing and leaves no event', async () => {
    const count = changes.length;
    await assert.rejects(service.upsertNetwork(`${CONTROLLER}123456`, { mtu: 'big' }), /mtu/);
    assert.equal(changes.length, count);
    assert.equal((await store.listEvents({ networkId: `${CONTROLLER}123456` })).length, 1);
  });

  it('an update that changes nothing keeps the revision and publishes nothing', async () => {
    const count = changes.length;
    const network = await service.upsertNetwork(`${CONTROLLER}123456`, { name: 'n' });
    assert.equal(network.revision, 1);
    assert.equal(changes.length, count);
  });

  describe('config requests', () => {
    const nwid = `${CONTROLLER}123456`;

    it('an unknown network is not found', async () => {
      const outcome = await service.handleConfigRequest({
        networkId: `${CONTROLLER}654321`,
        address: MEMBER,
        identity: MEMBER_IDENTITY,
      });
      assert.equal(outcome.kind, 'not-found');
    });

    it('the first request creates an unauthorized member with its identity pinned', async () => {
      const outcome = await service.handleConfigRequest({
        networkId: nwid,
        address: MEMBER,
        identity: MEMBER_IDENTITY,
      });
      assert.equal(outcome.kind, 'denied');
      assert.equal(outcome.kind === 'denied' && outcome.reason, 'not-authorized');
      const member = await service.getMember(nwid, MEMBER);
      assert.equal(member.identity, MEMBER_IDENTITY);
      assert.equal(member.authorized, false);
      assert.equal(member.revision, 1);
      assert.equal(member.vMajor, -1, 'versions are recorded only for authorized requests, as stock does');
      const types = (await store.listEvents({ networkId: nwid })).map((e) => `${e.type}:${e.actor}`);
      assert.ok(types.includes('member.created:protocol'));
    });

    it('a repeated request writes nothing', async () => {
      const count = changes.length;
      await service.handleConfigRequest({ networkId: nwid, address: MEMBER, identity: MEMBER_IDENTITY });
      assert.equal((await service.getMember(nwid, MEMBER)).revision, 1);
      assert.equal(changes.length, count);
    });

    it('another identity claiming the same address is denied and changes nothing', async () => {
      const impostor = `${MEMBER}:0:${'cd'.repeat(64)}`;
      const outcome = await service.handleConfigRequest({
        networkId: nwid,
        address: MEMBER,
        identity: impostor,
      });
      assert.equal(outcome.kind === 'denied' && outcome.reason, 'identity-mismatch');
      assert.equal((await service.getMember(nwid, MEMBER)).identity, MEMBER_IDENTITY);
    });

    it('once authorized, a request records versions and assigns an IP', async () => {
      await service.upsertNetwork(nwid, {
        v4AssignMode: { zt: true },
        ipAssignmentPools: [{ ipRangeStart: '10.147.17.10', ipRangeEnd: '10.147.17.100' }],
        routes: [{ target: '10.147.17.0/24', via: null }],
      });
      await service.upsertMember(nwid, MEMBER, { authorized: true, noAutoAssignIps: true });
      assert.deepEqual((await service.getMember(nwid, MEMBER)).ipAssignments, []);
      await service.upsertMember(nwid, MEMBER, { noAutoAssignIps: false });
      const outcome = await service.handleConfigRequest({
        networkId: nwid,
        address: MEMBER,
        identity: MEMBER_IDENTITY,
        version: { major: 1, minor: 14, rev: 1, proto: 12 },
      });
      assert.equal(outcome.kind, 'authorized');
      const member = await service.getMember(nwid, MEMBER);
      assert.deepEqual(member.ipAssignments, ['10.147.17.45'], 'the IP zerotier-one gave this member');
      assert.deepEqual([member.vMajor, member.vMinor, member.vRev, member.vProto], [1, 14, 1, 12]);
    });

    it('a public network authorizes members on their first request', async () => {
      const open = await service.createNetwork({ private: false });
      now += 1000;
      const outcome = await service.handleConfigRequest({
        networkId: open.id,
        address: MEMBER,
        identity: MEMBER_IDENTITY,
      });
      assert.equal(outcome.kind, 'authorized');
      const member = await service.getMember(open.id, MEMBER);
      assert.equal(member.lastAuthorizedCredentialType, 'public');
      assert.equal(member.lastAuthorizedTime, now);
    });
  });
});
