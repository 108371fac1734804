// Issue 4 end to end: the operator's IPAM example through the HTTP API on a real controller, with a
// TypeScript ZeroTier member receiving every change as a push (no re-join): one route by default,
// parent plus children on opt-in, the gateway on the parent, the member's child subnet variable,
// the 128-route limit (409 or aggregation), sources that never clobber each other, the plan
// preview, and the event log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';
import { controllerRoot, memberIdentities } from './support/recorded-identities.ts';
import { TsMember } from './support/ts-member.ts';

type Route = { target: string; via: string | null };

describe('routes from an IPAM subnet tree', () => {
  let zt: TestController;
  let nwid: string;
  let member: TsMember;
  let memberAddress: string;
  const ids = new Map<string, string>();

  const enc = encodeURIComponent;
  const post = (path: string, body: unknown) => zt.request('POST', path, body);
  const networkPath = () => `/controller/network/${nwid}`;

  async function addSubnet(prefix: string, name = prefix): Promise<string> {
    const res = await post('/api/v1/ipam/subnets', { prefix, name });
    assert.equal(res.status, 201, res.text);
    ids.set(prefix, res.body.id);
    return res.body.id;
  }

  /** Changes the network and waits until the member holds the new revision (pushed, no re-join). */
  async function setNetwork(body: unknown): Promise<Route[]> {
    const pushes = member.counters.pushesReceived;
    const res = await post(networkPath(), body);
    assert.equal(res.status, 200, res.text);
    await member.waitForConfig(nwid, res.body.revision, 3000);
    assert.ok(member.counters.pushesReceived > pushes, 'the change was pushed');
    return received();
  }

  const received = (): Route[] => member.config(nwid)!.routes.map((r) => ({ target: r.target, via: r.via }));

  async function memberRoutes(): Promise<Route[]> {
    const res = await zt.request('GET', `/api/v1/networks/${nwid}/members/${memberAddress}/routes`);
    assert.equal(res.status, 200, res.text);
    return res.body.routes.map((r: Route & { source: string }) => ({ target: r.target, via: r.via }));
  }

  before(async () => {
    zt = await startTestController();
    await addSubnet('10.0.0.0/8', 'vpn');
    for (const n of [1, 2, 3]) await addSubnet(`10.1.${n}.0/24`, `servers ${n}`);
    const created = await post(`/controller/network/${zt.controller.identity.address}______`, {
      name: 'hotspots',
      ipamSubnet: '10.0.0.0/8',
    });
    assert.equal(created.status, 200, created.text);
    nwid = created.body.id;
    const identity = memberIdentities(zt.controller.identity.address)[0]!;
    memberAddress = identity.address;
    const auth = await post(`${networkPath()}/member/${memberAddress}`, {
      authorized: true,
      ipAssignments: ['10.1.2.7'],
    });
    assert.equal(auth.status, 200, auth.text);
    member = await TsMember.create({ identity, roots: [controllerRoot(zt.controller)] });
    member.join(nwid);
    await member.waitForConfig(nwid, created.body.revision, 10_000);
  });

  after(async () => {
    await member?.stop();
    await zt?.close();
  });

  it('by default the network pushes one route, its IPAM subnet (on-link: via 0.0.0.0 for a Linux client)', async () => {
    assert.deepEqual(received(), [{ target: '10.0.0.0/8', via: '0.0.0.0' }]);
    assert.deepEqual(await memberRoutes(), received(), 'the API shows exactly what was sent');
    const net = await zt.request('GET', networkPath());
    assert.deepEqual(
      net.body.routes,
      [{ target: '10.0.0.0/8', via: null }],
      'stock routes = effective routes',
    );
    assert.equal(net.body.routesFromIpam, false);
    assert.equal(net.body.routeLimitStrategy, 'error');
  });

  it('pool addresses are handed out inside routes from IPAM alone (no manual route covers the pool)', async () => {
    // Found by the dashboard's acceptance flow: pools only counted manual routes.
    const created = await post(`/controller/network/${zt.controller.identity.address}______`, {
      name: 'pool-from-ipam',
      ipamSubnet: '10.0.0.0/8',
      routesFromIpam: true,
      ipAssignmentPools: [{ ipRangeStart: '10.1.3.10', ipRangeEnd: '10.1.3.20' }],
      v4AssignMode: { zt: true },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.routes.map((r: Route) => r.target).sort(), [
      '10.0.0.0/8',
      '10.1.1.0/24',
      '10.1.2.0/24',
      '10.1.3.0/24',
    ]);
    const auth = await post(`/controller/network/${created.body.id}/member/aaaaaaaa01`, { authorized: true });
    assert.equal(auth.status, 200, auth.text);
    assert.equal(auth.body.ipAssignments.length, 1, JSON.stringify(auth.body.ipAssignments));
    assert.match(auth.body.ipAssignments[0], /^10\.1\.3\.(1\d|20)$/);
    await zt.request('DELETE', `/controller/network/${created.body.id}`);
  });

  it('a member in 10.1.2.0/24 reports ipamChildSubnet 10.1.2.0/24 (member JSON and variables)', async () => {
    const json = await zt.request('GET', `${networkPath()}/member/${memberAddress}`);
    assert.equal(json.body.ipamChildSubnet, '10.1.2.0/24');
    assert.equal(json.body.ipamSubnet, '10.0.0.0/8');
    const vars = await zt.request('GET', `/api/v1/networks/${nwid}/members/${memberAddress}/variables`);
    assert.equal(vars.status, 200, vars.text);
    assert.deepEqual(
      {
        child: vars.body.ipamChildSubnet,
        name: vars.body.ipamChildSubnetName,
        id: vars.body.ipamChildSubnetId,
      },
      { child: '10.1.2.0/24', name: 'servers 2', id: ids.get('10.1.2.0/24') },
    );
  });

  it('previewing routesFromIpam lists what would change for whom and writes nothing', async () => {
    const before = await zt.request('GET', networkPath());
    const res = await post(`/api/v1/networks/${nwid}/plan`, { routesFromIpam: true });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.outcome, 'accepted');
    assert.deepEqual(
      res.body.network.added.map((r: Route) => r.target),
      ['10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24'],
    );
    assert.deepEqual(res.body.network.removed, []);
    assert.equal(res.body.membersChanged, 1);
    assert.equal(res.body.members[0].address, memberAddress);
    const afterPreview = await zt.request('GET', networkPath());
    assert.equal(afterPreview.body.revision, before.body.revision, 'nothing written');
  });

  it('opting in pushes the parent plus one route per child; ipamGateway puts the via on the parent', async () => {
    assert.deepEqual(await setNetwork({ routesFromIpam: true }), [
      { target: '10.0.0.0/8', via: '0.0.0.0' },
      { target: '10.1.1.0/24', via: '0.0.0.0' },
      { target: '10.1.2.0/24', via: '0.0.0.0' },
      { target: '10.1.3.0/24', via: '0.0.0.0' },
    ]);
    // What the Linux client then installs: every route on-link but its own subnet (a kernel route).
    assert.deepEqual(
      member.routes(nwid).map((r) => `${r.target} ${r.proto}`),
      ['10.0.0.0/8 static', '10.1.1.0/24 static', '10.1.2.0/24 kernel', '10.1.3.0/24 static'],
    );
    const withGateway = await setNetwork({ ipamGateway: '10.0.0.1' });
    assert.deepEqual(withGateway[0], { target: '10.0.0.0/8', via: '10.0.0.1' });
    assert.equal(withGateway.length, 4);
    assert.deepEqual(await memberRoutes(), withGateway);
  });

  it('a new child subnet reaches the member as a route without touching the network', async () => {
    const pushes = member.counters.pushesReceived;
    const id = await addSubnet('10.1.4.0/24', 'servers 4');
    await member.waitFor(
      () => received().some((r) => r.target === '10.1.4.0/24'),
      3000,
      'the new child route',
    );
    assert.ok(member.counters.pushesReceived > pushes, 'pushed');
    const del = await zt.request('DELETE', `/api/v1/ipam/subnets/${id}`);
    assert.equal(del.status, 200, del.text);
    await member.waitFor(
      () => !received().some((r) => r.target === '10.1.4.0/24'),
      3000,
      'the child route gone',
    );
  });

  it('a manual route survives IPAM changes and an IPAM route survives a routes write', async () => {
    const manual = { target: '192.168.50.0/24', via: '10.1.2.1' };
    const afterManual = await setNetwork({ routes: [manual] });
    assert.ok(
      afterManual.some((r) => r.target === '10.1.1.0/24'),
      'IPAM routes survive a routes write',
    );
    assert.ok(afterManual.some((r) => r.target === manual.target));
    await addSubnet('10.1.5.0/24');
    await member.waitFor(
      () => received().some((r) => r.target === '10.1.5.0/24'),
      3000,
      'the new child route',
    );
    assert.ok(
      received().some((r) => r.target === manual.target),
      'the manual route survives an IPAM change',
    );
    const routes = await zt.request('GET', `/api/v1/networks/${nwid}/routes`);
    const bySource = Object.fromEntries(
      routes.body.routes.map((r: Route & { source: string }) => [r.target, r.source]),
    );
    assert.equal(bySource['192.168.50.0/24'], 'manual');
    assert.equal(bySource['10.1.5.0/24'], 'ipam');
    const del = await zt.request('DELETE', `/api/v1/ipam/subnets/${enc('10.1.5.0/24')}`);
    assert.equal(del.status, 200, del.text);
  });

  it('posting back the whole network JSON (effective routes included) keeps IPAM routes out of manual', async () => {
    const current = await zt.request('GET', networkPath());
    const res = await post(networkPath(), current.body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.revision, current.body.revision, 'nothing changed');
    const stored = await zt.controller.store.listRoutes(nwid, 'manual');
    assert.deepEqual(
      stored.map((r) => r.target),
      ['192.168.50.0/24'],
      'only the real manual route is manual',
    );
    // Turning IPAM routes off now removes them: they were never copied into manual routes.
    const off = await setNetwork({ routesFromIpam: false, ipamGateway: null });
    assert.deepEqual(
      off.map((r) => r.target),
      ['192.168.50.0/24', '10.0.0.0/8'],
    );
    await setNetwork({ routesFromIpam: true, ipamGateway: '10.0.0.1' });
  });

  it('the routes report shows source, owner, via, status and member counts', async () => {
    const res = await zt.request('GET', `/api/v1/networks/${nwid}/routes`);
    assert.equal(res.status, 200, res.text);
    const parent = res.body.routes.find((r: Route) => r.target === '10.0.0.0/8');
    assert.deepEqual(parent, {
      target: '10.0.0.0/8',
      via: '10.0.0.1',
      source: 'ipam',
      owner: ids.get('10.0.0.0/8'),
      status: 'active',
      members: 1,
    });
    assert.equal(res.body.limit, 128);
    assert.equal(res.body.authorizedMembers, 1);
  });

  describe('200 children', () => {
    const children: string[] = [];
    let revisionBefore = 0;

    before(async () => {
      // Built on a second tree so the first network is untouched until it is pointed at it.
      await addSubnet('172.16.0.0/12', 'big');
      for (let i = 0; i < 200; i++) children.push(await addSubnet(`172.16.${i}.0/24`));
      revisionBefore = (await zt.request('GET', networkPath())).body.revision;
    });

    it('strategy "error": a clear 409 naming the count, the limit and the sources; nothing changes', async () => {
      const res = await post(networkPath(), { ipamSubnet: '172.16.0.0/12', ipamGateway: null });
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.code, 'RP_ROUTE_LIMIT');
      assert.match(
        res.body.error,
        /202 routes for every member exceed ZeroTier's limit of 128 \(manual 1, ipam 201\)/,
      );
      const now = await zt.request('GET', networkPath());
      assert.equal(now.body.revision, revisionBefore);
      assert.equal(now.body.ipamSubnet, '10.0.0.0/8');
      const events = await zt.request('GET', `/api/v1/events?network=${nwid}&type=route.limit-rejected`);
      assert.equal(events.body.events.length, 1, 'the refusal is logged');
      assert.match(events.body.events[0].reason, /exceed ZeroTier's limit of 128/);
      assert.equal(events.body.events[0].actor, 'api');
    });

    it('strategy "aggregate": at most 128 routes covering the same addresses, recorded', async () => {
      const routes = await setNetwork({
        ipamSubnet: '172.16.0.0/12',
        ipamGateway: null,
        routeLimitStrategy: 'aggregate',
      });
      assert.ok(routes.length <= 128, `${routes.length} routes`);
      assert.ok(routes.length > 2, 'merged, not collapsed into the parent');
      // Every child address is still covered by a route without a via other than the parent.
      const covered = (third: number) =>
        routes.some((r) => {
          if (r.target === '172.16.0.0/12' || !r.target.startsWith('172.16.')) return false;
          const [net, bits] = r.target.split('/');
          const start = Number(net!.split('.')[2]);
          const size = 2 ** (24 - Number(bits));
          return third >= start && third < start + size;
        });
      for (let i = 0; i < 200; i++) assert.ok(covered(i), `172.16.${i}.0/24 covered`);
      const report = await zt.request('GET', `/api/v1/networks/${nwid}/routes`);
      assert.ok(report.body.aggregated.merges.length > 0);
      assert.ok(report.body.routes.some((r: { status: string }) => r.status === 'aggregated'));
      const events = await zt.request('GET', `/api/v1/events?network=${nwid}&type=route.aggregated`);
      assert.equal(events.body.events.length, 1);
    });

    it('an IPAM change that would push the network over the limit is refused whole', async () => {
      await setNetwork({ routeLimitStrategy: 'error', ipamSubnet: '10.0.0.0/8', ipamGateway: '10.0.0.1' });
      const res = await post('/api/v1/ipam/subnets', { prefix: '10.0.0.0/9' }); // adopts every child …
      assert.equal(res.status, 201, res.text); // … which is fine: the /8 then has one child
      const many: string[] = [];
      for (let i = 0; i < 127; i++) {
        const add = await post('/api/v1/ipam/subnets', {
          prefix: `10.${200 + Math.floor(i / 50)}.${i % 50}.0/24`,
        });
        if (add.status !== 201) {
          assert.equal(add.status, 409, add.text);
          assert.match(add.body.error, new RegExp(`network ${nwid}: .*exceed ZeroTier's limit of 128`));
          const list = await zt.request('GET', '/api/v1/ipam/subnets');
          assert.ok(
            !list.body.subnets.some(
              (s: { prefix: string }) => s.prefix === `10.${200 + Math.floor(i / 50)}.${i % 50}.0/24`,
            ),
          );
          break;
        }
        many.push(add.body.id);
      }
      assert.ok(many.length < 127, 'refused before the network went over');
    });
  });

  it('the event log names route changes with their reason and actor', async () => {
    const res = await zt.request('GET', `/api/v1/events?network=${nwid}&type=route.&limit=1000`);
    assert.equal(res.status, 200, res.text);
    const types = new Set(res.body.events.map((e: { type: string }) => e.type));
    for (const type of ['route.added', 'route.removed', 'route.aggregated', 'route.limit-rejected'])
      assert.ok(types.has(type), type);
    const added = res.body.events.find(
      (e: { type: string; data: Route }) => e.type === 'route.added' && e.data.target === '10.1.4.0/24',
    );
    assert.match(added.reason, /10\.1\.4\.0\/24 \(ipam\) added: IPAM subnet created 10\.1\.4\.0\/24/);
    const newest = await zt.request('GET', `/api/v1/events?network=${nwid}&order=desc&limit=1`);
    assert.equal(newest.body.events.length, 1);
    assert.ok(newest.body.events[0].id >= res.body.events[res.body.events.length - 1].id);
  });
});

