// The routing client commands end to end (ipam, routes, events, network set and the IPAM fields of
// member show): the real `routeplane` binary, spawned as a child process, against a real controller
// on an ephemeral port. The story is the operator example: IPAM 10.0.0.0/8 with three /24 children,
// a network routed from it through gateway 10.0.0.1, a member in 10.1.2.0/24.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventQuery } from '../src/cli/commands/events.ts';
import { subnetPath } from '../src/cli/commands/ipam.ts';
import { planBody } from '../src/cli/commands/routes.ts';
import { formatPercent, formatUsage, planPreview, subnetTree } from '../src/cli/routing-views.ts';
import { assertFails, assertOk, runCli, tableRows, type Run } from './helpers/cli-runner.ts';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';

const MEMBER_A = 'aaaaaaaaaa';
const MEMBER_B = 'bbbbbbbbbb';

const run = (args: string[], cwd: string): Promise<Run> => runCli(args, cwd);

/** The table before the first blank line of a report, and the `key  value` block after it. */
function splitReport(stdout: string): { table: string[][]; fields: string } {
  const [table = '', ...rest] = stdout.split('\n\n');
  return { table: tableRows(table), fields: rest.join('\n\n') };
}

describe('routeplane ipam, routes and events against a running controller', () => {
  let zt: TestController;
  let cwd: string;
  let nwid: string;
  let plainNwid: string;
  const subnetIds = new Map<string, string>();
  const cli = (...args: string[]) => run([...args, '--url', zt.url, '--token', zt.token], cwd);

  before(async () => {
    zt = await startTestController();
    cwd = mkdtempSync(join(tmpdir(), 'routeplane-cli-routing-'));
  });
  after(async () => {
    await zt.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('ipam add builds the tree: the parent first, then children that land under it', async () => {
    const root = await cli('ipam', 'add', '10.0.0.0/8', '--name', 'vpn');
    assertOk(root, 'add root');
    const rootMatch = /^added 10\.0\.0\.0\/8 \(vpn\) as a root, id ([0-9a-f]{12})\n$/.exec(root.stdout);
    assert.ok(rootMatch, root.stdout);
    subnetIds.set('10.0.0.0/8', rootMatch[1]!);

    const children = await Promise.all([
      cli('ipam', 'add', '10.1.1.0/24', '--name', 'group 1'),
      cli('ipam', 'add', '10.1.2.0/24', '--name', 'group 2', '--parent', '10.0.0.0/8'),
      cli('ipam', 'add', '10.1.3.0/24', '--name', 'group 3', '--parent', rootMatch[1]!, '--json'),
    ]);
    for (const [i, result] of children.slice(0, 2).entries()) {
      assertOk(result, `add child ${i + 1}`);
      assert.match(
        result.stdout,
        new RegExp(
          `^added 10\\.1\\.${i + 1}\\.0/24 \\(group ${i + 1}\\) under 10\\.0\\.0\\.0/8, id [0-9a-f]{12}\n$`,
        ),
      );
    }
    assertOk(children[2]!, 'add child 3 --json');
    const third = JSON.parse(children[2]!.stdout);
    assert.equal(third.prefix, '10.1.3.0/24');
    assert.equal(third.parent, rootMatch[1]);
    assert.equal(third.parentPrefix, '10.0.0.0/8');

    const stored = await zt.request('GET', '/api/v1/ipam/subnets');
    assert.deepEqual(
      stored.body.subnets.map((s: { prefix: string; name: string; parentPrefix: string | null }) => [
        s.prefix,
        s.name,
        s.parentPrefix,
      ]),
      [
        ['10.0.0.0/8', 'vpn', null],
        ['10.1.1.0/24', 'group 1', '10.0.0.0/8'],
        ['10.1.2.0/24', 'group 2', '10.0.0.0/8'],
        ['10.1.3.0/24', 'group 3', '10.0.0.0/8'],
      ],
    );
    for (const subnet of stored.body.subnets) subnetIds.set(subnet.prefix, subnet.id);
  });

  it('ipam list prints the subnets in prefix order, or the API answer with --json', async () => {
    const [human, json] = await Promise.all([cli('ipam', 'list'), cli('ipam', 'list', '--json')]);
    assertOk(human, 'list');
    assert.deepEqual(tableRows(human.stdout), [
      ['ID', 'PREFIX', 'NAME', 'PARENT', 'NETWORKS'],
      [subnetIds.get('10.0.0.0/8')!, '10.0.0.0/8', 'vpn', '-', '-'],
      [subnetIds.get('10.1.1.0/24')!, '10.1.1.0/24', 'group 1', '10.0.0.0/8', '-'],
      [subnetIds.get('10.1.2.0/24')!, '10.1.2.0/24', 'group 2', '10.0.0.0/8', '-'],
      [subnetIds.get('10.1.3.0/24')!, '10.1.3.0/24', 'group 3', '10.0.0.0/8', '-'],
    ]);
    assertOk(json, 'list --json');
    assert.deepEqual(JSON.parse(json.stdout), (await zt.request('GET', '/api/v1/ipam/subnets')).body);
  });

  it('network create and network set bind a network to IPAM and route from it', async () => {
    const [created, plain] = await Promise.all([
      cli('network', 'create', '--name', 'ops', '--ipam-subnet', '10.0.0.0/8'),
      cli('network', 'create', '--name', 'plain'),
    ]);
    assertOk(created, 'create --ipam-subnet');
    nwid = created.stdout.trim();
    assertOk(plain, 'create plain');
    plainNwid = plain.stdout.trim();

    const set = await cli('network', 'set', nwid, '--routes-from-ipam', '--ipam-gateway', '10.0.0.1');
    assertOk(set, 'network set');
    assert.match(set.stdout, /^ipam subnet +10\.0\.0\.0\/8$/m);
    assert.match(set.stdout, /^ipam routes +one per child subnet \(parent route via 10\.0\.0\.1\)$/m);
    assert.match(set.stdout, /^route limit +error /m);
    assert.match(
      set.stdout,
      /^routes +10\.0\.0\.0\/8 via 10\.0\.0\.1\n +10\.1\.1\.0\/24\n +10\.1\.2\.0\/24\n +10\.1\.3\.0\/24$/m,
    );

    const stored = (await zt.request('GET', `/controller/network/${nwid}`)).body;
    assert.equal(stored.ipamSubnet, '10.0.0.0/8');
    assert.equal(stored.routesFromIpam, true);
    assert.equal(stored.ipamGateway, '10.0.0.1');
    assert.equal(stored.routeLimitStrategy, 'error');

    // The strategy goes there and back; --json prints the network the API returned.
    const aggregate = await cli('network', 'set', nwid, '--route-limit-strategy', 'aggregate', '--json');
    assertOk(aggregate, 'set --route-limit-strategy aggregate');
    assert.equal(JSON.parse(aggregate.stdout).routeLimitStrategy, 'aggregate');
    assertOk(await cli('network', 'set', nwid, '--route-limit-strategy', 'error'), 'back to error');
    assert.equal((await zt.request('GET', `/controller/network/${nwid}`)).body.routeLimitStrategy, 'error');

    // `none` clears: the plain network gets a subnet, loses it, and never had routes from IPAM.
    const bind = await cli('network', 'set', plainNwid, '--ipam-subnet', '10.0.0.0/8', '--json');
    assertOk(bind, 'bind plain');
    assert.equal(JSON.parse(bind.stdout).ipamSubnet, '10.0.0.0/8');
    const unbind = await cli('network', 'set', plainNwid, '--ipam-subnet', 'none', '--no-routes-from-ipam');
    assertOk(unbind, 'unbind plain');
    assert.match(unbind.stdout, /^ipam subnet +none$/m);
    const plainStored = (await zt.request('GET', `/controller/network/${plainNwid}`)).body;
    assert.equal(plainStored.ipamSubnet, null);
    assert.equal(plainStored.routesFromIpam, false);
  });

  it('member show prints the IPAM subnet and the child subnet a member is in', async () => {
    await Promise.all([
      cli('member', 'set', nwid, MEMBER_A, '--ip', '10.1.2.7'),
      cli('member', 'set', nwid, MEMBER_B, '--ip', '10.5.0.9'),
      cli('member', 'set', plainNwid, MEMBER_A, '--ip', '10.1.1.9'),
    ]);
    const authorized = await Promise.all([
      cli('member', 'authorize', nwid, MEMBER_A),
      cli('member', 'authorize', nwid, MEMBER_B),
    ]);
    for (const result of authorized) assertOk(result, 'authorize');

    const [a, b, plain, json] = await Promise.all([
      cli('member', 'show', nwid, MEMBER_A),
      cli('member', 'show', nwid, MEMBER_B),
      cli('member', 'show', plainNwid, MEMBER_A),
      cli('member', 'show', nwid, MEMBER_A, '--json'),
    ]);
    assertOk(a, 'show a');
    assert.match(a.stdout, /^ipam subnet +10\.0\.0\.0\/8$/m);
    assert.match(a.stdout, /^ipam child subnet +10\.1\.2\.0\/24$/m);
    assertOk(b, 'show b');
    assert.match(b.stdout, /^ipam subnet +10\.0\.0\.0\/8$/m);
    assert.match(b.stdout, /^ipam child subnet +none$/m, 'an IP in no child subnet');
    assertOk(plain, 'show on a network without IPAM');
    assert.doesNotMatch(plain.stdout, /ipam/);
    assertOk(json, 'show --json');
    assert.equal(JSON.parse(json.stdout).ipamChildSubnet, '10.1.2.0/24');
  });

  it('routes show lists the four IPAM routes with source, owner, status and members', async () => {
    const [human, json] = await Promise.all([
      cli('routes', 'show', nwid),
      cli('routes', 'show', nwid, '--json'),
    ]);
    assertOk(human, 'routes show');
    const { table, fields } = splitReport(human.stdout);
    const owner = subnetIds.get('10.0.0.0/8')!;
    assert.deepEqual(table, [
      ['TARGET', 'VIA', 'SOURCE', 'OWNER', 'STATUS', 'MEMBERS'],
      ['10.0.0.0/8', '10.0.0.1', 'ipam', owner, 'active', '2'],
      ['10.1.1.0/24', '-', 'ipam', owner, 'active', '2'],
      ['10.1.2.0/24', '-', 'ipam', owner, 'active', '2'],
      ['10.1.3.0/24', '-', 'ipam', owner, 'active', '2'],
    ]);
    assert.match(fields, new RegExp(`^network +${nwid}$`, 'm'));
    assert.match(fields, /^limit +128 routes per member, strategy error$/m);
    assert.match(fields, /^members +2 authorized$/m);
    assert.match(fields, /^aggregation +none$/m);
    assert.match(fields, /^problems +\S+: /m);

    assertOk(json, 'routes show --json');
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report, (await zt.request('GET', `/api/v1/networks/${nwid}/routes`)).body);
    assert.equal(report.routes.length, 4);
  });

  it("routes show --member prints that member's exact list and the revision", async () => {
    const [human, json] = await Promise.all([
      cli('routes', 'show', nwid, '--member', MEMBER_A.toUpperCase()),
      cli('routes', 'show', nwid, '--member', MEMBER_A, '--json'),
    ]);
    const network = (await zt.request('GET', `/controller/network/${nwid}`)).body;
    const member = (await zt.request('GET', `/controller/network/${nwid}/member/${MEMBER_A}`)).body;
    assertOk(human, 'routes show --member');
    const [head = '', list = ''] = human.stdout.split('\n\n');
    assert.match(head, new RegExp(`^member +${MEMBER_A}$`, 'm'));
    assert.match(
      head,
      new RegExp(`^revision +${network.revision} \\(member revision ${member.revision}\\)$`, 'm'),
    );
    assert.match(head, /^routes +4$/m);
    assert.deepEqual(tableRows(list), [
      ['TARGET', 'VIA', 'SOURCE'],
      ['10.0.0.0/8', '10.0.0.1', 'ipam'],
      ['10.1.1.0/24', '-', 'ipam'],
      ['10.1.2.0/24', '-', 'ipam'],
      ['10.1.3.0/24', '-', 'ipam'],
    ]);
    assertOk(json, 'routes show --member --json');
    const answer = JSON.parse(json.stdout);
    assert.equal(answer.revision, network.revision);
    assert.deepEqual(answer.routes[0], { target: '10.0.0.0/8', via: '10.0.0.1', source: 'ipam' });
  });

  it('routes plan previews a change without making it: routes added and removed, for how many members', async () => {
    const revision = (await zt.request('GET', `/controller/network/${nwid}`)).body.revision;
    const bodyFile = join(cwd, 'plan.json');
    writeFileSync(bodyFile, JSON.stringify({ routesFromIpam: false }));
    const [options, jsonBody, fromFile, asJson] = await Promise.all([
      cli('routes', 'plan', nwid, '--no-routes-from-ipam'),
      cli('routes', 'plan', nwid, '{"routesFromIpam": false}'),
      cli('routes', 'plan', nwid, `@${bodyFile}`),
      cli('routes', 'plan', nwid, '--no-routes-from-ipam', '--json'),
    ]);
    assertOk(options, 'plan --no-routes-from-ipam');
    const { table, fields } = splitReport(options.stdout);
    assert.deepEqual(table, [
      ['CHANGE', 'TARGET', 'VIA', 'SOURCE', 'MEMBERS'],
      ['add', '10.0.0.0/8', '-', 'ipam', '2'],
      ['remove', '10.0.0.0/8', '10.0.0.1', 'ipam', '2'],
      ['remove', '10.1.1.0/24', '-', 'ipam', '2'],
      ['remove', '10.1.2.0/24', '-', 'ipam', '2'],
      ['remove', '10.1.3.0/24', '-', 'ipam', '2'],
    ]);
    assert.match(fields, /^outcome +accepted \(a preview: nothing was changed\)$/m);
    assert.match(fields, /^members +2 would change, 0 unchanged$/m);
    assert.match(fields, /^problems +IPAM_GATEWAY_UNUSED: /m);
    assertOk(jsonBody, 'plan with a JSON body');
    assert.equal(jsonBody.stdout, options.stdout);
    assertOk(fromFile, 'plan @file');
    assert.equal(fromFile.stdout, options.stdout);
    assertOk(asJson, 'plan --json');
    const preview = JSON.parse(asJson.stdout);
    assert.equal(preview.outcome, 'accepted');
    assert.equal(preview.membersChanged, 2);

    const after = (await zt.request('GET', `/controller/network/${nwid}`)).body;
    assert.equal(after.routesFromIpam, true, 'the preview changed nothing');
    assert.equal(after.revision, revision);
  });

  it('routes plan shows a refused change as an error (exit 1), and an aggregated one', async () => {
    // 131 routes from IPAM: over ZeroTier's 128 unless the network aggregates.
    await zt.request('POST', '/api/v1/ipam/subnets', { prefix: '172.16.0.0/12', name: 'big' });
    for (let i = 0; i < 130; i++) {
      const added = await zt.request('POST', '/api/v1/ipam/subnets', { prefix: `172.16.${i}.0/24` });
      assert.equal(added.status, 201);
    }
    const big = await cli('network', 'create', '--ipam-subnet', '172.16.0.0/12');
    assertOk(big, 'create big');
    const bigNwid = big.stdout.trim();

    const [refused, refusedJson, aggregated] = await Promise.all([
      cli('routes', 'plan', bigNwid, '--routes-from-ipam'),
      cli('routes', 'plan', bigNwid, '--routes-from-ipam', '--json'),
      cli('routes', 'plan', bigNwid, '{"routesFromIpam": true}', '--route-limit-strategy', 'aggregate'),
    ]);
    assertFails(
      refused,
      1,
      /^routeplane: the change would be refused: 131 routes .*128.*\n$/,
      'refused plan',
    );
    assert.equal(refusedJson.code, 1);
    assert.equal(JSON.parse(refusedJson.stdout).outcome, 'rejected');
    assert.equal(JSON.parse(refusedJson.stdout).error.code, 'RP_ROUTE_LIMIT');
    assertOk(aggregated, 'aggregated plan');
    assert.match(aggregated.stdout, /^outcome +accepted /m);
    assert.match(aggregated.stdout, /^aggregation +131 -> 128 routes shared by all members$/m);
    assert.match(aggregated.stdout, /^ +172\.16\.0\.0\/23 <- 172\.16\.0\.0\/24, 172\.16\.1\.0\/24$/m);

    // The write itself is refused with the same reason.
    const write = await cli('network', 'set', bigNwid, '--routes-from-ipam');
    assertFails(write, 1, /^routeplane: .*131 routes .*routeLimitStrategy/, 'refused write');
    assert.equal((await zt.request('GET', `/controller/network/${bigNwid}`)).body.routesFromIpam, false);
    // Unbound, 172.16.0.0/12 can be deleted later.
    const unbind = await cli('network', 'set', bigNwid, '--ipam-subnet', 'none', '--json');
    assertOk(unbind, 'unbind big');
    assert.equal(JSON.parse(unbind.stdout).ipamSubnet, null);
  });

  it('events lists the newest events oldest first, filtered by type, network and member', async () => {
    const [routeEvents, newest, memberEvents, json] = await Promise.all([
      cli('events', '--type', 'route.', '--network', nwid, '--limit', '1000'),
      cli('events', '--type', 'route.', '--limit', '2'),
      cli('events', '--member', MEMBER_A, '--network', nwid),
      cli('events', '--type', 'route.added', '--limit', '3', '--json'),
    ]);
    assertOk(routeEvents, 'events --type route.');
    const rows = tableRows(routeEvents.stdout);
    assert.deepEqual(rows[0], ['TIME', 'ID', 'TYPE', 'NETWORK/MEMBER', 'ACTOR', 'REASON']);
    const events = rows.slice(1);
    assert.ok(
      events.every((row) => /^route\./.test(row[2] ?? '')),
      routeEvents.stdout,
    );
    assert.ok(events.every((row) => row[3] === nwid && row[4] === 'api'));
    assert.ok(events.every((row) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(row[0] ?? '')));
    const ids = events.map((row) => Number(row[1]));
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
      'oldest first',
    );
    for (const target of ['10.0.0.0/8 via 10.0.0.1', '10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']) {
      assert.ok(
        events.some((row) => row[2] === 'route.added' && row[5]?.startsWith(`${target} (ipam) added`)),
        `route.added for ${target}:\n${routeEvents.stdout}`,
      );
    }

    // --limit keeps the newest: the last two route events of every network, still oldest first.
    assertOk(newest, 'events --limit 2');
    const api = (await zt.request('GET', '/api/v1/events?type=route.&order=desc&limit=2')).body.events;
    assert.deepEqual(
      tableRows(newest.stdout)
        .slice(1)
        .map((row) => Number(row[1])),
      [api[1].id, api[0].id],
    );

    assertOk(memberEvents, 'events --member');
    const memberRows = tableRows(memberEvents.stdout).slice(1);
    assert.ok(memberRows.length >= 2, memberEvents.stdout);
    assert.ok(memberRows.every((row) => row[3] === `${nwid}/${MEMBER_A}`));
    assert.ok(memberRows.some((row) => row[2] === 'member.authorized'));

    assertOk(json, 'events --json');
    const answer = JSON.parse(json.stdout);
    assert.equal(answer.events.length, 3);
    assert.ok(answer.events.every((event: { type: string }) => event.type === 'route.added'));
    assert.ok(answer.events[0].id > answer.events[2].id, 'the API answer as it came: newest first');
  });

  it('events --after pages forward from an id, oldest first', async () => {
    const first = (await zt.request('GET', '/api/v1/events?order=asc&limit=5')).body.events;
    const result = await cli('events', '--after', String(first[1].id), '--limit', '3');
    assertOk(result, 'events --after');
    assert.deepEqual(
      tableRows(result.stdout)
        .slice(1)
        .map((row) => Number(row[1])),
      [first[2].id, first[3].id, first[4].id],
    );
    const none = await cli('events', '--type', 'no.such.type');
    assertOk(none, 'no events');
    assert.equal(none.stdout, 'No events.\n');
  });

  it('ipam tree shows the branch indented, with used/size, utilisation and the bound network', async () => {
    const [byPrefix, byId, json] = await Promise.all([
      cli('ipam', 'tree', '10.0.0.0/8'),
      cli('ipam', 'tree', subnetIds.get('10.0.0.0/8')!),
      cli('ipam', 'tree', '10.1.2.0/24', '--json'),
    ]);
    assertOk(byPrefix, 'tree by prefix');
    // 10.1.2.7 (ops), 10.5.0.9 (ops) and 10.1.1.9 (plain) are assigned inside 10.0.0.0/8.
    assert.deepEqual(tableRows(byPrefix.stdout), [
      ['PREFIX', 'NAME', 'USED', 'UTIL', 'NETWORK'],
      ['10.0.0.0/8', 'vpn', '3/16777216', '<0.01%', nwid],
      ['├─ 10.1.1.0/24', 'group 1', '1/256', '0.39%', '-'],
      ['├─ 10.1.2.0/24', 'group 2', '1/256', '0.39%', '-'],
      ['└─ 10.1.3.0/24', 'group 3', '0/256', '0%', '-'],
    ]);
    assertOk(byId, 'tree by id');
    assert.equal(byId.stdout, byPrefix.stdout);
    assertOk(json, 'tree --json');
    const node = JSON.parse(json.stdout);
    assert.equal(node.prefix, '10.1.2.0/24');
    assert.deepEqual(node.utilisation, { used: 1, size: 256, sizeLog2: 8, ratio: 1 / 256 });
  });

  it('bad input exits 1 with the API message', async () => {
    const [
      badPrefix,
      duplicate,
      unknownTree,
      unknownRm,
      inUse,
      notInIpam,
      badGateway,
      unknownMember,
      bigLimit,
    ] = await Promise.all([
      cli('ipam', 'add', '10.1.2.0/33'),
      cli('ipam', 'add', '10.1.2.0/24'),
      cli('ipam', 'tree', '10.9.0.0/16'),
      cli('ipam', 'rm', 'ffffffffffff'),
      cli('ipam', 'rm', '10.0.0.0/8', '--children', 'promote'),
      cli('network', 'set', nwid, '--ipam-subnet', '10.77.0.0/16', '--ipam-gateway', 'none'),
      cli('network', 'set', nwid, '--ipam-gateway', '192.168.1.1'),
      cli('routes', 'show', nwid, '--member', '0000000001'),
      cli('events', '--limit', '5000'),
    ]);
    assertFails(badPrefix, 1, /^routeplane: prefix: "10\.1\.2\.0\/33" has prefix length 33/, 'bad prefix');
    assertFails(duplicate, 1, /^routeplane: 10\.1\.2\.0\/24 \("group 2"\) exists already/, 'duplicate');
    assertFails(unknownTree, 1, /^routeplane: IPAM subnet 10\.9\.0\.0\/16 not found\n$/, 'unknown subnet');
    assertFails(unknownRm, 1, /^routeplane: IPAM subnet ffffffffffff not found\n$/, 'unknown id');
    assertFails(
      inUse,
      1,
      /^routeplane: cannot delete 10\.0\.0\.0\/8 \("vpn"\): it is the ipamSubnet of network /,
      'in use',
    );
    assertFails(
      notInIpam,
      1,
      /^routeplane: ipamSubnet: 10\.77\.0\.0\/16 is not an IPAM subnet/,
      'not in IPAM',
    );
    assertFails(
      badGateway,
      1,
      /^routeplane: ipamGateway: 192\.168\.1\.1 is not inside .*10\.0\.0\.0\/8/,
      'gateway',
    );
    assertFails(unknownMember, 1, /^routeplane: member 0000000001 of network \w+ not found\n$/, 'member');
    assertFails(bigLimit, 1, /^routeplane: limit: expected 1 to 1000, got 5000\n$/, 'limit');
    assert.equal((await zt.request('GET', '/api/v1/ipam/subnets')).body.subnets.length, 4 + 131);
  });

  it('usage errors exit 2 before any request', async () => {
    const lastEvent = async () =>
      (await zt.request('GET', '/api/v1/events?order=desc&limit=1')).body.events[0].id;
    const before = await lastEvent();
    const results = await Promise.all([
      cli('ipam', 'add'),
      cli('ipam', 'add', '10.2.0.0/16', '--root', '--parent', '10.0.0.0/8'),
      cli('ipam', 'rm', '10.1.3.0/24', '--children', 'bogus'),
      cli('ipam', 'set', '10.1.3.0/24'),
      cli('ipam', 'tree', ' '),
      cli('events', '--limit', 'ten'),
      cli('events', '--network', 'nope'),
      cli('network', 'set', nwid),
      cli('network', 'set', nwid, '--route-limit-strategy', 'sometimes'),
      cli('routes', 'show', nwid, '--member', 'zz'),
      cli('routes', 'plan', nwid),
      cli('routes', 'plan', nwid, '{not json'),
      cli('routes', 'plan', 'f8ea0e79'),
    ]);
    const expected: [RegExp, string][] = [
      [/missing required argument 'prefix'/, 'add without prefix'],
      [/option '--root' cannot be used with option '--parent/, '--root and --parent'],
      [/argument 'bogus' is invalid\. Allowed choices are refuse, promote, delete/, '--children'],
      [/^routeplane: nothing to change: give --name, --prefix, --parent or --root\n$/, 'ipam set'],
      [/^routeplane: a subnet id or prefix is required/, 'blank subnet'],
      [/^routeplane: --limit: "ten" is not a whole number\n$/, '--limit'],
      [/^routeplane: network ID "nope" is not valid/, '--network'],
      [/^routeplane: nothing to change: give --name, .*--ipam-subnet/, 'network set'],
      [/argument 'sometimes' is invalid\. Allowed choices are error, aggregate/, 'strategy'],
      [/^routeplane: member address "zz" is not valid/, '--member'],
      [/^routeplane: nothing to preview: give a JSON network body or --route/, 'empty plan'],
      [/^routeplane: the body is not JSON/, 'bad JSON'],
      [/^routeplane: network ID "f8ea0e79" is not valid/, 'short nwid'],
    ];
    results.forEach((result, i) => assertFails(result, 2, expected[i]![0], expected[i]![1]));
    const group = await cli('ipam');
    assert.equal(group.code, 2, 'a group without a subcommand');
    assert.match(group.stderr, /Usage: routeplane ipam/);
    assert.equal(await lastEvent(), before, 'nothing reached the controller');
  });

  it('ipam rename, set and rm change the tree, and routes follow', async () => {
    const renamed = await cli('ipam', 'rename', '10.1.3.0/24', 'group three');
    assertOk(renamed, 'rename');
    assert.match(renamed.stdout, /^name +group three$/m);
    assert.match(renamed.stdout, /^parent +10\.0\.0\.0\/8 \([0-9a-f]{12}\)$/m);

    const moved = await cli('ipam', 'set', '10.1.3.0/24', '--prefix', '10.1.4.0/24', '--json');
    assertOk(moved, 'set --prefix');
    assert.equal(JSON.parse(moved.stdout).prefix, '10.1.4.0/24');
    assert.equal(JSON.parse(moved.stdout).name, 'group three');

    const removed = await cli('ipam', 'rm', '10.1.4.0/24');
    assertOk(removed, 'rm');
    assert.match(removed.stdout, /^deleted 10\.1\.4\.0\/24 \(group three\), id [0-9a-f]{12}\n$/);
    const promoted = await cli('ipam', 'rm', '172.16.0.0/12', '--children', 'promote');
    assertOk(promoted, 'rm --children promote');
    const lines = promoted.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^deleted 172\.16\.0\.0\/12 \(big\), id /);
    assert.equal(lines.length, 1 + 130);
    assert.equal(lines[1], 'moved 172.16.0.0/24 to the top (now a root)');

    const routes = (await zt.request('GET', `/api/v1/networks/${nwid}/routes`)).body.routes;
    assert.deepEqual(
      routes.map((r: { target: string }) => r.target),
      ['10.0.0.0/8', '10.1.1.0/24', '10.1.2.0/24'],
      'the deleted child is no longer routed',
    );
    const gone = await cli('events', '--type', 'route.removed', '--network', nwid, '--limit', '1');
    assertOk(gone, 'route.removed event');
    assert.match(gone.stdout, /route\.removed +\S+ +\S+ +10\.1\.4\.0\/24 \(ipam\) removed/);
  });
});

