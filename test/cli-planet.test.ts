// `routeplane planet` end to end: the real binary writes planets from a data dir seeded with a
// recorded controller identity; the tests decode and check them with the protocol code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Identity } from '../src/protocol/identity.ts';
import { sharedPath } from '../src/protocol/test-vectors.ts';
import {
  WORLD_ID_EARTH,
  decodeWorld,
  encodeWorld,
  shouldReplace,
  signWorld,
  verifyWorld,
  type World,
} from '../src/protocol/world.ts';
import {
  WORLD_SIGNING_KEY_FILE,
  loadOrCreateWorldSigningKey,
} from '../src/protocol/world-signing-key-file.ts';

const BIN = fileURLToPath(new URL('../bin/routeplane.mjs', import.meta.url));
const RUN = 'run-noaes-proto11';
const controller = Identity.parse(
  readFileSync(sharedPath('zerotier', RUN, 'controller-identity.public'), 'utf8'),
);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function assertOk(result: Run, label: string): void {
  assert.equal(result.code, 0, `${label} failed (${result.code}): ${result.stderr}`);
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'routeplane-cli-planet-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A data dir holding the recorded controller's identity.secret, as if the controller had run. */
function seededDataDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { mode: 0o700 });
  copyFileSync(sharedPath('zerotier', RUN, 'controller-identity.secret'), join(dir, 'identity.secret'));
  return dir;
}

const readWorld = (path: string): World => decodeWorld(readFileSync(path));

describe('routeplane planet', () => {
  let dataDir: string;
  let first: World;
  let firstRun: Run;
  const firstOut = () => join(root, 'first.planet');

  before(async () => {
    dataDir = seededDataDir('data');
    firstRun = await run([
      'planet',
      '--data-dir',
      dataDir,
      '--out',
      firstOut(),
      '--endpoint',
      '192.0.2.1/9993',
      '--endpoint',
      '2001:DB8:0::1/9993',
    ]);
    assertOk(firstRun, 'first planet');
    first = readWorld(firstOut());
  });

  it('writes a signed planet whose only root is the controller, at the given endpoints', () => {
    assert.equal(first.type, 'planet');
    assert.notEqual(first.id, WORLD_ID_EARTH);
    assert.equal(first.roots.length, 1);
    assert.ok(first.roots[0]!.identity.equals(controller));
    assert.equal(first.roots[0]!.identity.hasPrivate(), false);
    assert.deepEqual(first.roots[0]!.endpoints, [
      { ip: '192.0.2.1', port: 9993 },
      { ip: '2001:db8::1', port: 9993 },
    ]);
    assert.equal(verifyWorld(first), true);
    assert.ok(Math.abs(Number(first.timestamp) - Date.now()) < 120_000, 'timestamp is now, in ms');
  });

  it('signs with planet.signing.secret (0600), a key apart from the controller identity', async () => {
    const path = join(dataDir, WORLD_SIGNING_KEY_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const signing = await loadOrCreateWorldSigningKey(dataDir);
    assert.equal(signing.created, false);
    assert.equal(signing.worldId, first.id);
    assert.deepEqual(first.updatesMustBeSignedBy, signing.key.publicKey);
    assert.notDeepEqual(signing.key.publicKey, controller.publicKey);
    assert.equal(
      readFileSync(join(dataDir, 'identity.secret'), 'utf8'),
      readFileSync(sharedPath('zerotier', RUN, 'controller-identity.secret'), 'utf8'),
    );
    assert.deepEqual(readFileSync(join(dataDir, 'planet')), readFileSync(firstOut()));
  });

  it('prints what it wrote and how to install it', () => {
    const out = firstRun.stdout;
    assert.match(out, new RegExp(`world id +${first.id} `));
    assert.match(out, new RegExp(`timestamp +${first.timestamp} `));
    assert.match(out, /root +6951fba29a/);
    assert.match(out, /192\.0\.2\.1\/9993\n +2001:db8::1\/9993/);
    assert.match(out, /\/var\/lib\/zerotier-one\/planet/);
    assert.match(out, /restart zerotier-one/);
    assert.match(out, /planet\.signing\.secret \(created now\)/);
    assert.equal(firstRun.stderr, '');
  });

  it('a second run keeps the world id, signs a newer timestamp, and members accept it as an update', async () => {
    const out = join(root, 'second.planet');
    const result = await run([
      'planet',
      '--data-dir',
      dataDir,
      '--out',
      out,
      '--endpoint',
      '198.51.100.7/443',
    ]);
    assertOk(result, 'second planet');
    assert.doesNotMatch(result.stdout, /created now/);
    const second = readWorld(out);
    assert.equal(second.id, first.id);
    assert.ok(second.timestamp > first.timestamp);
    assert.deepEqual(second.roots[0]!.endpoints, [{ ip: '198.51.100.7', port: 443 }]);
    assert.equal(shouldReplace(first, second), true);
    assert.equal(shouldReplace(second, first), false);
  });

  it('signs newer than the last planet even when the clock is behind it', async () => {
    const dir = seededDataDir('clock');
    const signing = await loadOrCreateWorldSigningKey(dir);
    const ahead = BigInt(Date.now()) + 86_400_000n;
    const last = signWorld(
      {
        type: 'planet',
        id: signing.worldId,
        timestamp: ahead,
        updatesMustBeSignedBy: signing.key.publicKey,
        roots: [],
      },
      signing.key,
    );
    writeFileSync(join(dir, 'planet'), encodeWorld(last));
    const out = join(root, 'clock.planet');
    assertOk(
      await run(['planet', '--data-dir', dir, '--out', out, '--endpoint', '192.0.2.1/9993']),
      'clock planet',
    );
    const next = readWorld(out);
    assert.equal(next.timestamp, ahead + 1n);
    assert.equal(shouldReplace(last, next), true);
  });

  it('`planet show` decodes a planet and checks its signature', async () => {
    const good = await run(['planet', 'show', firstOut()]);
    assertOk(good, 'show');
    assert.match(good.stdout, new RegExp(`world id +${first.id} `));
    assert.match(good.stdout, /signature +valid/);

    const bytes = readFileSync(firstOut());
    bytes[bytes.length - 1]! ^= 1; // the last endpoint's port
    const tampered = join(root, 'tampered.planet');
    writeFileSync(tampered, bytes);
    const bad = await run(['planet', 'show', tampered]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /signature +INVALID/);
    assert.match(bad.stderr, /does not verify/);

    const garbage = join(root, 'garbage.planet');
    writeFileSync(garbage, 'not a planet');
    const unreadable = await run(['planet', 'show', garbage]);
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.stderr, /garbage\.planet: not a valid planet or moon: world type must be 1/);
  });
});

