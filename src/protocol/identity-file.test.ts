import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Identity } from './identity.ts';
import { IDENTITY_PUBLIC_FILE, IDENTITY_SECRET_FILE, loadOrCreateIdentity } from './identity-file.ts';
import { closeIdentityWorkers } from './identity-pool.ts';
import { readSharedJson, sharedPath } from './test-vectors.ts';

const vectors = readSharedJson<{ identities: { secretString: string; publicString: string }[] }>(
  'zerotier',
  'identity-vectors.json',
);
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'routeplane-identity-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  await closeIdentityWorkers();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

test('creates identity.secret (0600) and identity.public (0644), then loads the same identity', async () => {
  const dir = join(await tempDir(), 'nested', 'data');
  const first = await loadOrCreateIdentity(dir);
  assert.equal(first.created, true);
  assert.equal(first.identity.hasPrivate(), true);
  assert.equal(first.identity.locallyValidate(), true);
  const secretPath = join(dir, IDENTITY_SECRET_FILE);
  const publicPath = join(dir, IDENTITY_PUBLIC_FILE);
  assert.equal(await mode(secretPath), 0o600);
  assert.equal(await mode(publicPath), 0o644);
  assert.equal(await readFile(secretPath, 'utf8'), first.identity.toString(true));
  assert.equal(await readFile(publicPath, 'utf8'), first.identity.toString(false));
  assert.deepEqual((await readdir(dir)).sort(), [IDENTITY_PUBLIC_FILE, IDENTITY_SECRET_FILE]);

  const second = await loadOrCreateIdentity(dir);
  assert.equal(second.created, false);
  assert.equal(second.repairedPermissions, false);
  assert.equal(second.identity.toString(true), first.identity.toString(true));
});

test('loads a zerotier-idtool identity.secret as is', async () => {
  const dir = await tempDir();
  await copyFile(sharedPath('zerotier', 'idtool', 'identity.secret'), join(dir, IDENTITY_SECRET_FILE));
  await chmod(join(dir, IDENTITY_SECRET_FILE), 0o600);
  const { identity, created } = await loadOrCreateIdentity(dir);
  assert.equal(created, false);
  assert.equal(identity.address, '6d0550260f');
  // The missing public file is written from the secret.
  assert.equal(await readFile(join(dir, IDENTITY_PUBLIC_FILE), 'utf8'), identity.toString(false));
});

test('a group/world-readable identity.secret is repaired to 0600, and a stale identity.public rewritten', async () => {
  const dir = await tempDir();
  const secretPath = join(dir, IDENTITY_SECRET_FILE);
  await writeFile(secretPath, vectors.identities[1]!.secretString + '\n');
  await chmod(secretPath, 0o644);
  await writeFile(join(dir, IDENTITY_PUBLIC_FILE), vectors.identities[0]!.publicString);
  const loaded = await loadOrCreateIdentity(dir);
  assert.equal(loaded.repairedPermissions, true);
  assert.equal(await mode(secretPath), 0o600);
  assert.equal(loaded.identity.toString(true), vectors.identities[1]!.secretString);
  assert.equal(await readFile(join(dir, IDENTITY_PUBLIC_FILE), 'utf8'), vectors.identities[1]!.publicString);
});

test('rejects a corrupt, public-only or non-validating identity.secret with a message naming the file', async () => {
  const [v0, v1] = vectors.identities as [
    { secretString: string; publicString: string },
    { secretString: string },
  ];
  const good = Identity.parse(v0.secretString);
  const tamperedPub = good.publicKey.slice();
  tamperedPub[3]! ^= 0x40;
  const cases: [string, RegExp][] = [
    ['garbage', /not a valid identity: identity must have 3 or 4/],
    [v0.secretString.slice(0, 200), /not a valid identity: identity private key must be 64 bytes/],
    [v0.publicString, /holds only a public identity/],
    [new Identity(good.address, tamperedPub, good.privateKey).toString(true), /does not validate/],
    // The secret of one identity under another's public key.
    [`${v0.publicString}:${v1.secretString.split(':')[3]}`, /does not validate/],
  ];
  for (const [content, message] of cases) {
    const dir = await tempDir();
    const secretPath = join(dir, IDENTITY_SECRET_FILE);
    await writeFile(secretPath, content, { mode: 0o600 });
    await assert.rejects(loadOrCreateIdentity(dir), (error: Error) => {
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(secretPath), error.message);
      return true;
    });
    // Never overwritten: it may be the only copy of a key.
    assert.equal(await readFile(secretPath, 'utf8'), content);
  }
});

test('two concurrent first starts agree on one identity', async () => {
  const dir = await tempDir();
  const [a, b] = await Promise.all([loadOrCreateIdentity(dir), loadOrCreateIdentity(dir)]);
  assert.equal(a.identity.toString(true), b.identity.toString(true));
  assert.equal([a.created, b.created].filter(Boolean).length, 1);
  assert.equal(await readFile(join(dir, IDENTITY_SECRET_FILE), 'utf8'), a.identity.toString(true));
  assert.deepEqual((await readdir(dir)).sort(), [IDENTITY_PUBLIC_FILE, IDENTITY_SECRET_FILE]);
});
