// Two controller services on one PostgreSQL database, as two processes run them: what one writes,
// the other sees at once, although it keeps networks, route planners, IPAM and token lookups in
// memory. The stale-cache bugs this pins: a cached network or planner served after another process
// changed it, a revoked token still accepted, a write built on a stale cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore, type PostgresStore } from '../store/postgres/postgres-store.ts';
import {
  dropSchema,
  scratchSchemaName,
  TEST_DATABASE_URL,
} from '../store/postgres/postgres-test-database.ts';
import type { ChangeEvent } from './change-events.ts';
import { ControllerService } from './controller-service.ts';
import { eventually } from './test-support.ts';
import { writeTakeover } from './takeover-import.ts';

const CONTROLLER = 'f8ea0e7924';

describe('change propagation between controller processes (PostgreSQL)', () => {
  const schema = scratchSchemaName();
  let storeA: PostgresStore;
  let storeB: PostgresStore;
  let a: ControllerService;
  let b: ControllerService;
  const heardByB: ChangeEvent[] = [];
  let nwid: string;

  before(async () => {
    storeA = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, instanceId: 'a' });
    storeB = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, instanceId: 'b' });
    a = new ControllerService({ store: storeA, controllerAddress: CONTROLLER });
    b = new ControllerService({ store: storeB, controllerAddress: CONTROLLER });
    b.changes.subscribe((event) => heardByB.push(event));
    nwid = (await a.createNetwork({ name: 'one', routes: [{ target: '10.1.0.0/24', via: null }] })).id;
  });
  after(async () => {
    await a.close();
    await b.close();
    await storeA.close();
    await storeB.close();
    await dropSchema(schema);
  });

  it('a network changed through one process is served fresh by the other, and its listeners hear of it', async () => {
    assert.equal((await b.getNetwork(nwid)).name, 'one'); // now cached in b
    await a.upsertNetwork(nwid, { name: 'two' });
    await eventually(
      'b reads the new name',
      async () => (await b.getNetwork(nwid)).name,
      (n) => n === 'two',
    );
    await eventually(
      'b heard the change',
      async () => heardByB.filter((e) => e.kind === 'network-changed' && e.networkId === nwid).length,
      (n) => n >= 2,
    );
  });

  it("a write right after another process's write builds on it, not on a stale cache", async () => {
    await b.getNetwork(nwid); // cached
    const before = (await a.getNetwork(nwid)).revision;
    await a.upsertNetwork(nwid, {
      routes: [
        { target: '10.1.0.0/24', via: null },
        { target: '10.2.0.0/16', via: '10.1.0.1' },
      ],
    });
    // No waiting for the NOTIFY: b's transaction catches up under the write lock first.
    const next = await b.upsertNetwork(nwid, { name: 'three' });
    assert.equal(next.revision, before + 2);
    assert.deepEqual(
      next.routes.map((r) => r.target),
      ['10.1.0.0/24', '10.2.0.0/16'],
    );
  });

  it("a member authorized through one process changes the other's route plans and member views", async () => {
    const address = '43e690e007';
    // b's planner is loaded with no members.
    assert.equal((await b.routesReport(nwid)).routes[0]?.members ?? 0, 0);
    await a.upsertMember(nwid, address, { authorized: true, ipAssignments: ['10.1.0.5'] });
    const member = await eventually(
      'b sees the member',
      () => b.getMember(nwid, address),
      (m) => m.authorized,
    );
    assert.deepEqual(member.ipAssignments, ['10.1.0.5']);
    const routes = await b.memberRoutes(nwid, address);
    assert.ok(routes.routes.some((r) => r.target === '10.2.0.0/16'));
    await eventually(
      "b's routes report counts the member",
      async () => (await b.routesReport(nwid)).routes.find((r) => r.target === '10.1.0.0/24')?.members,
      (n) => n === 1,
    );
    assert.ok(heardByB.some((e) => e.kind === 'member-changed' && e.address === address && e.authorized));
  });

  it('a token revoked through one process stops working through the other', async () => {
    const created = await a.tokens.create({ name: 'ci' });
    assert.equal((await b.tokens.authenticate(created.token))?.name, 'ci'); // cached in b
    await a.tokens.remove(created.id);
    await eventually(
      'b refuses the revoked token',
      () => b.tokens.authenticate(created.token),
      (p) => p === undefined,
    );
  });

  it('an IPAM subnet added through one process is listed by the other', async () => {
    assert.deepEqual(await b.ipam.list(), []); // cached snapshot in b
    await a.ipam.create({ prefix: '10.0.0.0/8', name: 'corp' }, { name: 'api' });
    await eventually(
      'b lists the subnet',
      () => b.ipam.list(),
      (list) => list.length === 1,
    );
  });

  it('a deleted network is gone through the other process too', async () => {
    const other = await b.createNetwork({ name: 'short-lived' });
    assert.equal((await a.getNetwork(other.id)).name, 'short-lived');
    await b.deleteNetwork(other.id);
    await eventually(
      'a no longer finds it',
      () =>
        a.getNetwork(other.id).then(
          () => 'found',
          () => 'gone',
        ),
      (state) => state === 'gone',
    );
  });

  it("subnet routers: the follower passes heartbeats and drains on; the leader's verdicts reach the follower", async () => {
    // a follows (does not probe), b leads.
    a.routers.probing = false;
    b.routers.probing = true;
    const net = (await a.createNetwork({ name: 'routers', routes: [{ target: '10.5.0.0/24', via: null }] }))
      .id;
    const [r1, r2] = ['1111111111', '2222222222'];
    await a.upsertMember(net, r1, { authorized: true, ipAssignments: ['10.5.0.11'] });
    await a.upsertMember(net, r2, { authorized: true, ipAssignments: ['10.5.0.12'] });
    for (const router of [r1, r2]) {
      await a.routers.advertise(net, router, { prefixes: ['192.168.50.0/24'], metric: 100 }, 'api');
      await a.routers.approve(net, { member: router, prefix: '192.168.50.0/24' }, 'api', true);
    }
    // b learns of the rows (it reloads them on use), then hears a's heartbeat for r1.
    await eventually(
      'b sees both routers',
      () => b.routers.routerViews(b.storeReader, net),
      (v) => v.length === 2,
    );
    const before = b.routers.healthOf(r1).lastHeard;
    await a.heartbeat(net, r1);
    await eventually(
      'the heartbeat reaches the leader',
      async () => b.routers.healthOf(r1).lastHeard,
      (t) => t !== before && t !== null,
    );

    await a.routers.drain(net, r1, true, 'api');
    await eventually(
      'the leader keeps the drain',
      async () => b.routers.healthStateOf(r1),
      (s) => s === 'draining',
    );

    // The leader's probes find r2 down: its verdict is persisted and the follower shows it.
    const now = Date.now();
    b.routers.noteHealth(r2, { kind: 'miss', at: now });
    b.routers.noteHealth(r2, { kind: 'miss', at: now + 1 });
    await eventually(
      'the follower shows r2 down',
      async () => (await a.routers.routerViews(a.storeReader, net)).find((v) => v.member === r2)?.health,
      (h) => h === 'down',
    );
  });

  it('incomplete news (a pruned change log) drops every cache and re-announces every network', async () => {
    const count = heardByB.length;
    await storeA.transaction(async (tx) => {
      const network = (await tx.getNetwork(nwid))!;
      // Written around the services, as if its announcement had been lost.
      await tx.putNetwork({ ...network, name: 'changed unannounced', revision: network.revision + 1 });
    });
    await b.getNetwork(nwid);
    await b.applyForeignChanges({ payloads: [], complete: false });
    assert.equal((await b.getNetwork(nwid)).name, 'changed unannounced');
    const announced = heardByB
      .slice(count)
      .filter((e) => e.kind === 'network-changed')
      .map((e) => e.networkId);
    assert.deepEqual(announced.sort(), (await storeB.listNetworkIds()).sort());
  });

  it('an announcement it cannot read counts as incomplete news', async () => {
    const count = heardByB.length;
    await b.applyForeignChanges({ payloads: ['{"not":"an announcement"}'], complete: true });
    assert.ok(heardByB.slice(count).some((e) => e.kind === 'network-changed' && e.networkId === nwid));
  });

  it('a takeover import into the shared database reaches a running process, cached network included', async () => {
    const network = await a.getNetwork(nwid); // cached in a
    await writeTakeover(storeB, {
      networks: [{ ...network, name: 'imported', revision: network.revision + 10 }],
      members: new Map(),
      controllerAddress: CONTROLLER,
      settings: [],
      replaceNetworks: true,
      source: 'a test',
      now: Date.now(),
    });
    await eventually(
      'a serves the imported network',
      async () => (await a.getNetwork(nwid)).name,
      (n) => n === 'imported',
    );
  });
});
