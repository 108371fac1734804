// The subnet-router and token client commands end to end (routes advertise|approve|reject|drain, the
// routers part of routes show, tokens create|list|rm): the real `routeplane` binary, spawned as a
// child process, against a real controller on an ephemeral port. Members are made through the stock
// API (authorized, with an IP in 10.9.0.0/24), so no ZeroTier client is needed. The controller's
// prober is stopped: with no client to answer its ECHOs every router would go down within seconds,
// and the tests set health themselves (drain, and misses fed to the service as the prober would).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { advertiseBody } from '../src/cli/commands/routes.ts';
import { createBody } from '../src/cli/commands/tokens.ts';
import { advertisedSection, routerTable, tokenScope } from '../src/cli/router-views.ts';
import { assertFails, assertOk, runCli, tableRows } from './helpers/cli-runner.ts';
import {
  RECORDED_CONTROLLER,
  startTestController,
  type TestController,
} from './helpers/controller-fixture.ts';

const ROUTER_A = 'aaaaaaaaaa';
const ROUTER_B = 'bbbbbbbbbb';
const CLIENT_C = 'cccccccccc';
const LAN = '192.168.1.0/24';
const OFFICE = '10.50.0.0/16';

const run = runCli;

/** The blocks of an output, split on blank lines. */
function blocks(stdout: string): string[] {
  return stdout.trimEnd().split('\n\n');
}