describe('routeplane planet refuses bad input and writes nothing', () => {
  const cases: [string, string[], RegExp][] = [
    ['no slash', ['--endpoint', '192.0.2.1:9993'], /--endpoint "192\.0\.2\.1:9993": expected IP\/PORT/],
    [
      'host name',
      ['--endpoint', 'example.com/9993'],
      /--endpoint "example\.com\/9993": "example\.com" is not an IPv4 or IPv6/,
    ],
    ['bad IPv4', ['--endpoint', '192.0.2.256/9993'], /"192\.0\.2\.256" is not an IPv4 or IPv6/],
    ['port 0', ['--endpoint', '192.0.2.1/0'], /"0" is not a port/],
    ['port too big', ['--endpoint', '2001:db8::1/65536'], /"65536" is not a port/],
    ['zone id', ['--endpoint', 'fe80::1%eth0/9993'], /"fe80::1%eth0" is not an IPv4 or IPv6/],
    ['unspecified', ['--endpoint', '0.0.0.0/9993'], /unspecified address/],
    ['multicast', ['--endpoint', 'ff02::1/9993'], /multicast/],
    ['good then bad', ['--endpoint', '192.0.2.1/9993', '--endpoint', 'nope'], /--endpoint "nope"/],
    [
      'duplicate',
      ['--endpoint', '2001:db8::1/9993', '--endpoint', '2001:DB8:0::1/9993'],
      /"2001:DB8:0::1\/9993" is given twice/,
    ],
    ['no endpoint', [], /at least one --endpoint/],
  ];

  it('exits 2 naming the problem; no planet, key or data dir is created and an old output is kept', async () => {
    await Promise.all(
      cases.map(async ([name, args, message]) => {
        const dataDir = join(root, `bad-${name.replaceAll(' ', '-')}`);
        const out = join(root, `bad-${name.replaceAll(' ', '-')}.planet`);
        writeFileSync(out, 'previous');
        const result = await run(['planet', '--data-dir', dataDir, '--out', out, ...args]);
        assert.equal(result.code, 2, `${name}: ${result.stderr}`);
        assert.match(result.stderr, message, name);
        assert.equal(result.stdout, '', name);
        assert.equal(readFileSync(out, 'utf8'), 'previous', name);
        assert.equal(existsSync(dataDir), false, name);
      }),
    );
  });

  it('exits 2 without --out, or when the output directory does not exist', async () => {
    const dataDir = join(root, 'bad-out');
    const [missing, noDir] = await Promise.all([
      run(['planet', '--data-dir', dataDir, '--endpoint', '192.0.2.1/9993']),
      run([
        'planet',
        '--data-dir',
        dataDir,
        '--out',
        join(root, 'nowhere', 'x.planet'),
        '--endpoint',
        '192.0.2.1/9993',
      ]),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--out FILE is required/);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /--out: directory .*nowhere does not exist/);
    assert.equal(existsSync(dataDir), false);
  });
});
