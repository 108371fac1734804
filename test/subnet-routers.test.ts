// Issue 5 end to end with TypeScript ZeroTier members (real UDP, real configs, the 1.14.1 client's
// route table behaviour): two routers advertise 192.168.50.0/24, both approved, members route via
// the primary; the primary stops answering and every member's kernel route moves to the backup (a
// target flip: the via alone would be ignored); it comes back and nothing flaps. Then spread mode
// with three routers, a scoped router token, and bad input. The members apply configs as
// zerotier-one 1.14.1 does on Linux (old routes removed first, a second each), so a move that left
// the LAN without a route for a moment shows in their kernel logs: moves are make-before-break.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';
import { memberIdentities } from './support/recorded-identities.ts';
import { networkWithMembers, type LabNode } from './support/member-lab.ts';
import type { KernelRoute } from './support/ts-member.ts';
import { generateIdentity } from '../src/protocol/identity-pool.ts';
import { kernelGatewayFor, kernelLookup } from './support/managed-routes.ts';

const PREFIX = '192.168.50.0/24';
/** Hosts at both ends of the LAN: the first and last quarters go in different steps of a move. */
const LAN_HOSTS = ['192.168.50.10', '192.168.50.200'];

/** The via the kernel uses for `ip`: null when no route covers it, 'on-link' for a device route. */
function lookup(routes: readonly KernelRoute[], ip: string): string | null {
  const route = kernelLookup(routes, ip);
  return route === undefined ? null : (route.via ?? 'on-link');
}

type Node = LabNode;

