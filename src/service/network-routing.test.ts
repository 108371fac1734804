// The routing state the coordinator keeps in memory must always equal what a fresh load from the
// store would give: after writes (network, member, IPAM), after a refused write, after concurrent
// writes that share one transaction, and after a change made around the service.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { ControllerService } from './controller-service.ts';

const CONTROLLER = 'f8ea0e7924';

describe('routing state kept by the coordinator', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;
  let nwid: string;

  /** The routes a member gets from the kept planner and from a planner built afresh from the store. */
  async function keptAndFresh(address: string) {
    const network = await service.getNetwork(nwid);
    const member = await service.getMember(nwid, address);
    const kept = (await service.routesFor(network, member)).map((r) => `${r.target} ${r.via}`);
    const fresh = new ControllerService({ store, controllerAddress: CONTROLLER });
    const rebuilt = (await fresh.routesFor(network, member)).map((r) => `${r.target} ${r.via}`);
    return { kept, rebuilt };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-routing-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    service = new ControllerService({ store, controllerAddress: CONTROLLER });
    await service.ipam.create({ prefix: '10.0.0.0/8' }, { name: 'test' });
    await service.ipam.create({ prefix: '10.1.1.0/24' }, { name: 'test' });
    nwid = (await service.createNetwork({ ipamSubnet: '10.0.0.0/8', routesFromIpam: true })).id;
    await service.upsertMember(nwid, 'aaaaaaaaaa', { authorized: true, ipAssignments: ['10.1.1.5'] });
    await service.upsertMember(nwid, 'bbbbbbbbbb', { authorized: true, ipAssignments: ['10.2.0.5'] });
    // Load the planner so later writes patch it instead of leaving it to a reload.
    await service.routesReport(nwid);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a member taking the gateway IP stops getting the route via itself; the kept plan equals a fresh one', async () => {
    await service.upsertNetwork(nwid, { routes: [{ target: '192.168.9.0/24', via: '10.1.1.5' }] });
    let both = await keptAndFresh('aaaaaaaaaa');
    assert.ok(!both.kept.includes('192.168.9.0/24 10.1.1.5'), 'no route via its own IP');
    assert.deepEqual(both.kept, both.rebuilt);
    both = await keptAndFresh('bbbbbbbbbb');
    assert.ok(both.kept.includes('192.168.9.0/24 10.1.1.5'));
    assert.deepEqual(both.kept, both.rebuilt);
  });

  it('concurrent writes batched into one transaction all reach the kept plan', async () => {
    await Promise.all([
      service.upsertMember(nwid, 'cccccccccc', { authorized: true, ipAssignments: ['10.1.1.6'] }),
      service.upsertMember(nwid, 'bbbbbbbbbb', { ipAssignments: ['10.1.1.5', '10.3.0.1'] }).catch((e) => e),
      service.upsertNetwork(nwid, { routes: [{ target: '192.168.9.0/24', via: '10.1.1.6' }] }),
      service.ipam.create({ prefix: '10.1.2.0/24' }, { name: 'test' }),
    ]);
    for (const address of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc']) {
      const both = await keptAndFresh(address);
      assert.deepEqual(both.kept, both.rebuilt, address);
    }
  });

  it('a refused write leaves the kept plan as it was and logs the refusal', async () => {
    const before = await keptAndFresh('aaaaaaaaaa');
    const routes = Array.from({ length: 126 }, (_, i) => ({ target: `172.20.${i}.0/24`, via: '10.1.1.6' }));
    await assert.rejects(
      service.upsertNetwork(nwid, { routes }),
      (e: Error & { code?: string }) =>
        e.code === 'RP_ROUTE_LIMIT' && /exceed ZeroTier's limit of 128/.test(e.message),
    );
    const after = await keptAndFresh('aaaaaaaaaa');
    assert.deepEqual(after.kept, before.kept);
    assert.deepEqual(after.kept, after.rebuilt);
    const events = await store.listEvents({ networkId: nwid, typePrefix: 'route.limit-rejected' });
    assert.equal(events.length, 1);
  });

  it('a change made around the service (another process) is noticed by its revision', async () => {
    const network = await service.getNetwork(nwid);
    const revision = network.revision + 1;
    await store.transaction((tx) =>
      tx.putNetwork({ ...network, revision, routes: [{ target: '192.168.77.0/24', via: '10.1.1.6' }] }),
    );
    service.changes.publish([{ kind: 'network-changed', networkId: nwid, revision }]);
    const both = await keptAndFresh('aaaaaaaaaa');
    assert.ok(both.kept.includes('192.168.77.0/24 10.1.1.6'), both.kept.join(', '));
    assert.deepEqual(both.kept, both.rebuilt);
  });

  it('members get on-link IPv4 routes via 0.0.0.0 only when their client reports Linux', async () => {
    for (const [address, osArch, via] of [
      ['dddddddddd', 'linux/x86_64', '0.0.0.0'],
      ['eeeeeeeeee', 'windows/x64', null],
    ] as const) {
      await service.upsertMember(nwid, address, {
        authorized: true,
        ipAssignments: ['10.1.1.9'.replace('9', address === 'dddddddddd' ? '7' : '8')],
      });
      await service.handleConfigRequest({
        networkId: nwid,
        address,
        identity: `${address}:0:${'ab'.repeat(64)}`,
        osArch,
      });
      const routes = await service.memberRoutes(nwid, address);
      assert.equal(routes.platform, osArch);
      assert.equal(routes.routes.find((r) => r.target === '10.0.0.0/8')?.via, via, osArch);
    }
  });

  it('deleting a member drops it from the kept plan', async () => {
    await service.deleteMember(nwid, 'cccccccccc');
    const report = await service.routesReport(nwid);
    assert.equal(report.authorizedMembers, 4, 'a, b, d and e are left');
  });
});