describe('routing command helpers', () => {
  it('encodes a prefix in the URL path', () => {
    assert.equal(subnetPath('10.1.2.0/24'), '/api/v1/ipam/subnets/10.1.2.0%2F24');
    assert.equal(subnetPath('fd00::/64', '/tree'), '/api/v1/ipam/subnets/fd00%3A%3A%2F64/tree');
    assert.equal(subnetPath(' 0659c631995b '), '/api/v1/ipam/subnets/0659c631995b');
    assert.throws(() => subnetPath(''), /subnet id or prefix is required/);
  });

  it('formats utilisation: percentages and IPv6 sizes', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(1 / 256), '0.39%');
    assert.equal(formatPercent(0.5), '50%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(1 / 2 ** 24), '<0.01%');
    assert.equal(formatPercent(undefined), '-');
    assert.equal(formatUsage({ used: 3, size: '18446744073709551616', sizeLog2: 64 }), '3/2^64');
    assert.equal(formatUsage({ used: 3, size: 4294967296, sizeLog2: 32 }), '3/4294967296');
  });

  it('draws nested branches of the tree', () => {
    const node = (prefix: string, children: unknown[] = []) => ({
      prefix,
      name: '',
      networkId: null,
      utilisation: { used: 0, size: 1, sizeLog2: 0, ratio: 0 },
      children,
    });
    const tree = subnetTree(
      node('10.0.0.0/8', [
        node('10.1.0.0/16', [node('10.1.1.0/24'), node('10.1.2.0/24')]),
        node('10.2.0.0/16', [node('10.2.1.0/24')]),
      ]),
    );
    // The prefix column holds runs of spaces itself: cut it at the next header.
    const width = tree.indexOf('NAME');
    assert.deepEqual(
      tree
        .trimEnd()
        .split('\n')
        .map((line) => line.slice(0, width).trimEnd()),
      [
        'PREFIX',
        '10.0.0.0/8',
        '├─ 10.1.0.0/16',
        '│  ├─ 10.1.1.0/24',
        '│  └─ 10.1.2.0/24',
        '└─ 10.2.0.0/16',
        '   └─ 10.2.1.0/24',
      ],
    );
  });

  it('asks for the newest events unless paging forward with --after', () => {
    const newest = eventQuery({ type: 'route.', limit: '5' });
    assert.equal(newest.newestFirst, true);
    assert.equal(new URLSearchParams(newest.query).get('order'), 'desc');
    assert.equal(new URLSearchParams(newest.query).get('limit'), '5');
    const forward = eventQuery({ after: '42' });
    assert.equal(forward.newestFirst, false);
    assert.equal(new URLSearchParams(forward.query).get('order'), 'asc');
    assert.equal(new URLSearchParams(forward.query).get('after'), '42');
    assert.throws(() => eventQuery({ limit: '-1' }), /--limit/);
  });

  it('merges a plan body with the options, the options winning', async () => {
    assert.deepEqual(await planBody('{"routesFromIpam": true, "name": "x"}', { routesFromIpam: false }), {
      routesFromIpam: false,
      name: 'x',
    });
    assert.deepEqual(await planBody(undefined, { ipamSubnet: 'none', ipamGateway: '10.0.0.1' }), {
      ipamSubnet: null,
      ipamGateway: '10.0.0.1',
    });
    await assert.rejects(planBody('[]', {}), /must be a JSON object/);
    await assert.rejects(planBody(undefined, {}), /nothing to preview/);
  });

  it('counts members per route added or removed, as a lower bound past the listed members', () => {
    const route = { target: '10.9.0.0/24', via: null, source: 'manual', owner: null };
    const out = planPreview(
      {
        outcome: 'accepted',
        network: { added: [route], removed: [] },
        members: [{ address: MEMBER_A, added: [route], removed: [] }],
        membersChanged: 1500,
        membersUnchanged: 0,
        aggregated: null,
        problems: [],
      },
      'f8ea0e7924000001',
    );
    assert.deepEqual(tableRows(out.split('\n\n')[0]!)[1], [
      'add',
      '10.9.0.0/24',
      '-',
      'manual',
      'at least 1',
    ]);
    assert.match(out, /^members +1500 would change, 0 unchanged$/m);
  });
});
