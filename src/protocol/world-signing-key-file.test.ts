import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { toHex } from './bytes.ts';
import { WORLD_ID_EARTH } from './world.ts';
import { c25519Sign, c25519Verify, generateWorldSigningKey } from './world-signing-key.ts';
import { WORLD_SIGNING_KEY_FILE, loadOrCreateWorldSigningKey } from './world-signing-key-file.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'routeplane-world-key-'));
  dirs.push(dir);
  return dir;
}
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const mode = async (path: string) => (await stat(path)).mode & 0o777;

test('creates the key file (0600) on first use, then loads the same key and world id', async () => {
  const dir = join(await tempDir(), 'data');
  const first = await loadOrCreateWorldSigningKey(dir);
  assert.equal(first.created, true);
  assert.equal(first.path, join(dir, WORLD_SIGNING_KEY_FILE));
  assert.equal(await mode(first.path), 0o600);
  assert.notEqual(first.worldId, WORLD_ID_EARTH);
  assert.deepEqual(await readdir(dir), [WORLD_SIGNING_KEY_FILE]);

  const second = await loadOrCreateWorldSigningKey(dir);
  assert.equal(second.created, false);
  assert.equal(second.worldId, first.worldId);
  assert.deepEqual(second.key, first.key);
  const message = Uint8Array.of(1, 2, 3);
  assert.equal(c25519Verify(first.key.publicKey, message, c25519Sign(second.key, message)), true);
});

test('two first runs at once end with one key', async () => {
  const dir = await tempDir();
  const [a, b] = await Promise.all([loadOrCreateWorldSigningKey(dir), loadOrCreateWorldSigningKey(dir)]);
  assert.equal(a.worldId, b.worldId);
  assert.deepEqual(a.key, b.key);
  assert.deepEqual(await readdir(dir), [WORLD_SIGNING_KEY_FILE]);
});

test('repairs a group- or world-readable key file to 0600', async () => {
  const dir = await tempDir();
  const { path } = await loadOrCreateWorldSigningKey(dir);
  await chmod(path, 0o644);
  await loadOrCreateWorldSigningKey(dir);
  assert.equal(await mode(path), 0o600);
});

test('refuses a broken key file, naming it, and leaves it untouched', async () => {
  const key = generateWorldSigningKey();
  const other = generateWorldSigningKey();
  const valid = {
    worldId: '123456789012',
    publicKey: toHex(key.publicKey),
    privateKey: toHex(key.privateKey),
  };
  const cases: [string, string, RegExp][] = [
    ['not JSON', 'nope', /not a valid planet signing key file: .*JSON/],
    ['Earth id', JSON.stringify({ ...valid, worldId: String(WORLD_ID_EARTH) }), /reserved for ZeroTier/],
    ['zero id', JSON.stringify({ ...valid, worldId: '0' }), /"worldId" must be a decimal/],
    ['numeric id', JSON.stringify({ ...valid, worldId: 123456789012 }), /"worldId" must be a decimal/],
    ['id over 64 bits', JSON.stringify({ ...valid, worldId: (1n << 64n).toString() }), /"worldId" must be/],
    ['short key', JSON.stringify({ ...valid, privateKey: 'abcd' }), /"privateKey" must be 64 bytes/],
    ['mismatched pair', JSON.stringify({ ...valid, publicKey: toHex(other.publicKey) }), /does not belong/],
  ];
  for (const [name, text, message] of cases) {
    const dir = await tempDir();
    const path = join(dir, WORLD_SIGNING_KEY_FILE);
    await writeFile(path, text, { mode: 0o600 });
    await assert.rejects(loadOrCreateWorldSigningKey(dir), (error: Error) => {
      assert.match(error.message, message, name);
      assert.ok(error.message.startsWith(path), name);
      return true;
    });
    assert.equal(await readFile(path, 'utf8'), text, name);
  }
  const dir = await tempDir();
  await writeFile(join(dir, WORLD_SIGNING_KEY_FILE), JSON.stringify(valid));
  const loaded = await loadOrCreateWorldSigningKey(dir);
  assert.equal(loaded.worldId, 123456789012n);
  assert.deepEqual(loaded.key, key);
});
