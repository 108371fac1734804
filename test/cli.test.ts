// The client commands end to end: the real `routeplane` binary, spawned as a child process, against
// a real controller on an ephemeral port. Spawns that do not depend on each other run in parallel.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePoolArgument, parseRouteArgument } from '../src/cli/commands/network.ts';
import { formatTable } from '../src/cli/output.ts';
import { lastSeen, memberTable } from '../src/cli/views.ts';
import { assertFails, assertOk, runCli, tableRows, type Run } from './helpers/cli-runner.ts';
import {
  RECORDED_CONTROLLER,
  startTestController,
  type TestController,
} from './helpers/controller-fixture.ts';

const MEMBER_A = '43e690e007';
const MEMBER_B = '1234567890';
const UNKNOWN_NETWORK = `${RECORDED_CONTROLLER}abcdef`;

const run = (args: string[], options: { env?: Record<string, string>; cwd: string }): Promise<Run> =>
  runCli(args, options.cwd, options.env);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

describe('routeplane client commands against a running controller', () => {
  let zt: TestController;
  let cwd: string;
  let nwid: string;
  let publicNwid: string;
  const cli = (...args: string[]) => run([...args, '--url', zt.url, '--token', zt.token], { cwd });

  before(async () => {
    zt = await startTestController();
    // An empty working dir, so the default ./routeplane-data never finds a token by accident.
    cwd = mkdtempSync(join(tmpdir(), 'routeplane-cli-'));
  });
  after(async () => {
    await zt.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('network create prints the new ID, or the network as JSON, and sends every option', async () => {
    const [human, json] = await Promise.all([
      cli(
        'network',
        'create',
        '--name',
        'cli-net',
        '--private',
        '--pool',
        '10.9.0.10-10.9.0.100',
        '--route',
        '10.9.0.0/24',
        '--route',
        '10.20.0.0/16@10.9.0.1',
        '--v4-auto',
        '--mtu',
        '2700',
      ),
      cli('network', 'create', '--public', '--name', 'open-net', '--json'),
    ]);
    assertOk(human, 'create');
    assert.match(human.stdout, new RegExp(`^${RECORDED_CONTROLLER}[0-9a-f]{6}\n$`));
    nwid = human.stdout.trim();
    const stored = await zt.request('GET', `/controller/network/${nwid}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.name, 'cli-net');
    assert.equal(stored.body.private, true);
    assert.equal(stored.body.mtu, 2700);
    assert.deepEqual(stored.body.v4AssignMode, { zt: true });
    assert.deepEqual(stored.body.ipAssignmentPools, [
      { ipRangeStart: '10.9.0.10', ipRangeEnd: '10.9.0.100' },
    ]);
    assert.deepEqual(stored.body.routes, [
      { target: '10.9.0.0/24', via: null },
      { target: '10.20.0.0/16', via: '10.9.0.1' },
    ]);

    assertOk(json, 'create --json');
    const created = JSON.parse(json.stdout);
    assert.equal(created.name, 'open-net');
    assert.equal(created.private, false);
    assert.match(created.id, new RegExp(`^${RECORDED_CONTROLLER}[0-9a-f]{6}$`));
    assert.ok(json.stdout.startsWith('{\n  "'), 'pretty-printed');
    publicNwid = created.id;
  });

  it('member authorize, deauthorize and set change members and say so', async () => {
    const [authorizeA, authorizeB] = await Promise.all([
      cli('member', 'authorize', nwid, MEMBER_A),
      cli('member', 'authorize', nwid, MEMBER_B.toUpperCase(), '--json'),
    ]);
    assertOk(authorizeA, 'authorize');
    assert.equal(authorizeA.stdout, `authorized member ${MEMBER_A} on network ${nwid}\n`);
    assertOk(authorizeB, 'authorize --json');
    assert.equal(JSON.parse(authorizeB.stdout).address, MEMBER_B);
    assert.equal(JSON.parse(authorizeB.stdout).authorized, true);

    const [deauthorizeB, setA] = await Promise.all([
      cli('member', 'deauthorize', nwid, MEMBER_B),
      cli('member', 'set', nwid, MEMBER_A, '--name', 'alice', '--ip', '10.9.0.77', '--no-auto-assign'),
    ]);
    assertOk(deauthorizeB, 'deauthorize');
    assert.equal(deauthorizeB.stdout, `deauthorized member ${MEMBER_B} on network ${nwid}\n`);
    assertOk(setA, 'set');
    assert.match(setA.stdout, /^member +43e690e007$/m);
    assert.match(setA.stdout, /^name +alice$/m);
    assert.match(setA.stdout, /^ips +10\.9\.0\.77$/m);
    assert.match(setA.stdout, /^auto-assign +no$/m);

    const [deauthorizeJson, setJson] = await Promise.all([
      cli('member', 'deauthorize', nwid, MEMBER_B, '--json'),
      cli('member', 'set', nwid, MEMBER_B, '--name', 'bob', '--clear-ips', '--json'),
    ]);
    assertOk(deauthorizeJson, 'deauthorize --json');
    assert.equal(JSON.parse(deauthorizeJson.stdout).authorized, false);
    assertOk(setJson, 'set --json');
    assert.equal(JSON.parse(setJson.stdout).name, 'bob');
    assert.deepEqual(JSON.parse(setJson.stdout).ipAssignments, []);

    const a = await zt.request('GET', `/controller/network/${nwid}/member/${MEMBER_A}`);
    assert.equal(a.body.authorized, true);
    assert.equal(a.body.noAutoAssignIps, true);
    assert.deepEqual(a.body.ipAssignments, ['10.9.0.77']);
  });

  it('network list prints a table, or the API answer with --json', async () => {
    const [human, json] = await Promise.all([cli('network', 'list'), cli('network', 'list', '--json')]);
    assertOk(human, 'list');
    const rows = tableRows(human.stdout);
    assert.deepEqual(rows[0], ['ID', 'NAME', 'PRIVATE', 'MEMBERS', 'ROUTES', 'POOLS']);
    assert.deepEqual(
      rows.find((row) => row[0] === nwid),
      [nwid, 'cli-net', 'yes', '1/2', '10.9.0.0/24, 10.20.0.0/16 via 10.9.0.1', '10.9.0.10-10.9.0.100'],
    );
    assert.deepEqual(
      rows.find((row) => row[0] === publicNwid),
      [publicNwid, 'open-net', 'no', '0/0', '-', '-'],
    );
    assert.ok(
      human.stdout.split('\n').every((line) => line === line.trimEnd()),
      'no trailing spaces',
    );

    assertOk(json, 'list --json');
    const answer = JSON.parse(json.stdout);
    assert.equal(answer.meta.networkCount, 2);
    const listed = answer.data.find((network: { id: string }) => network.id === nwid);
    assert.deepEqual(listed.meta, { authorizedMemberCount: 1, totalMemberCount: 2 });
  });

  it('network show prints every setting, or the network as JSON', async () => {
    const [human, json] = await Promise.all([
      cli('network', 'show', nwid.toUpperCase()),
      cli('network', 'show', nwid, '--json'),
    ]);
    assertOk(human, 'show');
    const expected = [
      `network      ${nwid}`,
      'name         cli-net',
      'private      yes',
      'mtu          2700',
      'broadcast    yes (multicast limit 32)',
      'ipv4 assign  zt',
      'ipv6 assign  none',
      'routes       10.9.0.0/24',
      '             10.20.0.0/16 via 10.9.0.1',
      'pools        10.9.0.10-10.9.0.100',
      'dns          none',
    ];
    assert.deepEqual(human.stdout.split('\n').slice(0, expected.length), expected);
    assert.match(human.stdout, /^created +\d{4}-\d\d-\d\dT/m);
    assert.match(human.stdout, /^revision +\d+\n$/m);

    assertOk(json, 'show --json');
    assert.deepEqual(JSON.parse(json.stdout), (await zt.request('GET', `/controller/network/${nwid}`)).body);
  });

  it('member list prints a table, or the API answer with --json', async () => {
    const [human, json] = await Promise.all([
      cli('member', 'list', nwid),
      cli('member', 'list', nwid, '--json'),
    ]);
    assertOk(human, 'member list');
    const rows = tableRows(human.stdout);
    assert.deepEqual(rows[0], ['ADDRESS', 'NAME', 'AUTHORIZED', 'IPS', 'LAST SEEN', 'REVISION']);
    const rowA = rows.find((row) => row[0] === MEMBER_A);
    const rowB = rows.find((row) => row[0] === MEMBER_B);
    assert.deepEqual(rowA?.slice(0, 5), [MEMBER_A, 'alice', 'yes', '10.9.0.77', 'never']);
    assert.deepEqual(rowB?.slice(0, 5), [MEMBER_B, 'bob', 'no', '-', 'never']);
    assert.match(rowA?.[5] ?? '', /^\d+$/);

    assertOk(json, 'member list --json');
    const answer = JSON.parse(json.stdout);
    assert.deepEqual(answer.meta, { authorizedCount: 1, totalCount: 2 });
    assert.deepEqual(answer.data.map((member: { address: string }) => member.address).sort(), [
      MEMBER_B,
      MEMBER_A,
    ]);
  });

  it('member show prints the member, or the member as JSON', async () => {
    const [human, json] = await Promise.all([
      cli('member', 'show', nwid, MEMBER_A),
      cli('member', 'show', nwid, MEMBER_B, '--json'),
    ]);
    assertOk(human, 'member show');
    assert.match(human.stdout, new RegExp(`^network +${nwid}$`, 'm'));
    assert.match(human.stdout, /^authorized +yes \(since \d{4}-/m);
    assert.match(human.stdout, /^ips +10\.9\.0\.77$/m);
    assert.match(human.stdout, /^last seen +never$/m);

    assertOk(json, 'member show --json');
    const member = JSON.parse(json.stdout);
    assert.equal(member.address, MEMBER_B);
    assert.equal(member.nwid, nwid);
    assert.equal(member.name, 'bob');
  });

  it('an API error exits 1 with the API message on stderr', async () => {
    const [unknownNetwork, unknownMember, badRoute, badToken] = await Promise.all([
      cli('network', 'show', UNKNOWN_NETWORK),
      cli('member', 'show', nwid, '0000000001', '--json'),
      cli('network', 'create', '--route', '10.0.0.0/33'),
      run(['network', 'list', '--url', zt.url, '--token', 'not-the-token'], { cwd }),
    ]);
    assertFails(
      unknownNetwork,
      1,
      new RegExp(`^routeplane: network ${UNKNOWN_NETWORK} not found\n$`),
      'unknown network',
    );
    assertFails(
      unknownMember,
      1,
      /^routeplane: member 0000000001 of network \w+ not found\n$/,
      'unknown member',
    );
    assertFails(badRoute, 1, /^routeplane: routes\[0\]\.target: .*33/, 'bad route');
    assertFails(badToken, 1, /^routeplane: invalid API token \(token from --token\)\n$/, 'bad token');
  });

  it('an unreachable controller exits 1 and says so', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['network', 'list', '--url', url, '--token', 'x'], { cwd });
    assertFails(
      result,
      1,
      new RegExp(`^routeplane: cannot reach the controller at ${url} \\(is "routeplane serve" running\\?\\)`),
      'unreachable',
    );
  });

  it('usage errors exit 2 before any request', async () => {
    const results = await Promise.all([
      cli('network', 'show', 'not-a-network'),
      cli('member', 'authorize', nwid, 'ff00000000'),
      cli('network', 'list', '--bogus'),
      cli('network', 'create', '--pool', '10.9.0.1'),
      cli('member', 'set', nwid, MEMBER_A),
    ]);
    const [badNwid, badAddress, unknownOption, badPool, nothingToSet] = results;
    assertFails(
      badNwid!,
      2,
      /^routeplane: network ID "not-a-network" is not valid: expected 16 hex digits/,
      'nwid',
    );
    assertFails(badAddress!, 2, /^routeplane: member address "ff00000000" is not valid/, 'address');
    assertFails(unknownOption!, 2, /unknown option '--bogus'/, 'unknown option');
    assertFails(badPool!, 2, /^routeplane: --pool: "10\.9\.0\.1" is not a range START-END/, 'pool');
    assertFails(nothingToSet!, 2, /^routeplane: nothing to change/, 'nothing to set');
    // Nothing reached the controller: no network was created.
    assert.equal((await zt.request('GET', '/controller/network')).body.length, 2);
  });

  it('finds the token in --data-dir or ROUTEPLANE_TOKEN, and says where it looked when there is none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'routeplane-cli-empty-'));
    try {
      const [fromDataDir, fromEnvironment, missing] = await Promise.all([
        run(['network', 'list', '--url', zt.url, '--data-dir', zt.dataDir, '--json'], { cwd }),
        run(['network', 'list', '--json'], {
          cwd,
          env: { ROUTEPLANE_URL: zt.url, ROUTEPLANE_TOKEN: zt.token },
        }),
        run(['network', 'list', '--url', zt.url, '--data-dir', empty], { cwd }),
      ]);
      assertOk(fromDataDir, 'token from --data-dir');
      assert.equal(JSON.parse(fromDataDir.stdout).meta.networkCount, 2);
      assertOk(fromEnvironment, 'ROUTEPLANE_URL and ROUTEPLANE_TOKEN');
      assert.equal(JSON.parse(fromEnvironment.stdout).meta.networkCount, 2);
      assertFails(
        missing,
        1,
        /^routeplane: no API token: looked for --token, ROUTEPLANE_TOKEN and /,
        'no token',
      );
      assert.ok(missing.stderr.includes(join(empty, 'authtoken.secret')), missing.stderr);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('member delete and network delete remove them', async () => {
    const [memberHuman, memberJson, networkJson] = await Promise.all([
      cli('member', 'delete', nwid, MEMBER_B),
      cli('member', 'delete', nwid, MEMBER_A, '--json'),
      cli('network', 'delete', publicNwid, '--json'),
    ]);
    assertOk(memberHuman, 'member delete');
    assert.equal(memberHuman.stdout, `deleted member ${MEMBER_B} from network ${nwid}\n`);
    assertOk(memberJson, 'member delete --json');
    assert.equal(JSON.parse(memberJson.stdout).address, MEMBER_A);
    assertOk(networkJson, 'network delete --json');
    assert.equal(JSON.parse(networkJson.stdout).id, publicNwid);

    const networkHuman = await cli('network', 'delete', nwid);
    assertOk(networkHuman, 'network delete');
    assert.equal(networkHuman.stdout, `deleted network ${nwid} (cli-net)\n`);

    assert.equal((await zt.request('GET', `/controller/network/${nwid}`)).status, 404);
    assert.equal((await zt.request('GET', `/controller/network/${publicNwid}`)).status, 404);
  });
});

describe('client command output', () => {
  it('aligns table columns without trailing spaces', () => {
    assert.equal(
      formatTable(
        ['A', 'LONG HEADER', 'C'],
        [
          ['xyz', '1', ''],
          ['q', '22', 'end'],
        ],
      ),
      'A    LONG HEADER  C\nxyz  1\nq    22           end\n',
    );
  });

  it('shows online and last seen from the Routeplane extras', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(lastSeen({ online: true, lastSeen: now - 1000 }, now), 'online');
    assert.equal(lastSeen({ online: false, lastSeen: now - 5 * 60_000 }, now), '5m ago');
    assert.equal(lastSeen({ online: false, lastSeen: now - 3 * 3_600_000 }, now), '3h ago');
    assert.equal(lastSeen({ online: false, lastSeen: now - 3 * 86_400_000 }, now), '3d ago');
    assert.equal(lastSeen({ online: false }, now), 'never');
    assert.equal(lastSeen({}, now), '-');
    const table = memberTable(
      [
        {
          address: MEMBER_A,
          name: 'a',
          authorized: true,
          ipAssignments: ['10.0.0.1', 'fd00::1'],
          online: true,
          revision: 4,
        },
      ],
      now,
    );
    assert.equal(table.split('\n')[1], `${MEMBER_A}  a     yes         10.0.0.1, fd00::1  online     4`);
  });

  it('parses --route TARGET[@VIA] and --pool START-END', () => {
    assert.deepEqual(parseRouteArgument('10.0.0.0/8'), { target: '10.0.0.0/8', via: null });
    assert.deepEqual(parseRouteArgument('fd00::/64@fd00::1'), { target: 'fd00::/64', via: 'fd00::1' });
    assert.throws(() => parseRouteArgument('10.0.0.0/8@'), /--route/);
    assert.throws(() => parseRouteArgument('a@b@c'), /--route/);
    assert.deepEqual(parsePoolArgument('fd00::10-fd00::ff'), {
      ipRangeStart: 'fd00::10',
      ipRangeEnd: 'fd00::ff',
    });
    assert.throws(() => parsePoolArgument('10.0.0.1-'), /--pool/);
  });
});
