// Exit-node failover: two routers advertise the default route. It has one form only (the client
// refuses to see 0.0.0.0/0 split: 0.0.0.0/1 has no scope it accepts), so both routers send the same
// target, and zerotier-one ignores a new via on a target it holds (ZeroTierOne #2339). Bug pinned:
// before withdraw-first, members kept the default route via the dead primary forever. Members here
// apply configs as zerotier-one 1.14.1 does on Linux (allowDefault on, removals first, 1 s each).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';
import { memberIdentities } from './support/recorded-identities.ts';
import { kernelGatewayFor } from './support/managed-routes.ts';
import { networkWithMembers, type LabNode } from './support/member-lab.ts';

const DEFAULT = '0.0.0.0/0';
const INTERNET_HOSTS = ['1.1.1.1', '203.0.113.9'];

type Node = LabNode;

describe('exit-node failover: the default route moves to the backup although its target stays the same', () => {
  let zt: TestController;
  let nwid: string;
  let r1: Node, r2: Node, m1: Node;

  const api = (method: string, path: string, body?: unknown) => zt.request(method, path, body);
  /** The router traffic to the internet leaves through (null: no default route). */
  const exitVia = (n: Node, routes = n.member.routes(nwid)) => kernelGatewayFor(routes, INTERNET_HOSTS);

  before(async () => {
    zt = await startTestController();
    let nodes: LabNode[];
    ({ nwid, nodes } = await networkWithMembers(zt, {
      name: 'exit',
      route: '10.160.0.0/24',
      identities: memberIdentities(zt.controller.identity.address).slice(0, 3),
      ipOf: (i) => `10.160.0.${i + 1}`,
      member: { managed: { allowDefault: true }, routeRemovalMs: 1000 },
    }));
    [r1, r2, m1] = nodes as [Node, Node, Node];
  });

  after(async () => {
    for (const n of [r1, r2, m1]) await n?.member.stop();
    await zt?.close();
  });

  it('both routers advertise 0.0.0.0/0: the member leaves through the primary', async () => {
    for (const r of [r1, r2]) {
      const adv = await api('PUT', `/api/v1/networks/${nwid}/members/${r.address}/advertised`, {
        prefixes: [DEFAULT],
      });
      assert.equal(adv.status, 200, adv.text);
      const ok = await api('POST', `/api/v1/networks/${nwid}/routes/approve`, {
        member: r.address,
        prefix: DEFAULT,
      });
      assert.equal(ok.status, 200, ok.text);
    }
    const report = await api('GET', `/api/v1/networks/${nwid}/routes`);
    const view = report.body.advertised[0];
    assert.equal(view.prefix, DEFAULT);
    assert.ok(view.problems.some((p: string) => /withdraws those targets before re-adding them/.test(p)));
    const primary = [r1, r2].find((r) => r.address === view.primary)!;
    await m1.member.waitFor(() => exitVia(m1) === primary.ip, 5000, 'default route via the primary');
  });

  it('the primary stops: the default route is withdrawn, then sent again via the backup, which the client installs', async () => {
    const view = (await api('GET', `/api/v1/networks/${nwid}/routes`)).body.advertised[0];
    const primary = [r1, r2].find((r) => r.address === view.primary)!;
    const backup = primary === r1 ? r2 : r1;
    const stoppedAt = Date.now();
    await primary.member.stop();
    await m1.member.waitFor(() => exitVia(m1) === backup.ip, 10_000, 'default route via the backup');
    const movedAfter = Date.now() - stoppedAt;
    // Detection (2–4 s) + the withdrawal's push + the client removing the old route (1 s) + the re-add.
    assert.ok(movedAfter <= 7000, `moved after ${movedAfter} ms`);
    // What the member's kernel went through: via the primary, nothing, via the backup; never a
    // default route via the backup announced while the client still held the old one.
    const states = m1.member
      .kernelLog(nwid)
      .filter((m) => m.at >= stoppedAt)
      .map((m) => exitVia(m1, m.routes));
    const distinct = states.filter((s, i) => i === 0 || states[i - 1] !== s);
    assert.deepEqual(distinct.slice(-2), [null, backup.ip], distinct.join(' → '));
    const events = await api('GET', `/api/v1/events?network=${nwid}&type=route.withdrawn-first`);
    assert.equal(events.body.events.length, 1, events.text);
    assert.deepEqual(events.body.events[0].data.targets, [DEFAULT]);
    // Only the member's own record of what it was sent tells the two pushes apart.
    const sent = m1.member
      .configEvents(nwid)
      .filter((e) => e.at >= stoppedAt)
      .map((e) =>
        e.config.routes
          .filter((r) => r.target === DEFAULT)
          .map((r) => r.via ?? '-')
          .join(','),
      );
    assert.deepEqual(sent.slice(-2), ['', backup.ip], sent.join(' | '));
  });
});