describe('IPAM and routing settings: bad input gets a clear error and changes nothing', () => {
  let zt: TestController;
  let nwid: string;

  before(async () => {
    zt = await startTestController();
    for (const prefix of ['10.0.0.0/8', '10.1.0.0/16']) {
      const res = await zt.request('POST', '/api/v1/ipam/subnets', { prefix, name: prefix });
      assert.equal(res.status, 201, res.text);
    }
    const created = await zt.request('POST', `/controller/network/${zt.controller.identity.address}______`, {
      ipamSubnet: '10.0.0.0/8',
    });
    nwid = created.body.id;
  });
  after(() => zt?.close());

  const cases: Array<{
    name: string;
    method: string;
    path: () => string;
    body?: unknown;
    status: number;
    error: RegExp;
  }> = [
    {
      name: 'prefix missing',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { name: 'x' },
      status: 400,
      error: /prefix: required/,
    },
    {
      name: 'host bits set',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { prefix: '10.2.0.1/16' },
      status: 400,
      error: /prefix/,
    },
    {
      name: 'not a CIDR',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { prefix: 'ten/8' },
      status: 400,
      error: /prefix/,
    },
    {
      name: 'a typo in a field name',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { prefix: '10.2.0.0/16', perent: null },
      status: 400,
      error: /unknown field\(s\) perent/,
    },
    {
      name: 'an existing prefix',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { prefix: '10.1.0.0/16' },
      status: 409,
      error: /exists already/,
    },
    {
      name: 'a parent that does not contain it',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { prefix: '10.2.0.0/16', parent: '10.1.0.0/16' },
      status: 400,
      error: /not inside/,
    },
    {
      name: 'root asked for inside another subnet',
      method: 'POST',
      path: () => '/api/v1/ipam/subnets',
      body: { prefix: '10.2.0.0/16', parent: null },
      status: 409,
      error: /cannot be a root/,
    },
    {
      name: 'deleting a subnet a network uses',
      method: 'DELETE',
      path: () => `/api/v1/ipam/subnets/${encodeURIComponent('10.0.0.0/8')}?children=promote`,
      status: 409,
      error: /ipamSubnet of network/,
    },
    {
      name: 'deleting a parent without saying what happens to its children',
      method: 'DELETE',
      path: () => '/api/v1/ipam/subnets/' + encodeURIComponent('10.0.0.0/8'),
      status: 409,
      error: /ipamSubnet of network|child subnet/,
    },
    {
      name: 'an unknown subnet',
      method: 'GET',
      path: () => '/api/v1/ipam/subnets/nosuch/tree',
      status: 404,
      error: /IPAM subnet nosuch/,
    },
    {
      name: 'a bad children mode',
      method: 'DELETE',
      path: () => `/api/v1/ipam/subnets/${encodeURIComponent('10.1.0.0/16')}?children=all`,
      status: 400,
      error: /children/,
    },
    {
      name: 'ipamSubnet that is no IPAM subnet',
      method: 'POST',
      path: () => `/controller/network/${nwid}`,
      body: { ipamSubnet: '192.168.0.0/16' },
      status: 400,
      error: /ipamSubnet: 192\.168\.0\.0\/16 is not an IPAM subnet/,
    },
    {
      name: 'ipamGateway outside the subnet',
      method: 'POST',
      path: () => `/controller/network/${nwid}`,
      body: { ipamGateway: '192.168.0.1' },
      status: 400,
      error: /ipamGateway: 192\.168\.0\.1 is not inside/,
    },
    {
      name: 'routeLimitStrategy unknown',
      method: 'POST',
      path: () => `/controller/network/${nwid}`,
      body: { routeLimitStrategy: 'truncate' },
      status: 400,
      error: /routeLimitStrategy: expected "error" or "aggregate"/,
    },
    {
      name: 'routesFromIpam not a boolean',
      method: 'POST',
      path: () => `/controller/network/${nwid}`,
      body: { routesFromIpam: 'yes' },
      status: 400,
      error: /routesFromIpam/,
    },
    {
      name: 'an event query with a bad limit',
      method: 'GET',
      path: () => '/api/v1/events?limit=0',
      status: 400,
      error: /limit/,
    },
    {
      name: 'an event query with an unknown parameter',
      method: 'GET',
      path: () => '/api/v1/events?netwrk=x',
      status: 400,
      error: /netwrk/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const subnetsBefore = (await zt.request('GET', '/api/v1/ipam/subnets')).body;
      const networkBefore = (await zt.request('GET', `/controller/network/${nwid}`)).body;
      const res = await zt.request(c.method, c.path(), c.body);
      assert.equal(res.status, c.status, res.text);
      assert.match(res.body.error, c.error);
      assert.deepEqual((await zt.request('GET', '/api/v1/ipam/subnets')).body, subnetsBefore);
      assert.deepEqual((await zt.request('GET', `/controller/network/${nwid}`)).body, networkBefore);
    });
  }
});