describe('subnet routers: advertise, approve, primary, failover in seconds, spread', () => {
  let zt: TestController;
  let nwid: string;
  const nodes: Node[] = [];
  let r1: Node, r2: Node, r3: Node, m1: Node, m2: Node;

  const api = (method: string, path: string, body?: unknown, auth?: string) =>
    zt.request(method, path, body, auth === undefined ? undefined : { auth });

  /** Kernel routes of a member covering an address in the prefix, as `target via`. */
  const kernelVia = (n: Node) =>
    n.member
      .routes(nwid)
      .filter((r) => r.target.startsWith('192.168.50.'))
      .map((r) => `${r.target} via ${r.via}`)
      .sort();

  /** The router every LAN host is reached through, or null when they differ or one has no route. */
  const lanVia = (n: Node) => {
    const way = kernelGatewayFor(n.member.routes(nwid), LAN_HOSTS);
    return way === 'split' ? null : way;
  };

  /** Traffic to the LAN goes via `ip`, and no other router's route is as deep as its routes. */
  const settledOn = (n: Node, ip: string) => {
    if (lanVia(n) !== ip) return false;
    const routes = n.member.routes(nwid).filter((r) => r.target.startsWith('192.168.50.'));
    const bits = (r: KernelRoute) => Number(r.target.split('/')[1]);
    const mine = Math.min(...routes.filter((r) => r.via === ip).map(bits));
    return routes.every((r) => r.via === ip || bits(r) < mine);
  };

  /**
   * What the LAN hosts resolved to in every kernel state since `from` (the state in force then
   * included), e.g. `+3012 ms 10.150.0.2,10.150.0.2`.
   */
  const lanLog = (n: Node, from: number) => {
    const log = n.member.kernelLog(nwid);
    const start = Math.max(
      0,
      log.findLastIndex((m) => m.at <= from),
    );
    return log.slice(start).map((m) => ({
      at: m.at - from,
      vias: LAN_HOSTS.map((ip) => lookup(m.routes, ip)),
    }));
  };

  /** Every LAN host always had a route, and none went back to another router once on `to`. */
  const assertMadeBeforeBroken = (n: Node, from: number, to: string) => {
    const log = lanLog(n, from);
    const text = log.map((m) => `+${m.at} ms ${m.vias.join(',')}`).join('; ');
    assert.ok(
      log.every((m) => m.vias.every((via) => via !== null)),
      `${n.address}: a moment without a LAN route: ${text}`,
    );
    LAN_HOSTS.forEach((_, i) => {
      const first = log.findIndex((m) => m.vias[i] === to);
      assert.ok(first >= 0, `${n.address} never reached ${to}: ${text}`);
      assert.ok(
        log.slice(first).every((m) => m.vias[i] === to),
        `${n.address} went back off ${to}: ${text}`,
      );
    });
  };

  async function report() {
    const res = await api('GET', `/api/v1/networks/${nwid}/routes`);
    assert.equal(res.status, 200, res.text);
    return res.body;
  }

  async function primaryOf(): Promise<Node | undefined> {
    const prefix = (await report()).advertised.find((p: { prefix: string }) => p.prefix === PREFIX);
    return nodes.find((n) => n.address === prefix?.primary);
  }

  before(async () => {
    zt = await startTestController();
    // Four recorded identities and one generated (a few hundred ms in the identity workers).
    const lab = await networkWithMembers(zt, {
      name: 'routers',
      route: '10.150.0.0/24',
      identities: [...memberIdentities(zt.controller.identity.address).slice(0, 4), await generateIdentity()],
      ipOf: (i) => `10.150.0.${11 + i}`,
      member: { routeRemovalMs: 1000 },
    });
    nwid = lab.nwid;
    nodes.push(...lab.nodes);
    [r1, r2, r3, m1, m2] = nodes as [Node, Node, Node, Node, Node];
  });

  after(async () => {
    for (const n of nodes) await n.member.stop();
    await zt?.close();
  });

  it('a router holding a member-scoped token advertises; the token reaches nothing else', async () => {
    const token = await api('POST', '/api/v1/tokens', {
      name: 'router-1',
      network: nwid,
      member: r1.address,
    });
    assert.equal(token.status, 201, token.text);
    const secret: string = token.body.token;
    const res = await api(
      'PUT',
      `/api/v1/networks/${nwid}/members/${r1.address}/advertised`,
      { prefixes: [PREFIX], metric: 100 },
      secret,
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.routes.map((r: { prefix: string; advertised: boolean; approved: boolean }) => [
        r.prefix,
        r.advertised,
        r.approved,
      ]),
      [[PREFIX, true, false]],
      'advertised, not approved yet',
    );
    const other = await api(
      'PUT',
      `/api/v1/networks/${nwid}/members/${r2.address}/advertised`,
      { prefixes: [PREFIX] },
      secret,
    );
    assert.equal(other.status, 403, other.text);
    assert.match(other.body.error, /scoped to member/);
    assert.equal((await api('GET', `/controller/network/${nwid}`, undefined, secret)).status, 403);
    const events = await api('GET', `/api/v1/events?network=${nwid}&type=router.advertised`);
    assert.equal(events.body.events[0].actor, 'api:router-1');
  });

  it('nothing is routed before approval; after approving both, members route via the primary', async () => {
    const res = await api('PUT', `/api/v1/networks/${nwid}/members/${r2.address}/advertised`, {
      prefixes: [PREFIX],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(kernelVia(m1), []);
    for (const r of [r1, r2]) {
      const ok = await api('POST', `/api/v1/networks/${nwid}/routes/approve`, {
        member: r.address,
        prefix: PREFIX,
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.approved, true);
    }
    const primary = (await primaryOf())!;
    assert.ok(primary === r1 || primary === r2, 'one of the two is primary');
    for (const m of [m1, m2, r3]) {
      await m.member.waitFor(() => kernelVia(m).length > 0, 3000, `${m.address} gets the route`);
      assert.deepEqual(
        kernelVia(m).map((r) => r.split(' via ')[1]),
        kernelVia(m).map(() => primary.ip),
        'via the primary',
      );
    }
    for (const r of [r1, r2])
      assert.deepEqual(kernelVia(r), [], 'a router never routes its own LAN via a router');
    const view = (await report()).advertised[0];
    assert.deepEqual(
      view.routers.map(
        (r: {
          member: string;
          approved: boolean;
          primary: boolean;
          health: string;
          reason: string | null;
        }) => [r.approved, r.health, r.reason],
      ),
      [
        [true, 'healthy', null],
        [true, 'healthy', null],
      ],
      'eligible routers carry no reason',
    );
    assert.equal(view.routers.filter((r: { primary: boolean }) => r.primary).length, 1);
  });

  it('the primary stops: every member follows the backup within 5 s (detected within 3 s of its last answer window)', async () => {
    const primary = (await primaryOf())!;
    const backup = primary === r1 ? r2 : r1;
    const stoppedAt = Date.now();
    await primary.member.stop();
    for (const m of [m1, m2, r3]) {
      await m.member.waitFor(() => lanVia(m) === backup.ip, 8000, `${m.address} follows the backup`);
    }
    const movedAfter = Date.now() - stoppedAt;
    assert.ok(movedAfter <= 5000, `every member's LAN traffic moved after ${movedAfter} ms`);
    // The LAN never lacked a route: a move to a deeper form only adds routes, and a move to a
    // shallower one finds that form already installed beneath (standby) and only removes the dead
    // router's (applied one removal per second, as the real client does).
    for (const m of [m1, m2, r3]) {
      await m.member.waitFor(() => settledOn(m, backup.ip), 12_000, `${m.address} settles on the backup`);
      assertMadeBeforeBroken(m, stoppedAt, backup.ip);
    }
    const sentToM1 = (await api('GET', `/api/v1/networks/${nwid}/members/${m1.address}/routes`)).body.routes
      .filter((r: { target: string }) => r.target.startsWith('192.168.50.'))
      .map((r: { target: string; via: string }) => `${r.target} via ${r.via}`);
    const standby = (await report()).advertised[0].routers
      .filter((r: { standby: boolean }) => r.standby)
      .map((r: { member: string }) => r.member);
    // A backup with the deeper form leaves the old primary's beneath it (down, ready for a move
    // back); a backup with the shallower form stood beneath and is alone now.
    assert.deepEqual(
      standby,
      sentToM1.some((r: string) => r.endsWith(`via ${primary.ip}`)) ? [primary.address] : [],
      sentToM1.join(', '),
    );
    assert.equal((await primaryOf())?.address, backup.address);
    const events = await api('GET', `/api/v1/events?network=${nwid}&type=route.failover`);
    assert.equal(events.body.events.length, 1, events.text);
    assert.equal(events.body.events[0].data.from, primary.address);
    assert.equal(events.body.events[0].data.to, backup.address);
    const metrics = await zt.request('GET', '/metrics');
    assert.match(
      metrics.text,
      new RegExp(`routeplane_router_health\\{router="${primary.address}",state="down"\\} 1`),
    );
    assert.match(metrics.text, /routeplane_route_primary_changes_total\{[^}]*change="failover"\} 1/);
    assert.match(
      metrics.text,
      /routeplane_config_pushes_total\{result="router-down"\} [1-9]/,
      'no push to the dead router',
    );
  });

  it('the old primary comes back: healthy again, no flap (equal metric)', async () => {
    const backup = (await primaryOf())!;
    const old = backup === r1 ? r2 : r1;
    await old.member.start();
    await old.member.waitForConfig(nwid, 0, 10_000);
    const deadline = Date.now() + 6000;
    for (;;) {
      const view = (await report()).advertised[0];
      const row = view.routers.find((r: { member: string }) => r.member === old.address);
      if (row.health === 'healthy') break;
      assert.ok(Date.now() < deadline, `the old primary is ${row.health}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await primaryOf())?.address, backup.address, 'still the backup');
    assert.ok(settledOn(m1, backup.ip), kernelVia(m1).join(', '));
  });

  it('a lower-metric router takes the prefix back only after failbackAfter (a timer, no event needed)', async () => {
    const current = (await primaryOf())!;
    const lower = current === r1 ? r2 : r1;
    const set = await api('POST', `/controller/network/${nwid}`, { failbackAfter: 6000 });
    assert.equal(set.status, 200, set.text);
    const adv = await api('PUT', `/api/v1/networks/${nwid}/members/${lower.address}/advertised`, {
      prefixes: [PREFIX],
      metric: 50,
    });
    assert.equal(adv.status, 200, adv.text);
    assert.equal(
      (await primaryOf())?.address,
      current.address,
      'not at once: it has been healthy for less than 6 s',
    );
    const setAt = Date.now();
    await m1.member.waitFor(() => lanVia(m1) === lower.ip, 8000, 'failback to the lower metric');
    await m1.member.waitFor(() => settledOn(m1, lower.ip), 12_000, 'settled on the lower metric router');
    assertMadeBeforeBroken(m1, setAt, lower.ip);
    const events = await api('GET', `/api/v1/events?network=${nwid}&type=route.failback`);
    assert.equal(events.body.events.length, 1, events.text);
    assert.match(events.body.events[0].data.why, /failbackAfter \(6000 ms\) elapsed/);
    await api('PUT', `/api/v1/networks/${nwid}/members/${lower.address}/advertised`, {
      prefixes: [PREFIX],
      metric: 100,
    });
  });

  it('spread mode with three routers: every member gets exactly one router; losing one moves only its members', async () => {
    const adv = await api('PUT', `/api/v1/networks/${nwid}/members/${r3.address}/advertised`, {
      prefixes: [PREFIX],
    });
    assert.equal(adv.status, 200, adv.text);
    await api('POST', `/api/v1/networks/${nwid}/routes/approve`, { member: r3.address, prefix: PREFIX });
    const set = await api('POST', `/controller/network/${nwid}`, { steering: 'spread' });
    assert.equal(set.status, 200, set.text);
    /** The member's router per the API: the via of its deepest routes (the rest stand by beneath). */
    const assigned = async (n: Node) => {
      const res = await api('GET', `/api/v1/networks/${nwid}/members/${n.address}/routes`);
      const routes: Array<{ bits: number; via: string }> = res.body.routes
        .filter((r: { target: string }) => r.target.startsWith('192.168.50.'))
        .map((r: { target: string; via: string }) => ({ bits: Number(r.target.split('/')[1]), via: r.via }));
      const deepest = Math.max(...routes.map((r) => r.bits));
      return new Set(routes.filter((r) => r.bits === deepest).map((r) => r.via));
    };
    for (const m of [m1, m2]) {
      const vias = await assigned(m);
      assert.equal(vias.size, 1, `${m.address} is assigned one router`);
      // Wait for the spread config itself, not the primary-mode route the member still holds.
      await m.member.waitFor(
        () => settledOn(m, [...vias][0]!),
        12_000,
        `${m.address} routes via its assigned router`,
      );
    }
    const rep = await report();
    const counts = rep.advertised[0].routers.map((r: { members?: number }) => r.members ?? 0);
    assert.equal(
      counts.reduce((a: number, b: number) => a + b, 0),
      2,
      'the two non-router members are assigned',
    );
    const before = new Map([m1, m2].map((m) => [m.address, lanVia(m)!] as const));
    const victim = nodes.find((n) => n.ip === before.get(m1.address))!;
    const lostAt = Date.now();
    await victim.member.stop();
    await m1.member.waitFor(
      () => lanVia(m1) !== null && lanVia(m1) !== victim.ip,
      8000,
      'm1 leaves the lost router',
    );
    assert.ok(Date.now() - lostAt <= 5000, `m1 moved after ${Date.now() - lostAt} ms`);
    const target = lanVia(m1)!;
    await m1.member.waitFor(() => settledOn(m1, target), 12_000, 'm1 settles on its new router');
    assertMadeBeforeBroken(m1, lostAt, target);
    if (before.get(m2.address) !== victim.ip) {
      assert.equal(lanVia(m2), before.get(m2.address), 'a member of another router did not move');
      assert.ok(
        lanLog(m2, lostAt).every((m) => m.vias.every((via) => via === before.get(m2.address))),
        'its kernel did not change at all',
      );
    }
    await victim.member.start();
  });

  it("a member authorized later receives the routers' routes too", async () => {
    const sent = async () =>
      (await api('GET', `/api/v1/networks/${nwid}/members/${m2.address}/routes`)).body.routes
        .map((r: { target: string }) => r.target)
        .filter((t: string) => t.startsWith('192.168.50.'));
    const off = await api('POST', `/controller/network/${nwid}/member/${m2.address}`, { authorized: false });
    assert.equal(off.status, 200, off.text);
    assert.deepEqual(await sent(), [], 'an unauthorized member is sent nothing');
    const on = await api('POST', `/controller/network/${nwid}/member/${m2.address}`, { authorized: true });
    assert.equal(on.status, 200, on.text);
    assert.ok((await sent()).length > 0, "authorized again: in the routers' audience at once");
    const revision = (await api('GET', `/controller/network/${nwid}`)).body.revision;
    await m2.member.waitForConfig(nwid, revision, 3000);
    assert.ok(kernelVia(m2).length > 0);
  });

  it('an auto-approver approves a prefix inside its range when it is advertised, and says so', async () => {
    const set = await api('POST', `/controller/network/${nwid}`, {
      autoApprovers: [{ prefix: '10.99.0.0/16', approvers: [`member:${r3.address}`] }],
    });
    assert.equal(set.status, 200, set.text);
    const res = await api('PUT', `/api/v1/networks/${nwid}/members/${r3.address}/advertised`, {
      prefixes: [PREFIX, '10.99.1.0/24'],
    });
    assert.equal(res.status, 200, res.text);
    const row = res.body.routes.find((r: { prefix: string }) => r.prefix === '10.99.1.0/24');
    assert.equal(row.approved, true);
    assert.equal(row.approvedBy, 'auto-approver:10.99.0.0/16');
    const other = await api('PUT', `/api/v1/networks/${nwid}/members/${r1.address}/advertised`, {
      prefixes: [PREFIX, '10.99.2.0/24'],
    });
    const notListed = other.body.routes.find((r: { prefix: string }) => r.prefix === '10.99.2.0/24');
    assert.equal(notListed.approved, false, 'a router the rule does not name needs a hand approval');
    const events = await api('GET', `/api/v1/events?network=${nwid}&type=router.auto-approved`);
    assert.equal(events.body.events.length, 1);
    await m1.member.waitFor(
      () => m1.member.routes(nwid).some((r) => r.target.startsWith('10.99.1.')),
      // Like the real client, the member may still be removing routes of the last test's move.
      10_000,
      'the auto-approved prefix reaches members',
    );
  });

  it('draining a router moves its members away while it stays reachable; undrain makes it a healthy candidate again', async () => {
    await m1.member.waitFor(
      () => lanVia(m1) !== null && settledOn(m1, lanVia(m1)!),
      12_000,
      'm1 routes via one router',
    );
    const router = nodes.find((n) => n.ip === lanVia(m1))!;
    const res = await api('POST', `/api/v1/networks/${nwid}/members/${router.address}/drain`, {});
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.routes.every((r: { health: string }) => r.health === 'draining'));
    const drainedAt = Date.now();
    await m1.member.waitFor(
      () => lanVia(m1) !== null && lanVia(m1) !== router.ip,
      3000,
      'm1 leaves the drained router',
    );
    const target = lanVia(m1)!;
    await m1.member.waitFor(() => settledOn(m1, target), 12_000, 'm1 settles on its new router');
    assertMadeBeforeBroken(m1, drainedAt, target);
    const events = await api('GET', `/api/v1/events?network=${nwid}&type=router.draining`);
    assert.equal(events.body.events.length, 1);
    const undo = await api('POST', `/api/v1/networks/${nwid}/members/${router.address}/drain`, {
      draining: false,
    });
    assert.equal(undo.status, 200, undo.text);
    assert.ok(undo.body.routes.every((r: { health: string }) => r.health === 'healthy'));
  });

  it('bad input is refused with a clear error and changes nothing', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      [
        'PUT',
        `/api/v1/networks/${nwid}/members/${m1.address}/advertised`,
        { prefixes: ['192.168.1.1/24'] },
        400,
        /prefixes\[0\]/,
      ],
      [
        'PUT',
        `/api/v1/networks/${nwid}/members/${m1.address}/advertised`,
        { prefixes: [PREFIX, PREFIX] },
        400,
        /prefixes\[1\]/,
      ],
      [
        'PUT',
        `/api/v1/networks/${nwid}/members/${m1.address}/advertised`,
        { prefixes: [PREFIX], metric: -1 },
        400,
        /metric/,
      ],
      ['PUT', `/api/v1/networks/${nwid}/members/${m1.address}/advertised`, {}, 400, /prefixes/],
      [
        'PUT',
        `/api/v1/networks/${nwid}/members/aaaaaaaaab/advertised`,
        { prefixes: [PREFIX] },
        404,
        /member aaaaaaaaab/,
      ],
      [
        'POST',
        `/api/v1/networks/${nwid}/routes/approve`,
        { member: m1.address, prefix: PREFIX },
        409,
        /does not advertise/,
      ],
      ['POST', `/api/v1/networks/${nwid}/routes/approve`, { member: 'xyz', prefix: PREFIX }, 400, /member/],
      ['POST', `/api/v1/networks/${nwid}/members/${m1.address}/drain`, {}, 409, /advertises nothing/],
      ['POST', '/api/v1/tokens', { name: 'x', network: nwid }, 400, /both network and member/],
      ['POST', `/controller/network/${nwid}`, { steering: 'random' }, 400, /steering/],
    ];
    for (const [method, path, body, status, error] of cases) {
      const before = (await report()).advertised;
      const res = await api(method, path, body);
      assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.body.error, error);
      assert.deepEqual(
        (await report()).advertised.map((p: { routers: unknown[] }) => p.routers.length),
        before.map((p: { routers: unknown[] }) => p.routers.length),
      );
    }
  });
});