const ROUTER_HEADER = ['PREFIX', 'ROUTER', 'VIA', 'METRIC', 'APPROVED', 'HEALTH', 'PRIMARY', 'ELIGIBLE'];
const OWN_HEADER = ['PREFIX', 'VIA', 'METRIC', 'APPROVED', 'HEALTH', 'PRIMARY', 'ELIGIBLE'];

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('routeplane routes advertise|approve|reject|drain and tokens against a running controller', () => {
  let zt: TestController;
  let cwd: string;
  let nwid: string;
  let routerToken: string;
  let routerTokenId: string;
  const cli = (...args: string[]) => run([...args, '--url', zt.url, '--token', zt.token], cwd);
  /** As a router would run it: the URL and its scoped token from the environment. */
  const asRouter = (token: string, ...args: string[]) =>
    run(args, cwd, { ROUTEPLANE_URL: zt.url, ROUTEPLANE_TOKEN: token });
  const advertisedOf = async (member: string) =>
    (await zt.request('GET', `/api/v1/networks/${nwid}/members/${member}/advertised`)).body.routes as {
      prefix: string;
      metric: number;
      advertised: boolean;
      approved: boolean;
      primary: boolean;
      health: string;
    }[];
  const report = async () => (await zt.request('GET', `/api/v1/networks/${nwid}/routes`)).body;
  const lastEvent = async () =>
    (await zt.request('GET', '/api/v1/events?order=desc&limit=1')).body.events[0]?.id ?? null;

  before(async () => {
    zt = await startTestController();
    zt.controller.prober.stop();
    cwd = mkdtempSync(join(tmpdir(), 'routeplane-cli-routers-'));
    const network = await zt.request('POST', `/controller/network/${RECORDED_CONTROLLER}______`, {
      name: 'routers',
      routes: [{ target: '10.9.0.0/24', via: null }],
    });
    assert.equal(network.status, 200, network.text);
    nwid = network.body.id;
    for (const [address, ip] of [
      [ROUTER_A, '10.9.0.1'],
      [ROUTER_B, '10.9.0.2'],
      [CLIENT_C, '10.9.0.3'],
    ] as const) {
      const member = await zt.request('POST', `/controller/network/${nwid}/member/${address}`, {
        authorized: true,
        ipAssignments: [ip],
      });
      assert.equal(member.status, 200, member.text);
    }
  });
  after(async () => {
    await zt.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('routes advertise replaces what a member advertises; new prefixes wait for approval', async () => {
    const [a, b] = await Promise.all([
      cli('routes', 'advertise', nwid, ROUTER_A.toUpperCase(), LAN, '--metric', '50'),
      cli('routes', 'advertise', nwid, ROUTER_B, LAN, OFFICE, '--json'),
    ]);
    assertOk(a, 'advertise A');
    const [summary, table] = blocks(a.stdout);
    assert.equal(
      summary,
      `${ROUTER_A} advertises 1 prefix in network ${nwid}; 1 waiting for approval ` +
        `("routeplane routes approve ${nwid} ${ROUTER_A} <prefix>")`,
    );
    assert.deepEqual(tableRows(table!), [
      OWN_HEADER,
      [LAN, '10.9.0.1', '50', 'no', 'healthy', '-', 'no (not approved)'],
    ]);

    assertOk(b, 'advertise B --json');
    const answer = JSON.parse(b.stdout);
    assert.deepEqual(
      answer.routes.map((r: { prefix: string; metric: number }) => [r.prefix, r.metric]),
      [
        [OFFICE, 100],
        [LAN, 100],
      ],
    );
    assert.deepEqual(answer.routes, await advertisedOf(ROUTER_B), '--json prints what the API returned');

    const stored = await advertisedOf(ROUTER_A);
    assert.deepEqual(
      stored.map((r) => [r.prefix, r.metric, r.advertised, r.approved]),
      [[LAN, 50, true, false]],
    );
  });

  it('routes approve approves a prefix; the lower metric becomes primary', async () => {
    const a = await cli('routes', 'approve', nwid, ROUTER_A, LAN);
    assertOk(a, 'approve A');
    const [summary, table] = blocks(a.stdout);
    assert.equal(summary, `approved ${LAN} advertised by ${ROUTER_A} in network ${nwid}`);
    assert.deepEqual(tableRows(table!), [
      ROUTER_HEADER,
      [LAN, ROUTER_A, '10.9.0.1', '50', 'yes (api)', 'healthy', '*', 'yes'],
    ]);

    const b = await cli('routes', 'approve', nwid, ROUTER_B, LAN, '--json');
    assertOk(b, 'approve B --json');
    const view = JSON.parse(b.stdout);
    assert.equal(view.member, ROUTER_B);
    assert.equal(view.approved, true);
    assert.equal(view.primary, false, 'metric 100 loses to metric 50');
    assert.equal((await advertisedOf(ROUTER_B)).find((r) => r.prefix === LAN)?.approved, true);
  });

  it('routes show lists every router of every advertised prefix: primary, health, eligibility', async () => {
    const [human, json] = await Promise.all([
      cli('routes', 'show', nwid),
      cli('routes', 'show', nwid, '--json'),
    ]);
    assertOk(human, 'routes show');
    const [routes, fields, routers, selection] = blocks(human.stdout);
    // Members are routed through the primary, A, in the target form of its slot (here the halves);
    // B's shallower form (the /24) is sent beneath it as a standby.
    const routeRows = tableRows(routes!);
    assert.deepEqual(routeRows.slice(0, 2), [
      ['TARGET', 'VIA', 'SOURCE', 'OWNER', 'STATUS', 'MEMBERS'],
      ['10.9.0.0/24', '-', 'manual', '-', 'active', '3'],
    ]);
    assert.ok(routeRows.length > 2, routes);
    const lanRows = routeRows.slice(2);
    const deepest = Math.max(...lanRows.map((row) => Number(row[0]!.split('/')[1])));
    for (const row of lanRows) {
      assert.match(row[0]!, /^192\.168\.1\.\d+\/(24|25)$/);
      const primaryRow = Number(row[0]!.split('/')[1]) === deepest;
      assert.deepEqual(
        row.slice(1),
        primaryRow
          ? ['10.9.0.1', 'advertised', ROUTER_A, 'active', '1']
          : ['10.9.0.2', 'advertised', ROUTER_B, 'active', '1'],
        routes,
      );
    }
    assert.match(fields!, new RegExp(`^network +${nwid}$`, 'm'));
    assert.deepEqual(
      tableRows(routers!).sort(),
      [
        ROUTER_HEADER,
        [LAN, ROUTER_A, '10.9.0.1', '50', 'yes (api)', 'healthy', '*', 'yes'],
        [LAN, ROUTER_B, '10.9.0.2', '100', 'yes (api)', 'healthy', '-', 'yes'],
        [OFFICE, ROUTER_B, '10.9.0.2', '100', 'no', 'healthy', '-', 'no (not approved)'],
      ].sort(),
    );
    assert.match(selection!, new RegExp(`^192\\.168\\.1\\.0/24 +primary ${ROUTER_A}: \\S`, 'm'));
    assert.match(selection!, /^10\.50\.0\.0\/16 +no primary: no eligible router/m);

    assertOk(json, 'routes show --json');
    const answer = JSON.parse(json.stdout);
    assert.deepEqual(answer, await report());
    assert.equal(answer.advertised.find((p: { prefix: string }) => p.prefix === LAN).primary, ROUTER_A);
  });

  it('a router that goes down is shown down and not eligible, and the other one takes over', async () => {
    // What the prober reports when a router stops answering: two misses make it down.
    const routers = zt.controller.service.routers;
    routers.noteHealth(ROUTER_A, { kind: 'miss', at: Date.now() });
    routers.noteHealth(ROUTER_A, { kind: 'miss', at: Date.now() });
    await until(
      async () => (await advertisedOf(ROUTER_B)).find((r) => r.prefix === LAN)?.primary === true,
      `${ROUTER_B} to become primary`,
    );
    const shown = await cli('routes', 'show', nwid);
    assertOk(shown, 'routes show with a router down');
    const rows = tableRows(blocks(shown.stdout)[2]!);
    assert.deepEqual(
      rows.find((row) => row[0] === LAN && row[1] === ROUTER_A),
      [LAN, ROUTER_A, '10.9.0.1', '50', 'yes (api)', 'down', '-', 'no (down)'],
    );
    assert.deepEqual(
      rows.find((row) => row[0] === LAN && row[1] === ROUTER_B),
      [LAN, ROUTER_B, '10.9.0.2', '100', 'yes (api)', 'healthy', '*', 'yes'],
    );
    // Members are routed through B now: B's routes are the deepest (its slot's form, here split);
    // A's shallower form stays beneath them as a standby, down but ready for a move back.
    const advertisedRoutes = tableRows(blocks(shown.stdout)[0]!).filter((row) => row[2] === 'advertised');
    assert.ok(advertisedRoutes.length > 0, shown.stdout);
    const bits = (row: string[]) => Number(row[0]!.split('/')[1]);
    const deepest = Math.max(...advertisedRoutes.map(bits));
    for (const row of advertisedRoutes)
      assert.deepEqual(
        row.slice(1, 4),
        bits(row) === deepest ? ['10.9.0.2', 'advertised', ROUTER_B] : ['10.9.0.1', 'advertised', ROUTER_A],
        shown.stdout,
      );

    // It answers again: healthy, but B stays primary until A has been healthy for failbackAfter.
    routers.noteHealth(ROUTER_A, { kind: 'answer', at: Date.now() });
    await until(
      async () => (await advertisedOf(ROUTER_A))[0]?.health === 'healthy',
      `${ROUTER_A} to be healthy`,
    );
  });

  it('routes drain moves members off a router, and --undo ends the drain', async () => {
    const drained = await cli('routes', 'drain', nwid, ROUTER_B);
    assertOk(drained, 'drain B');
    const [summary, table] = blocks(drained.stdout);
    assert.equal(
      summary,
      `router ${ROUTER_B} is draining in network ${nwid}: members move off it as soon as another router is healthy`,
    );
    assert.deepEqual(tableRows(table!), [
      OWN_HEADER,
      [OFFICE, '10.9.0.2', '100', 'no', 'draining', '-', 'no (not approved)'],
      [LAN, '10.9.0.2', '100', 'yes (api)', 'draining', '-', 'yes'],
    ]);
    const lan = (await report()).advertised.find((p: { prefix: string }) => p.prefix === LAN);
    assert.equal(lan.primary, ROUTER_A, 'the healthy router took the prefix over');

    const shown = await cli('routes', 'show', nwid);
    assertOk(shown, 'show while draining');
    const rows = tableRows(blocks(shown.stdout)[2]!);
    assert.deepEqual(rows.find((row) => row[0] === LAN && row[1] === ROUTER_B)?.slice(5), [
      'draining',
      '-',
      'yes',
    ]);
    assert.deepEqual(rows.find((row) => row[0] === LAN && row[1] === ROUTER_A)?.slice(5), [
      'healthy',
      '*',
      'yes',
    ]);

    const undone = await cli('routes', 'drain', nwid, ROUTER_B, '--undo', '--json');
    assertOk(undone, 'drain --undo');
    const answer = JSON.parse(undone.stdout);
    assert.deepEqual(
      answer.routes.map((r: { health: string }) => r.health),
      ['healthy', 'healthy'],
    );
    assert.ok((await advertisedOf(ROUTER_B)).every((r) => r.health === 'healthy'));
  });

  it('routes reject takes an approval back; the prefix stays advertised', async () => {
    const rejected = await cli('routes', 'reject', nwid, ROUTER_B, LAN);
    assertOk(rejected, 'reject');
    const [summary, table] = blocks(rejected.stdout);
    assert.equal(summary, `rejected ${LAN} advertised by ${ROUTER_B} in network ${nwid}`);
    assert.deepEqual(tableRows(table!), [
      ROUTER_HEADER,
      [LAN, ROUTER_B, '10.9.0.2', '100', 'no', 'healthy', '-', 'no (not approved)'],
    ]);
    const row = (await advertisedOf(ROUTER_B)).find((r) => r.prefix === LAN);
    assert.deepEqual([row?.advertised, row?.approved], [true, false]);
  });

  it('routes advertise with no prefixes withdraws them all', async () => {
    const withdrawn = await cli('routes', 'advertise', nwid, ROUTER_B);
    assertOk(withdrawn, 'withdraw');
    const [summary, table] = blocks(withdrawn.stdout);
    assert.equal(
      summary,
      `${ROUTER_B} advertises nothing in network ${nwid} (withdrawn prefixes need a new approval if advertised again)`,
    );
    assert.deepEqual(tableRows(table!), [
      OWN_HEADER,
      [OFFICE, '10.9.0.2', '100', 'no', 'healthy', '-', 'no (not advertised)'],
      [LAN, '10.9.0.2', '100', 'no', 'healthy', '-', 'no (not advertised)'],
    ]);
    assert.ok((await advertisedOf(ROUTER_B)).every((r) => !r.advertised && !r.approved));
    // Only A routes the LAN now (as the /24 or halves: A and B advertised at once, so either may
    // hold slot 0); nothing goes via B.
    const routes = (await report()).routes as { target: string; via: string | null; owner: string }[];
    assert.deepEqual(routes[0], { ...routes[0], target: '10.9.0.0/24', via: null });
    assert.ok(routes.length > 1);
    for (const route of routes.slice(1)) {
      assert.match(route.target, /^192\.168\.1\.\d+\/(24|25)$/);
      assert.deepEqual([route.via, route.owner], ['10.9.0.1', ROUTER_A]);
    }
  });

  it('tokens create prints a scoped secret once; the router advertises for itself and no one else', async () => {
    const created = await cli(
      'tokens',
      'create',
      '--name',
      'router-a',
      '--network',
      nwid,
      '--member',
      ROUTER_A,
    );
    assertOk(created, 'tokens create');
    const secret = /^token +(rpt_\S+)$/m.exec(created.stdout);
    const id = /^id +([0-9a-f]{12})$/m.exec(created.stdout);
    assert.ok(secret && id, created.stdout);
    routerToken = secret[1]!;
    routerTokenId = id[1]!;
    assert.match(created.stdout, /^name +router-a$/m);
    assert.match(
      created.stdout,
      new RegExp(`^scope +member ${ROUTER_A} of network ${nwid} \\(only its `, 'm'),
    );
    assert.match(created.stdout, /shown only this once/);

    // The router replaces its list with its own token (URL and token from the environment).
    const own = await asRouter(routerToken, 'routes', 'advertise', nwid, ROUTER_A, LAN, '172.16.0.0/24');
    assertOk(own, 'advertise with the scoped token');
    assert.match(own.stdout, new RegExp(`^${ROUTER_A} advertises 2 prefixes in network ${nwid}; 1 waiting`));
    assert.deepEqual(
      (await advertisedOf(ROUTER_A)).map((r) => [r.prefix, r.advertised, r.approved, r.metric]),
      [
        ['172.16.0.0/24', true, false, 100],
        [LAN, true, true, 100],
      ],
    );
    const ownShow = await asRouter(routerToken, 'routes', 'show', nwid, '--member', ROUTER_A);
    assertOk(ownShow, 'the router reads its own routes');

    // Anything else is refused by the API with 403; nothing changes.
    const before = await advertisedOf(ROUTER_B);
    const [other, approve, drain, list] = await Promise.all([
      asRouter(routerToken, 'routes', 'advertise', nwid, ROUTER_B, OFFICE),
      asRouter(routerToken, 'routes', 'approve', nwid, ROUTER_A, '172.16.0.0/24'),
      asRouter(routerToken, 'routes', 'drain', nwid, ROUTER_B),
      asRouter(routerToken, 'tokens', 'list'),
    ]);
    const refused = new RegExp(
      `^routeplane: token "router-a" is scoped to member ${ROUTER_A} of network ${nwid}: .*` +
        `\\(token from ROUTEPLANE_TOKEN\\)\\n$`,
    );
    assertFails(other, 1, refused, 'advertise for another member');
    assertFails(approve, 1, refused, 'approve its own prefix');
    assertFails(drain, 1, refused, 'drain');
    assertFails(list, 1, refused, 'tokens list');
    assert.deepEqual(await advertisedOf(ROUTER_B), before);
    assert.equal((await advertisedOf(ROUTER_A)).find((r) => r.prefix === '172.16.0.0/24')?.approved, false);
  });

  it('tokens list shows tokens without secrets; tokens rm revokes one', async () => {
    const [human, json] = await Promise.all([cli('tokens', 'list'), cli('tokens', 'list', '--json')]);
    assertOk(human, 'tokens list');
    const rows = tableRows(human.stdout);
    assert.deepEqual(rows[0], ['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED']);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1]!.slice(0, 3), [
      routerTokenId,
      'router-a',
      `member ${ROUTER_A} of network ${nwid}`,
    ]);
    assert.match(rows[1]![3]!, /^\d{4}-\d\d-\d\dT/);
    assert.match(rows[1]![4]!, /^\d{4}-\d\d-\d\dT/, 'the token was used');
    assert.ok(!human.stdout.includes(routerToken), 'no secret in the list');
    assertOk(json, 'tokens list --json');
    assert.deepEqual(JSON.parse(json.stdout), (await zt.request('GET', '/api/v1/tokens')).body);

    const removed = await cli('tokens', 'rm', routerTokenId);
    assertOk(removed, 'tokens rm');
    assert.equal(
      removed.stdout,
      `revoked token router-a (id ${routerTokenId}, member ${ROUTER_A} of network ${nwid})\n`,
    );
    assert.deepEqual((await zt.request('GET', '/api/v1/tokens')).body.tokens, []);
    const [empty, again, revoked] = await Promise.all([
      cli('tokens', 'list'),
      cli('tokens', 'rm', routerTokenId),
      asRouter(routerToken, 'routes', 'advertise', nwid, ROUTER_A, LAN),
    ]);
    assertOk(empty, 'empty list');
    assert.match(empty.stdout, /^No API tokens\./);
    assertFails(again, 1, new RegExp(`^routeplane: API token ${routerTokenId} not found\\n$`), 'rm twice');
    assertFails(revoked, 1, /^routeplane: invalid API token \(token from ROUTEPLANE_TOKEN\)\n$/, 'revoked');

    // `routeplane token` (singular) still prints the admin token of a data dir.
    const admin = await run(['token', '--data-dir', zt.dataDir], cwd);
    assertOk(admin, 'token');
    assert.equal(admin.stdout, `${zt.token}\n`);
  });

  it('spread steering shows how many members each router carries', async () => {
    const set = await zt.request('POST', `/controller/network/${nwid}`, { steering: 'spread' });
    assert.equal(set.status, 200, set.text);
    const shown = await cli('routes', 'show', nwid);
    assertOk(shown, 'show in spread');
    const [, , routers, selection] = blocks(shown.stdout);
    const rows = tableRows(routers!);
    assert.deepEqual(rows[0], [...ROUTER_HEADER, 'MEMBERS']);
    const lan = (await report()).advertised.find((p: { prefix: string }) => p.prefix === LAN);
    const a = lan.routers.find((r: { member: string }) => r.member === ROUTER_A);
    assert.equal(typeof a.members, 'number');
    assert.ok(a.members > 0);
    assert.deepEqual(
      rows.find((row) => row[0] === LAN && row[1] === ROUTER_A),
      [LAN, ROUTER_A, '10.9.0.1', '100', 'yes (api)', 'healthy', '-', 'yes', String(a.members)],
    );
    assert.deepEqual(rows.find((row) => row[0] === LAN && row[1] === ROUTER_B)?.at(-1), '-');
    assert.match(selection!, /^192\.168\.1\.0\/24 +spread steering: /m);
  });

  it('usage errors exit 2 before any request', async () => {
    const [eventBefore, tokensBefore] = [await lastEvent(), (await zt.request('GET', '/api/v1/tokens')).body];
    const results = await Promise.all([
      cli('routes', 'advertise', nwid),
      cli('routes', 'advertise', 'f8ea0e79', ROUTER_A, LAN),
      cli('routes', 'advertise', nwid, 'zz', LAN),
      cli('routes', 'advertise', nwid, ROUTER_A, LAN, '--metric', 'ten'),
      cli('routes', 'approve', nwid, ROUTER_A),
      cli('routes', 'reject', nwid, ROUTER_A, LAN, 'extra'),
      cli('routes', 'drain', nwid, ROUTER_A, '--forever'),
      cli('tokens', 'create'),
      cli('tokens', 'create', '--name', 'half', '--network', nwid),
      cli('tokens', 'create', '--name', 'bad', '--network', 'nope', '--member', ROUTER_A),
      cli('tokens', 'rm'),
    ]);
    const expected: [RegExp, string][] = [
      [/missing required argument 'member'/, 'advertise without member'],
      [/^routeplane: network ID "f8ea0e79" is not valid/, 'short nwid'],
      [/^routeplane: member address "zz" is not valid/, 'bad member'],
      [/^routeplane: --metric: "ten" is not a whole number\n$/, '--metric'],
      [/missing required argument 'prefix'/, 'approve without prefix'],
      [/too many arguments/, 'reject with an extra argument'],
      [/unknown option '--forever'/, 'drain --forever'],
      [/required option '--name <name>' not specified/, 'create without --name'],
      [/^routeplane: --network needs --member: a scoped token is for one member/, 'half scope'],
      [/^routeplane: network ID "nope" is not valid/, 'bad --network'],
      [/missing required argument 'id'/, 'rm without id'],
    ];
    results.forEach((result, i) => assertFails(result, 2, expected[i]![0], expected[i]![1]));
    const group = await cli('tokens');
    assert.equal(group.code, 2, 'a group without a subcommand');
    assert.match(group.stderr, /Usage: routeplane tokens/);
    assert.equal(await lastEvent(), eventBefore, 'nothing reached the controller');
    assert.deepEqual((await zt.request('GET', '/api/v1/tokens')).body, tokensBefore);
  });

  it("API errors exit 1 with the API's message, naming the field", async () => {
    const before = await advertisedOf(ROUTER_A);
    const [
      badPrefix,
      secondBad,
      badMetric,
      badApproval,
      notAdvertised,
      nothingToDrain,
      unknownMember,
      noName,
    ] = await Promise.all([
      cli('routes', 'advertise', nwid, ROUTER_A, '10.0.0.0/33'),
      cli('routes', 'advertise', nwid, ROUTER_A, LAN, 'lan'),
      cli('routes', 'advertise', nwid, ROUTER_A, LAN, '--metric', '70000'),
      cli('routes', 'approve', nwid, ROUTER_A, '300.1.1.0/24'),
      cli('routes', 'approve', nwid, ROUTER_B, OFFICE),
      cli('routes', 'drain', nwid, CLIENT_C),
      cli('routes', 'advertise', nwid, '0000000001', LAN),
      cli('tokens', 'create', '--name', ' '),
    ]);
    assertFails(
      badPrefix,
      1,
      /^routeplane: prefixes\[0\]: "10\.0\.0\.0\/33" has prefix length 33/,
      'bad prefix',
    );
    assertFails(secondBad, 1, /^routeplane: prefixes\[1\]: /, 'second prefix bad');
    assertFails(badMetric, 1, /^routeplane: metric: .*70000/, 'metric out of range');
    assertFails(badApproval, 1, /^routeplane: prefix: /, 'bad prefix to approve');
    assertFails(
      notAdvertised,
      1,
      new RegExp(
        `^routeplane: member ${ROUTER_B} does not advertise ${OFFICE.replace(/[./]/g, '\\$&')} any more`,
      ),
      'approve a withdrawn prefix',
    );
    assertFails(
      nothingToDrain,
      1,
      new RegExp(`^routeplane: member ${CLIENT_C} advertises nothing in network ${nwid}`),
      'drain a non-router',
    );
    assertFails(
      unknownMember,
      1,
      /^routeplane: member 0000000001 of network \w+ not found\n$/,
      'unknown member',
    );
    assertFails(noName, 1, /^routeplane: name: expected a non-empty string/, 'blank name');
    assert.deepEqual(await advertisedOf(ROUTER_A), before, 'refused changes changed nothing');
  });

  it('the views read unexpected answers defensively', () => {
    assert.equal(advertisedSection(undefined), '');
    assert.equal(advertisedSection([]), '');
    assert.deepEqual(tableRows(routerTable([{ prefix: LAN, metric: 'x' }], { prefix: true, router: true })), [
      ROUTER_HEADER,
      [LAN, '?', '-', 'x', 'no', '-', '-', 'no'],
    ]);
    assert.equal(tokenScope({ networkId: nwid, memberAddress: null }), 'full access');
    assert.deepEqual(advertiseBody(undefined, undefined), { prefixes: [] });
    assert.deepEqual(advertiseBody([LAN], ' 7 '), { prefixes: [LAN], metric: 7 });
    assert.deepEqual(createBody({ name: 'x', network: nwid.toUpperCase(), member: ROUTER_A.toUpperCase() }), {
      name: 'x',
      network: nwid,
      member: ROUTER_A,
    });
    assert.throws(() => createBody({ name: 'x', member: ROUTER_A }), /--member needs --network/);
  });
});
