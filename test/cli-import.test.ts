// `routeplane import` end to end: the real binary takes over the recorded zerotier-one controllers
// (../shared/zerotier/run-*), a real controller then serves every object back through /controller
// equal to its source file; bad input, identity conflicts and dry runs change nothing.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
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
import { IDENTITY_SETTING } from '../src/protocol/controller-identity.ts';
import { openStore } from '../src/store/open-store.ts';
import { assertOk, runCli, type Run } from './helpers/cli-runner.ts';
import { sharedFile } from './helpers/shared-vectors.ts';
import {
  RUNS,
  fileDbFiles,
  recordedHome,
  serveDataDir,
  snapshotDataDir,
} from './helpers/takeover-fixtures.ts';
import { writeSyntheticHome } from './support/synthetic-filedb.ts';

const BASELINE_NWID = 'f8ea0e79249a7b42';
const NETWORK_FILE = `network/${BASELINE_NWID}.json`;
const MEMBER_FILE = `network/${BASELINE_NWID}/member/43e690e007.json`;

let root: string;
let counter = 0;
const fresh = (name: string) => join(root, `${name}-${++counter}`);
before(() => {
  root = mkdtempSync(join(tmpdir(), 'routeplane-cli-import-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const importCli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  runCli(['import', ...args], root, env);

/** A failed import: its exit code, a stderr naming what is wrong, and nothing on stdout. */
function assertRefused(result: Run, stderr: RegExp, code = 1): void {
  assert.equal(result.code, code, `exit code (stderr: ${result.stderr})`);
  assert.match(result.stderr, stderr);
  assert.equal(result.stdout, '');
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('routeplane import of the recorded zerotier-one controllers', () => {
  for (const run of RUNS) {
    it(`${run}: imports, and a started controller serves every object equal to its file`, async () => {
      const home = recordedHome(run, fresh('home'));
      const dataDir = fresh('data');
      const result = await importCli(['--from', home, '--data-dir', dataDir]);
      assertOk(result, 'import');
      assert.match(result.stdout, /Imported 1 network and 2 members/);
      assert.match(result.stdout, /zt-research-net +2 +2 +2 +5 +1 +1 +0 +0 +zt\.example \(1 server\)/);
      assert.match(result.stdout, /planet: copied .* this controller is its root, as before/);

      const secret = readFileSync(sharedFile(run, 'controller-identity.secret'), 'utf8').trim();
      assert.equal(readFileSync(join(dataDir, 'identity.secret'), 'utf8'), secret);
      assert.equal(statSync(join(dataDir, 'identity.secret')).mode & 0o777, 0o600);

      const served = await serveDataDir(dataDir);
      try {
        assert.equal((await served.get('/status')).address, secret.slice(0, 10));
        const files = fileDbFiles(home);
        const networkFiles = [...files.keys()].filter((path) => /^network\/[0-9a-f]{16}\.json$/.test(path));
        assert.deepEqual(
          await served.get('/controller/network'),
          networkFiles.map((p) => p.slice(8, 24)),
        );
        for (const [path, text] of files) {
          const match = /^network\/([0-9a-f]{16})(?:\/member\/([0-9a-f]{10}))?\.json$/.exec(path)!;
          const [, nwid, address] = match;
          if (address === undefined) {
            const json = stockNetworkJson(await served.get(`/controller/network/${nwid}`));
            assert.equal(JSON.stringify(json), text, `${path}: field for field, key order included`);
          } else {
            const json = stockMemberJson(await served.get(`/controller/network/${nwid}/member/${address}`));
            assert.equal(JSON.stringify(json), text, `${path}: field for field, key order included`);
            const list = await served.get(`/controller/network/${nwid}/member`);
            assert.equal(list[address], JSON.parse(text).revision, 'the member list shows its revision');
          }
        }
        const unstable = await served.get('/unstable/controller/network');
        assert.deepEqual(unstable.data[0].meta, { authorizedMemberCount: 2, totalMemberCount: 2 });
        const events = await served.controller.store.listEvents({ typePrefix: 'network.imported' });
        assert.equal(events.length, 1);
        assert.equal(await served.controller.store.getSetting(IDENTITY_SETTING), secret);
      } finally {
        await served.close();
      }
    });
  }

  it('--json reports the figures for scripts', async () => {
    const home = recordedHome('run-baseline', fresh('home'));
    const result = await importCli(['--from', home, '--data-dir', fresh('data'), '--json']);
    assertOk(result, 'import --json');
    const report = JSON.parse(result.stdout);
    assert.equal(report.dryRun, false);
    assert.equal(report.controller, 'f8ea0e7924');
    assert.deepEqual(
      [
        report.totals.networks,
        report.totals.members,
        report.totals.authorized,
        report.totals.routes,
        report.totals.dnsNetworks,
      ],
      [1, 2, 2, 5, 1],
    );
    assert.equal(report.networks[0].id, BASELINE_NWID);
    assert.equal(report.planet.action, 'copied');
  });
});

describe('routeplane import --dry-run', () => {
  it('reports what it would import and creates nothing, not even the data dir', async () => {
    const home = recordedHome('run-baseline', fresh('home'));
    const dataDir = fresh('data');
    const result = await importCli(['--from', home, '--data-dir', dataDir, '--dry-run']);
    assertOk(result, 'dry run');
    assert.match(result.stdout, /Dry run: 1 network and 2 members would be imported .*nothing was written/);
    assert.match(
      result.stdout,
      /networks +1\nmembers +2 \(2 authorized, 0 not\)\nIP assignments +2\nroutes +5/,
    );
    assert.match(result.stdout, /planet: would copy/);
    assert.equal(existsSync(dataDir), false);
  });

  it('changes nothing in an existing data dir, and still refuses what a real import would', async () => {
    const dataDir = fresh('data');
    assertOk(
      await importCli(['--from', recordedHome('run-baseline', fresh('home')), '--data-dir', dataDir]),
      'import',
    );
    const before = await snapshotDataDir(dataDir);
    const home = recordedHome('run-baseline', fresh('home'));
    assertRefused(
      await importCli(['--from', home, '--data-dir', dataDir, '--dry-run']),
      /already holds 1 of the imported networks/,
    );
    const forced = await importCli(['--from', home, '--data-dir', dataDir, '--dry-run', '--force']);
    assertOk(forced, 'dry run --force');
    assert.match(forced.stdout, /would replace networks already in the store: f8ea0e79249a7b42/);
    assert.deepEqual(await snapshotDataDir(dataDir), before);
  });
});

describe('bad input: a message naming the file and field, a non-zero exit, and nothing imported', () => {
  let dataDir: string;
  let before: Awaited<ReturnType<typeof snapshotDataDir>>;
  const setUp = async () => {
    if (dataDir) return;
    dataDir = fresh('data');
    assertOk(
      await importCli(['--from', recordedHome('run-baseline', fresh('home')), '--data-dir', dataDir]),
      'import',
    );
    before = await snapshotDataDir(dataDir);
  };

  /** A recorded home with one file changed. */
  function homeWith(change: (home: string) => void): string {
    const home = recordedHome('run-baseline', fresh('home'));
    change(home);
    return home;
  }
  const edit = (home: string, file: string, patch: (json: Record<string, unknown>) => void) => {
    const path = join(home, 'controller.d', file);
    const json = readJson(path);
    patch(json);
    writeFileSync(path, JSON.stringify(json));
  };

  const cases: Array<[string, (home: string) => void, RegExp]> = [
    [
      'a member file that is not JSON',
      (home) => writeFileSync(join(home, 'controller.d', MEMBER_FILE), '{"id":'),
      /43e690e007\.json: not valid JSON/,
    ],
    [
      'a field of the wrong type',
      (home) => edit(home, MEMBER_FILE, (json) => (json.authorized = 'yes')),
      /member\/43e690e007\.json: authorized: expected true or false, got "yes"/,
    ],
    [
      'a malformed route',
      (home) =>
        edit(
          home,
          NETWORK_FILE,
          (json) => ((json.routes as Array<{ target: string }>)[2]!.target = '172.16.50.0/33'),
        ),
      /f8ea0e79249a7b42\.json: routes\[2\]\.target: /,
    ],
    [
      'more than 128 routes',
      (home) =>
        edit(
          home,
          NETWORK_FILE,
          (json) =>
            (json.routes = Array.from({ length: 130 }, (_, i) => ({ target: `10.${i}.0.0/16`, via: null }))),
        ),
      /f8ea0e79249a7b42\.json: routes: 130 routes given, but ZeroTier accepts at most 128/,
    ],
    [
      'a network file whose id is not its name',
      (home) => edit(home, NETWORK_FILE, (json) => (json.id = 'f8ea0e79249a7b43')),
      /f8ea0e79249a7b42\.json: id: f8ea0e79249a7b43 does not match the file name/,
    ],
    [
      'an IP held by two members',
      (home) => edit(home, MEMBER_FILE, (json) => (json.ipAssignments = ['10.147.17.1'])),
      /f8ea0e7924\.json: ipAssignments\[0\]: 10\.147\.17\.1 is also assigned to member 43e690e007 \(.*43e690e007\.json\)/,
    ],
    [
      'a member identity of another address',
      (home) =>
        edit(
          home,
          MEMBER_FILE,
          (json) => (json.identity = `f8ea0e7924${(json.identity as string).slice(10)}`),
        ),
      /43e690e007\.json: identity: belongs to f8ea0e7924, not to member 43e690e007/,
    ],
    [
      'a forged controller identity (its address does not derive from its key)',
      (home) => {
        const secret = readFileSync(join(home, 'identity.secret'), 'utf8');
        writeFileSync(join(home, 'identity.secret'), `f8ea0e7925${secret.slice(10)}`);
        unlinkSync(join(home, 'identity.public'));
      },
      /identity\.secret: identity f8ea0e7925 does not validate/,
    ],
    [
      'no identity.secret',
      (home) => unlinkSync(join(home, 'identity.secret')),
      /identity\.secret: not found\. The import needs the controller identity/,
    ],
    [
      'identity.public of another controller',
      (home) =>
        writeFileSync(
          join(home, 'identity.public'),
          readFileSync(sharedFile('run-noaes-proto11', 'controller-identity.public')),
        ),
      /identity\.public: does not match identity\.secret/,
    ],
    [
      'a network of another controller',
      (home) => {
        const other = '6951fba29ad56e51';
        writeFileSync(
          join(home, 'controller.d', 'network', `${other}.json`),
          readFileSync(sharedFile('run-noaes-proto11', 'controller.d', 'network', `${other}.json`)),
        );
      },
      /6951fba29ad56e51\.json: id: network 6951fba29ad56e51 belongs to controller 6951fba29a, not to the imported identity f8ea0e7924/,
    ],
    [
      'a home without controller.d',
      (home) => rmSync(join(home, 'controller.d'), { recursive: true }),
      /is not a zerotier-one controller home: .*controller\.d\/network does not exist/,
    ],
  ];

  for (const [what, change, stderr] of cases) {
    it(what, async () => {
      await setUp();
      // --force: only the bad file may stop this import (not the networks imported before).
      assertRefused(await importCli(['--from', homeWith(change), '--data-dir', dataDir, '--force']), stderr);
      assert.deepEqual(await snapshotDataDir(dataDir), before, 'the data dir and store are unchanged');
    });
  }

  it('every problem is listed in one run, with the count', async () => {
    await setUp();
    const home = homeWith((h) => {
      edit(h, MEMBER_FILE, (json) => (json.authorized = 1));
      edit(h, NETWORK_FILE, (json) => (json.mtu = 'big'));
    });
    const result = await importCli(['--from', home, '--data-dir', dataDir, '--force']);
    assertRefused(
      result,
      /2 problems in .*; nothing was imported:\n {2}.*mtu: expected an integer.*\n {2}.*authorized: expected true or false/s,
    );
    assert.deepEqual(await snapshotDataDir(dataDir), before);
  });

  it('with --json the problems are also printed as data: file, field and error code', async () => {
    await setUp();
    const home = homeWith((h) => edit(h, MEMBER_FILE, (json) => (json.authorized = 'yes')));
    const result = await importCli(['--from', home, '--data-dir', dataDir, '--force', '--json']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /1 problem in .*; nothing was imported/);
    assert.deepEqual(JSON.parse(result.stdout), {
      imported: false,
      problems: [
        {
          path: join(home, 'controller.d', MEMBER_FILE),
          field: 'authorized',
          code: 'RP_INVALID_INPUT',
          message: 'expected true or false, got "yes"',
        },
      ],
    });
    assert.deepEqual(await snapshotDataDir(dataDir), before);
  });

  it('a missing or wrong --from folder is a usage error (exit 2)', async () => {
    assertRefused(
      await importCli(['--from', join(root, 'nope'), '--data-dir', fresh('data')]),
      /--from .*nope: no such directory/,
      2,
    );
    assertRefused(await importCli(['--data-dir', fresh('data')]), /required option '--from <home>'/, 2);
    const home = recordedHome('run-baseline', fresh('home'));
    assertRefused(
      await importCli(['--from', join(home, 'controller.d'), '--data-dir', fresh('data')]),
      /give the zerotier-one home \(the folder holding identity\.secret and controller\.d\/\), e\.g\. .*home-\d+\n/,
      2,
    );
  });
});

describe('the controller identity is never replaced by accident', () => {
  const noaes = () =>
    readFileSync(sharedFile('run-noaes-proto11', 'controller-identity.secret'), 'utf8').trim();

  it('refuses when the data dir holds another identity, naming both; --force replaces it', async () => {
    const dataDir = fresh('data');
    assertOk(
      await importCli(['--from', recordedHome('run-noaes-proto11', fresh('home')), '--data-dir', dataDir]),
      'first',
    );
    const before = await snapshotDataDir(dataDir);
    const home = recordedHome('run-baseline', fresh('home'));
    assertRefused(
      await importCli(['--from', home, '--data-dir', dataDir]),
      /this Routeplane is controller 6951fba29a .*but .*identity\.secret is controller f8ea0e7924\. .*Pass --force/,
    );
    assert.deepEqual(await snapshotDataDir(dataDir), before);

    const forced = await importCli(['--from', home, '--data-dir', dataDir, '--force']);
    assertOk(forced, 'import --force');
    assert.match(forced.stdout, /identity 6951fba29a \(.*identity\.secret\) was replaced/);
    assert.match(
      forced.stdout,
      /1 network\(s\) of another controller stay in the store but cannot be served by f8ea0e7924: 6951fba29ad56e51/,
    );
    assert.match(forced.stdout, /planet: .*differs from .* and was kept/);
    assert.equal(readFileSync(join(dataDir, 'identity.secret'), 'utf8').slice(0, 10), 'f8ea0e7924');
    const store = await openStore({ dataDir });
    try {
      assert.equal((await store.getSetting(IDENTITY_SETTING))!.slice(0, 10), 'f8ea0e7924');
      assert.deepEqual(await store.listNetworkIds(), ['6951fba29ad56e51', BASELINE_NWID]);
    } finally {
      await store.close();
    }
  });

  it("refuses when only the store's identity setting differs (a shared database, say)", async () => {
    const dataDir = fresh('data');
    const store = await openStore({ dataDir });
    await store.transaction((tx) => tx.setSetting(IDENTITY_SETTING, noaes()));
    await store.close();
    const before = await snapshotDataDir(dataDir);
    assertRefused(
      await importCli(['--from', recordedHome('run-baseline', fresh('home')), '--data-dir', dataDir]),
      /controller 6951fba29a \(the store setting controller\.identity\)/,
    );
    assert.deepEqual(await snapshotDataDir(dataDir), before);
  });
});

describe('routeplane import: what zerotier-one itself would not load or Routeplane does not keep', () => {
  it('imports again only with --force, replacing the networks by what the files now say', async () => {
    const dataDir = fresh('data');
    const home = recordedHome('run-baseline', fresh('home'));
    assertOk(await importCli(['--from', home, '--data-dir', dataDir]), 'first');
    writeFileSync(
      join(home, 'controller.d', MEMBER_FILE),
      JSON.stringify({ ...readJson(join(home, 'controller.d', MEMBER_FILE)), name: 'renamed', revision: 9 }),
    );
    unlinkSync(join(home, 'controller.d', 'network', BASELINE_NWID, 'member', 'f8ea0e7924.json'));
    assertRefused(
      await importCli(['--from', home, '--data-dir', dataDir]),
      /already holds 1 of the imported networks \(f8ea0e79249a7b42\)/,
    );
    const forced = await importCli(['--from', home, '--data-dir', dataDir, '--force']);
    assertOk(forced, 'again with --force');
    const store = await openStore({ dataDir });
    try {
      const members = await store.listMembers(BASELINE_NWID);
      assert.deepEqual(
        members.map((m) => [m.address, m.name, m.revision]),
        [['43e690e007', 'renamed', 9]],
      );
      assert.equal(
        await store.findIpOwner(BASELINE_NWID, '10.147.17.1'),
        undefined,
        'the removed member freed its IP',
      );
    } finally {
      await store.close();
    }
  });

  it('skips member folders without a network file and other names, and reports fields it drops', async () => {
    const home = recordedHome('run-baseline', fresh('home'));
    const network = join(home, 'controller.d', 'network');
    writeFileSync(join(network, 'notes.txt'), 'hello');
    const orphanDir = join(network, 'f8ea0e7924aaaaaa', 'member');
    mkdirSync(orphanDir, { recursive: true });
    writeFileSync(join(orphanDir, '1111111111.json'), JSON.stringify({ id: '1111111111', authorized: true }));
    writeFileSync(
      join(home, 'controller.d', MEMBER_FILE),
      JSON.stringify({
        ...readJson(join(home, 'controller.d', MEMBER_FILE)),
        authenticationURL: 'https://sso.example',
      }),
    );
    const dataDir = fresh('data');
    const result = await importCli(['--from', home, '--data-dir', dataDir]);
    assertOk(result, 'import');
    assert.match(result.stdout, /Skipped \(zerotier-one does not load these either\):/);
    assert.match(result.stdout, /notes\.txt: not a network file/);
    assert.match(
      result.stdout,
      /f8ea0e7924aaaaaa\/member: 1 member file\(s\) but no network file f8ea0e7924aaaaaa\.json/,
    );
    assert.match(result.stdout, /Fields not imported .*:\n {2}authenticationURL \(1 file\)/);
    const store = await openStore({ dataDir });
    try {
      assert.deepEqual(await store.listNetworkIds(), [BASELINE_NWID]);
      assert.equal((await store.countMembers(BASELINE_NWID)).total, 2);
    } finally {
      await store.close();
    }
  });

  it('--database (or ROUTEPLANE_DATABASE_URL) chooses the database; identity files still go to the data dir', async () => {
    const dataDir = fresh('data');
    const database = join(root, `chosen-${++counter}.db`);
    const viaEnv = join(root, `env-${++counter}.db`);
    const home = recordedHome('run-baseline', fresh('home'));
    assertOk(
      await importCli(['--from', home, '--data-dir', dataDir, '--database', `sqlite:${database}`]),
      'flag',
    );
    assertOk(
      await importCli(['--from', home, '--data-dir', fresh('data')], {
        ROUTEPLANE_DATABASE_URL: `sqlite:${viaEnv}`,
      }),
      'env',
    );
    assert.equal(existsSync(join(dataDir, 'controller.db')), false);
    assert.ok(existsSync(join(dataDir, 'identity.secret')));
    for (const file of [database, viaEnv]) {
      const store = await openStore({ dataDir, databaseUrl: `sqlite:${file}` });
      try {
        assert.deepEqual(await store.listNetworkIds(), [BASELINE_NWID]);
      } finally {
        await store.close();
      }
    }
  });
});

describe('routeplane import of a larger synthetic controller', () => {
  it('imports 3 networks × 1,500 members; piped output carries no progress bar', async () => {
    const synthetic = writeSyntheticHome(fresh('home'), { networks: 3, membersPerNetwork: 1500 });
    const dataDir = fresh('data');
    const result = await importCli(['--from', synthetic.home, '--data-dir', dataDir]);
    assertOk(result, 'import');
    assert.match(result.stdout, new RegExp(`Imported 3 networks and 4500 members`));
    assert.match(result.stdout, new RegExp(`members +4500 \\(${synthetic.authorized} authorized`));
    // eslint-disable-next-line no-control-regex -- looking for terminal control sequences
    assert.doesNotMatch(result.stdout + result.stderr, /[\u001b\r]/);
    const store = await openStore({ dataDir });
    try {
      for (const id of synthetic.networkIds) assert.equal((await store.countMembers(id)).total, 1500);
      const member = await store.getMember(synthetic.networkIds[2]!, '1000200000');
      assert.deepEqual(member?.ipAssignments, ['10.2.0.1']);
    } finally {
      await store.close();
    }
  });
});
