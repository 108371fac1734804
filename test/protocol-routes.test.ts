// What a member's kernel routing table does with the routes a controller sends, pinned against the
// 1.14.1 client's behaviour (TsMember's simulated table, see test/support/managed-routes.ts): the
// client keys managed routes by target, so a `via` change alone is not applied (ZeroTierOne #2339);
// failover work relies on exactly this. Plus the 128-route limit in what a member receives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';
import {
  kernelRoutes,
  syncManaged,
  emptyManagedState,
  DEFAULT_MANAGED_SETTINGS,
  ipScope,
} from './support/managed-routes.ts';
import { controllerRoot, memberIdentities } from './support/recorded-identities.ts';
import { TsMember } from './support/ts-member.ts';

type Route = { target: string; via: string | null };

const SUBNET: Route = { target: '10.150.0.0/24', via: null };

describe('a member applies routes like zerotier-one 1.14.1', () => {
  let zt: TestController;
  let nwid: string;
  let member: TsMember;
  let memberIp: string;

  /** Replaces the network's routes through the API and waits until the member has that revision. */
  async function setRoutes(routes: Route[]): Promise<number> {
    const pushesBefore = member.counters.pushesReceived;
    const res = await zt.request('POST', `/controller/network/${nwid}`, { routes });
    assert.equal(res.status, 200, res.text);
    await member.waitForConfig(nwid, res.body.revision, 2000);
    assert.ok(member.counters.pushesReceived > pushesBefore, 'the change was pushed');
    return res.body.revision;
  }

  const staticRoutes = () =>
    member
      .routes(nwid)
      .filter((r) => r.proto === 'static')
      .map((r) => `${r.target} via ${r.via}`);

  before(async () => {
    zt = await startTestController();
    const created = await zt.request('POST', `/controller/network/${zt.controller.identity.address}______`, {
      name: 'routes-test',
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.150.0.10', ipRangeEnd: '10.150.0.250' }],
      routes: [SUBNET, { target: '10.80.0.0/16', via: '10.150.0.1' }],
    });
    assert.equal(created.status, 200, created.text);
    nwid = created.body.id;
    const identity = memberIdentities(zt.controller.identity.address)[0]!;
    // Authorized before it ever asks: the first request pins the identity and gets a config.
    const auth = await zt.request('POST', `/controller/network/${nwid}/member/${identity.address}`, {
      authorized: true,
    });
    assert.equal(auth.status, 200, auth.text);
    memberIp = auth.body.ipAssignments[0];
    member = await TsMember.create({ identity, roots: [controllerRoot(zt.controller)] });
    member.join(nwid);
    await member.waitForRoute(nwid, '10.80.0.0/16', '10.150.0.1', 10_000);
  });

  after(async () => {
    await member?.stop();
    await zt.close();
  });

  it('changing only the via of an existing target is delivered but not applied (ZeroTierOne #2339)', async () => {
    await setRoutes([SUBNET, { target: '10.80.0.0/16', via: '10.150.0.2' }]);
    const delivered = member.config(nwid)!.routes.find((r) => r.target === '10.80.0.0/16');
    assert.equal(delivered?.via, '10.150.0.2', 'the new via is in the config');
    assert.equal(member.route(nwid, '10.80.0.0/16')?.via, '10.150.0.1', 'the kernel keeps the old via');
    assert.deepEqual(
      member.routeDecisions(nwid).find((d) => d.target === '10.80.0.0/16'),
      {
        target: '10.80.0.0/16',
        via: '10.150.0.2',
        outcome: 'via-change-ignored',
        installedVia: '10.150.0.1',
      },
    );
    // Later, unrelated configs do not fix it either.
    await setRoutes([
      SUBNET,
      { target: '10.80.0.0/16', via: '10.150.0.2' },
      { target: '10.81.0.0/16', via: '10.150.0.2' },
    ]);
    assert.deepEqual(staticRoutes(), ['10.80.0.0/16 via 10.150.0.1', '10.81.0.0/16 via 10.150.0.2']);
  });

  it('withdrawing the target and adding it back moves the kernel route to the new via', async () => {
    await setRoutes([SUBNET, { target: '10.81.0.0/16', via: '10.150.0.2' }]);
    assert.equal(
      member.route(nwid, '10.80.0.0/16'),
      undefined,
      'a route gone from the config leaves the kernel',
    );
    await setRoutes([
      SUBNET,
      { target: '10.80.0.0/16', via: '10.150.0.2' },
      { target: '10.81.0.0/16', via: '10.150.0.2' },
    ]);
    assert.equal(member.route(nwid, '10.80.0.0/16')?.via, '10.150.0.2');
  });

  it('a target flip (prefix → its two halves) moves traffic in one push', async () => {
    // The other way to move a route without a withdraw round trip: new targets are new routes.
    await setRoutes([
      SUBNET,
      { target: '10.80.0.0/17', via: '10.150.0.3' },
      { target: '10.80.128.0/17', via: '10.150.0.3' },
    ]);
    assert.deepEqual(staticRoutes(), ['10.80.0.0/17 via 10.150.0.3', '10.80.128.0/17 via 10.150.0.3']);
  });

  it('of duplicate targets only the first is installed', async () => {
    await setRoutes([
      SUBNET,
      { target: '10.90.0.0/16', via: '10.150.0.1' },
      { target: '10.90.0.0/16', via: '10.150.0.2' },
    ]);
    assert.equal(member.config(nwid)!.routes.length, 3, 'both are delivered');
    assert.deepEqual(staticRoutes(), ['10.90.0.0/16 via 10.150.0.1']);
    assert.deepEqual(
      member.routeDecisions(nwid).map((d) => d.outcome),
      ['kernel-subnet', 'installed', 'duplicate-target'],
    );
  });

  it('routes the client delivers but does not install', async () => {
    const routes: Route[] = [
      SUBNET,
      { target: '10.95.0.0/16', via: null }, // via-less, not the member's subnet (§5)
      { target: '10.85.0.0/16', via: memberIp }, // via one of its own IPs
      { target: 'fd00:1234::/64', via: 'fd00::1' }, // no IPv6 address on the member
      { target: '8.8.0.0/16', via: '10.150.0.1' }, // global scope, allowGlobal is off
      { target: '10.96.0.0/16', via: '192.168.99.1' }, // gateway on no connected subnet
      { target: '10.97.0.0/16', via: '10.150.0.9' }, // the one that is installed
    ];
    await setRoutes(routes);
    // Routeplane never sends a member a route via one of its own IPs (the client would skip it),
    // and sends a Linux client its IPv4 on-link routes via 0.0.0.0, the only form it installs.
    assert.deepEqual(
      member.config(nwid)!.routes.map((r) => `${r.target} ${r.via}`),
      routes
        .filter((r) => r.via !== memberIp)
        .map((r) => `${r.target} ${r.via === null && !r.target.includes(':') ? '0.0.0.0' : r.via}`),
    );
    assert.deepEqual(
      member.routeDecisions(nwid).map((d) => `${d.target} ${d.outcome}`),
      [
        '10.150.0.0/24 kernel-subnet',
        '10.95.0.0/16 installed',
        'fd00:1234::/64 no-address-in-family',
        '8.8.0.0/16 not-allowed',
        '10.96.0.0/16 gateway-unreachable',
        '10.97.0.0/16 installed',
      ],
    );
    assert.deepEqual(member.routes(nwid), [
      { target: '10.95.0.0/16', via: null, src: memberIp, proto: 'static', metric: 5000 },
      { target: '10.97.0.0/16', via: '10.150.0.9', src: memberIp, proto: 'static', metric: 5000 },
      { target: '10.150.0.0/24', via: null, src: memberIp, proto: 'kernel', metric: 0 },
    ]);
  });

  it('128 routes reach the member (signed, compressed into datagram-sized packets, acknowledged); the API refuses a 129th', async () => {
    const many: Route[] = [SUBNET];
    for (let i = 0; many.length < 128; i++) many.push({ target: `10.200.${i}.0/24`, via: '10.150.0.1' });
    const acksBefore = member.counters.acksSent;
    const pushed = member.nextConfig(nwid, { source: 'push', timeoutMs: 3000 });
    const revision = await setRoutes(many);
    const event = await pushed;
    assert.equal(event.revision, revision);
    // Compressed like stock, 128 routes fit one signed chunk; larger configs split (config-builder tests).
    assert.ok(event.chunks >= 1, `a ${event.chunks}-chunk config`);
    assert.equal(event.config.routes.length, 128);
    assert.equal(staticRoutes().length, 127);
    await member.waitFor(() => member.counters.acksSent > acksBefore, 2000, 'the push acknowledged');

    const pushesBefore = member.counters.pushesReceived;
    const res = await zt.request('POST', `/controller/network/${nwid}`, {
      routes: [...many, { target: '10.201.0.0/24', via: '10.150.0.1' }],
    });
    assert.equal(res.status, 409, res.text);
    assert.match(res.text, /RP_ROUTE_LIMIT/);
    assert.match(res.text, /129 routes/);
    assert.match(res.text, /128/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(member.counters.pushesReceived, pushesBefore, 'nothing pushed for a refused write');
    assert.equal(member.config(nwid)!.revision, revision);
    assert.equal(staticRoutes().length, 127);
  });

  it('a stored route list longer than 128 (e.g. imported) reaches members cut to the first 128', async () => {
    // The API refuses it, so write the record straight into the store and announce the change as
    // the service does after a commit.
    const current = await zt.controller.service.getNetwork(nwid);
    const routes: Route[] = [SUBNET];
    for (let i = 0; routes.length < 200; i++) routes.push({ target: `10.210.${i}.0/24`, via: '10.150.0.1' });
    const revision = current.revision + 1;
    await zt.controller.store.transaction((tx) => tx.putNetwork({ ...current, routes, revision }));
    const pushed = member.nextConfig(nwid, { source: 'push', timeoutMs: 3000 });
    zt.controller.service.changes.publish([{ kind: 'network-changed', networkId: nwid, revision }]);
    const event = await pushed;
    assert.equal(event.revision, revision);
    assert.equal(event.config.routes.length, 128);
    assert.deepEqual(
      event.config.routes.map((r) => r.target),
      routes.slice(0, 128).map((r) => r.target),
      'the first 128, in order',
    );
    assert.equal(staticRoutes().length, 127);
  });
});

describe('the simulated kernel table (pure)', () => {
  const config = (staticIps: string[], routes: Route[]) => ({ staticIps, routes });

  it("a route via one of the member's own IPs is skipped (Routeplane never sends one)", () => {
    const result = syncManaged(
      emptyManagedState(),
      config(['10.1.0.5/24'], [{ target: '10.85.0.0/16', via: '10.1.0.5' }]),
    );
    assert.equal(result.decisions[0]!.outcome, 'via-is-own-ip');
    assert.deepEqual(
      kernelRoutes(result.state).filter((r) => r.proto === 'static'),
      [],
    );
  });

  it('a default route needs allowDefault and is installed as two halves', () => {
    const c = config(['10.1.0.5/24'], [{ target: '0.0.0.0/0', via: '10.1.0.1' }]);
    const denied = syncManaged(emptyManagedState(), c);
    assert.equal(denied.decisions[0]!.outcome, 'not-allowed');
    const allowed = syncManaged(emptyManagedState(), c, { ...DEFAULT_MANAGED_SETTINGS, allowDefault: true });
    assert.deepEqual(
      kernelRoutes(allowed.state)
        .filter((r) => r.proto === 'static')
        .map((r) => r.target),
      ['0.0.0.0/1', '128.0.0.0/1'],
    );
  });

  it('global targets and IPs need allowGlobal; private, CGNAT and test nets do not', () => {
    assert.equal(ipScope('8.8.8.0/24'), 'global');
    for (const ip of [
      '10.0.0.0/8',
      '100.64.0.0/10',
      '172.16.0.0/12',
      '192.168.1.0/24',
      '192.0.2.0/24',
      'fd00::/8',
    ])
      assert.equal(ipScope(ip), 'private', ip);
    assert.equal(ipScope('127.0.0.1/32'), 'loopback');
    assert.equal(ipScope('169.254.0.0/16'), 'link-local');
    assert.equal(ipScope('fe80::/64'), 'link-local');
    assert.equal(ipScope('224.0.0.0/4'), 'multicast');
    const c = config(['203.1.0.5/24'], [{ target: '203.2.0.0/16', via: '203.1.0.1' }]);
    const off = syncManaged(emptyManagedState(), c);
    assert.deepEqual(off.state.managedIps, []);
    const on = syncManaged(emptyManagedState(), c, { ...DEFAULT_MANAGED_SETTINGS, allowGlobal: true });
    assert.deepEqual(on.state.managedIps, ['203.1.0.5/24']);
    assert.deepEqual(
      kernelRoutes(on.state).map((r) => `${r.target} ${r.via}`),
      ['203.1.0.0/24 null', '203.2.0.0/16 203.1.0.1'],
    );
  });

  it('IPv6: routes get the address with the longest common prefix as source', () => {
    const c = config(
      ['10.1.0.5/24', 'fd00:aaaa::5/64', 'fdff::5/88'],
      [{ target: 'fd00:aaaa:1::/48', via: 'fd00:aaaa::1' }],
    );
    const { state } = syncManaged(emptyManagedState(), c);
    assert.equal(kernelRoutes(state).find((r) => r.target === 'fd00:aaaa:1::/48')?.src, 'fd00:aaaa::5');
  });

  it('allowManaged off: nothing is applied; turning a via into one of our own IPs withdraws the route', () => {
    const c = config(['10.1.0.5/24'], [{ target: '10.9.0.0/16', via: '10.1.0.1' }]);
    assert.deepEqual(
      kernelRoutes(
        syncManaged(emptyManagedState(), c, { ...DEFAULT_MANAGED_SETTINGS, allowManaged: false }).state,
      ),
      [],
    );
    const first = syncManaged(emptyManagedState(), c).state;
    const second = syncManaged(
      first,
      config(['10.1.0.5/24'], [{ target: '10.9.0.0/16', via: '10.1.0.5' }]),
    ).state;
    assert.deepEqual(
      kernelRoutes(second).map((r) => r.target),
      ['10.1.0.0/24'],
    );
  });
});
