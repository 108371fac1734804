// `routeplane export` end to end: a takeover and back. Recorded zerotier-one trees come out byte for
// byte as they went in; a controller built through Routeplane's API survives export → import with
// every object served equal; existing targets are never overwritten without --force.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stockMemberJson } from '../src/core/member/member-json.ts';
import { stockNetworkJson } from '../src/core/network/network-json.ts';
import { assertOk, runCli, type Run } from './helpers/cli-runner.ts';
import { startTestController } from './helpers/controller-fixture.ts';
import { sharedFile } from './helpers/shared-vectors.ts';
import {
  RUNS,
  fileDbFiles,
  recordedHome,
  serveDataDir,
  type ServedDataDir,
} from './helpers/takeover-fixtures.ts';

let root: string;
let counter = 0;
const fresh = (name: string) => join(root, `${name}-${++counter}`);
before(() => {
  root = mkdtempSync(join(tmpdir(), 'routeplane-cli-export-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]): Promise<Run> => runCli(args, root);

function assertRefused(result: Run, stderr: RegExp): void {
  assert.equal(result.code, 1, `exit code (stderr: ${result.stderr})`);
  assert.match(result.stderr, stderr);
  assert.equal(result.stdout, '');
}

async function importedDataDir(run: (typeof RUNS)[number]): Promise<{ home: string; dataDir: string }> {
  const home = recordedHome(run, fresh('home'));
  const dataDir = fresh('data');
  assertOk(await cli('import', '--from', home, '--data-dir', dataDir), 'import');
  return { home, dataDir };
}

describe('routeplane export', () => {
  for (const run of RUNS) {
    it(`${run}: import then export gives back the recorded FileDB tree and identity, byte for byte`, async () => {
      const { home, dataDir } = await importedDataDir(run);
      const out = fresh('out');
      const result = await cli('export', '--data-dir', dataDir, '--to', out);
      assertOk(result, 'export');
      assert.match(result.stdout, /networks +1\nmembers +2\n/);
      assert.deepEqual(fileDbFiles(out), fileDbFiles(home));
      const secret = readFileSync(sharedFile(run, 'controller-identity.secret'), 'utf8').trim();
      assert.equal(readFileSync(join(out, 'identity.secret'), 'utf8'), secret);
      assert.equal(
        readFileSync(join(out, 'identity.public'), 'utf8'),
        readFileSync(sharedFile(run, 'controller-identity.public'), 'utf8').trim(),
      );
      assert.equal(statSync(join(out, 'identity.secret')).mode & 0o777, 0o600);
      assert.equal(
        statSync(join(out, 'controller.d')).mode & 0o777,
        0o700,
        'private, as zerotier-one keeps it',
      );
    });
  }

  it('takes the identity from the store setting when the data dir has no identity files', async () => {
    const { dataDir } = await importedDataDir('run-baseline');
    unlinkSync(join(dataDir, 'identity.secret'));
    unlinkSync(join(dataDir, 'identity.public'));
    const out = fresh('out');
    assertOk(await cli('export', '--data-dir', dataDir, '--to', out, '--json'), 'export');
    assert.equal(
      readFileSync(join(out, 'identity.secret'), 'utf8'),
      readFileSync(sharedFile('run-baseline', 'controller-identity.secret'), 'utf8').trim(),
    );
  });

  it('never replaces an existing controller.d or another identity without --force', async () => {
    const { dataDir } = await importedDataDir('run-baseline');
    const out = fresh('out');
    mkdirSync(join(out, 'controller.d', 'network'), { recursive: true });
    writeFileSync(join(out, 'controller.d', 'network', 'stale.json'), '{}');
    assertRefused(
      await cli('export', '--data-dir', dataDir, '--to', out),
      /controller\.d already exists and is not empty; pass --force/,
    );
    assert.ok(existsSync(join(out, 'controller.d', 'network', 'stale.json')));

    const other = fresh('out');
    mkdirSync(other);
    writeFileSync(
      join(other, 'identity.secret'),
      readFileSync(sharedFile('run-noaes-proto11', 'controller-identity.secret')),
    );
    assertRefused(
      await cli('export', '--data-dir', dataDir, '--to', other),
      /identity\.secret is controller 6951fba29a, not f8ea0e7924; pass --force/,
    );
    assert.equal(existsSync(join(other, 'controller.d')), false);

    const forced = await cli('export', '--data-dir', dataDir, '--to', out, '--force');
    assertOk(forced, 'export --force');
    assert.match(forced.stdout, /the old controller\.d was replaced/);
    assert.equal(existsSync(join(out, 'controller.d', 'network', 'stale.json')), false);
    assert.equal(fileDbFiles(out).size, 3);
    assert.deepEqual(
      readdirSync(out).filter((name) => name.startsWith('.')),
      [],
      'no temp folders left behind',
    );
  });

  it('refuses a data dir without a database instead of exporting an empty controller', async () => {
    const empty = fresh('data');
    mkdirSync(empty);
    assertRefused(
      await cli('export', '--data-dir', empty, '--to', fresh('out')),
      /no Routeplane database at sqlite:.*\/controller\.db; check --data-dir or --database/,
    );
  });
});

describe('a Routeplane-made controller survives export → import', () => {
  it('every network and member is served equal after the round trip (routes as members get them)', async () => {
    const zt = await startTestController();
    let back: ServedDataDir | undefined;
    try {
      const post = async (path: string, body: unknown) => {
        const response = await zt.request('POST', path, body);
        assert.equal(response.status, 200, `${path}: ${response.text}`);
        return response.body;
      };
      const lab = await post('/controller/network', {
        name: 'lab',
        v4AssignMode: { zt: true },
        v6AssignMode: { rfc4193: true, '6plane': true, zt: false },
        ipAssignmentPools: [{ ipRangeStart: '10.60.0.10', ipRangeEnd: '10.60.0.200' }],
        routes: [
          { target: '10.60.0.0/24', via: null },
          { target: '192.168.9.0/24', via: '10.60.0.1' },
        ],
        dns: { domain: 'lab.example', servers: ['10.60.0.1'] },
        tags: [{ id: 100, default: 1 }],
        capabilities: [{ id: 7, default: true, rules: [{ type: 'ACTION_ACCEPT' }] }],
        rules: [
          { type: 'MATCH_ETHERTYPE', etherType: 2048, not: true },
          { type: 'ACTION_DROP' },
          { type: 'INTEGER_RANGE', start: '0', end: 'ff', bits: 8 },
          { type: 'ACTION_ACCEPT' },
        ],
        certificateTimeoutWindowSize: 600000,
      });
      const ipam = await zt.request('POST', '/api/v1/ipam/subnets', { prefix: '10.70.0.0/16', name: 'ipam' });
      assert.equal(ipam.status, 201, ipam.text);
      const routed = await post('/controller/network', {
        name: 'routed',
        private: false,
        ipamSubnet: '10.70.0.0/16',
      });
      await post(`/controller/network/${lab.id}/member/aaaaaaaaaa`, {
        authorized: true,
        name: 'a',
        tags: [[100, 2]],
      });
      await post(`/controller/network/${lab.id}/member/bbbbbbbbbb`, {
        authorized: true,
        ipAssignments: ['10.60.0.2', 'fd00::2'],
      });
      await post(`/controller/network/${lab.id}/member/bbbbbbbbbb`, { authorized: false });
      await post(`/controller/network/${routed.id}/member/cccccccccc`, {
        noAutoAssignIps: true,
        activeBridge: true,
      });

      const served = async (get: (path: string) => Promise<unknown>) => {
        const all: Record<string, unknown> = {};
        for (const id of (await get('/controller/network')) as string[]) {
          all[id] = JSON.stringify(
            stockNetworkJson((await get(`/controller/network/${id}`)) as Record<string, unknown>),
          );
          for (const address of Object.keys((await get(`/controller/network/${id}/member`)) as object)) {
            const member = (await get(`/controller/network/${id}/member/${address}`)) as Record<
              string,
              unknown
            >;
            all[`${id}/${address}`] = JSON.stringify(stockMemberJson(member));
          }
        }
        return all;
      };
      const before = await served(async (path) => (await zt.request('GET', path)).body);
      assert.equal(Object.keys(before).length, 5);
      assert.match(
        before[routed.id] as string,
        /"routes":\[\{"target":"10\.70\.0\.0\/16","via":null\}\]/,
        'the IPAM route',
      );
      await zt.stop();

      const out = fresh('out');
      assertOk(await cli('export', '--data-dir', zt.dataDir, '--to', out), 'export');
      const dataDir = fresh('data');
      const imported = await cli('import', '--from', out, '--data-dir', dataDir);
      assertOk(imported, 'import');
      assert.match(imported.stdout, /Imported 2 networks and 3 members/);
      back = await serveDataDir(dataDir);
      assert.deepEqual(await served((path) => back!.get(path)), before);
    } finally {
      await back?.close();
      await zt.close();
    }
  });
});
