import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Identity } from './identity.ts';
import {
  IdentityPoolBusyError,
  IdentityWorkerPool,
  closeIdentityWorkers,
  generateIdentity,
  validateIdentity,
} from './identity-pool.ts';
import { readSharedJson } from './test-vectors.ts';

const vectors = readSharedJson<{ identities: { secretString: string; publicString: string }[] }>(
  'zerotier',
  'identity-vectors.json',
);
const identities = vectors.identities.map((v) => Identity.parse(v.secretString));

after(() => closeIdentityWorkers());

function tamper(identity: Identity): Identity {
  const pub = identity.publicKey.slice();
  pub[10]! ^= 0x01;
  return new Identity(identity.address, pub);
}

test('validateIdentity accepts every vector identity (with and without the secret) in workers', async () => {
  const started = performance.now();
  const results = await Promise.all([
    ...identities.map((id) => validateIdentity(id)),
    ...vectors.identities.map((v) => validateIdentity(Identity.parse(v.publicString))),
  ]);
  assert.deepEqual(results, Array(10).fill(true));
  console.log(
    `validated ${identities.length} identities in ${(performance.now() - started).toFixed(0)} ms (cold workers)`,
  );
});

test('validateIdentity rejects tampered identities and mismatched secrets', async () => {
  const [a, b] = identities as [Identity, Identity];
  assert.equal(await validateIdentity(tamper(a)), false);
  assert.equal(await validateIdentity(new Identity('1234567890', a.publicKey)), false);
  assert.equal(await validateIdentity(new Identity(a.address, a.publicKey, b.privateKey)), false);
  assert.equal(await validateIdentity(new Identity('ff12345678', a.publicKey)), false);
});

test('the event loop keeps running while workers hash', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const pool = new IdentityWorkerPool({ size: 1, cacheSize: 0 });
  try {
    const started = performance.now();
    for (const id of identities) assert.equal(await pool.validate(id), true);
    const elapsed = performance.now() - started;
    console.log(`sequential validation: ${(elapsed / identities.length).toFixed(0)} ms per identity`);
    // Blocking hashes would leave no room for timers; at least a third of the slots must fire.
    assert.ok(ticks >= elapsed / 5 / 3, `only ${ticks} timer ticks in ${elapsed.toFixed(0)} ms`);
  } finally {
    clearInterval(timer);
    await pool.close();
  }
});

test('a full queue refuses new validations with IdentityPoolBusyError', async () => {
  const pool = new IdentityWorkerPool({ size: 1, maxQueue: 1 });
  try {
    const first = pool.validate(identities[0]!); // runs
    const second = pool.validate(identities[1]!); // waits
    await assert.rejects(pool.validate(identities[2]!), IdentityPoolBusyError);
    // The same identity again shares the pending computation instead of queueing.
    const again = pool.validate(identities[1]!);
    assert.deepEqual(await Promise.all([first, second, again]), [true, true, true]);
  } finally {
    await pool.close();
  }
});

test('close() rejects pending work and the pool can be used again afterwards', async () => {
  const pool = new IdentityWorkerPool({ size: 1 });
  const pending = assert.rejects(pool.validate(identities[3]!), /closed/);
  await pool.close();
  await pending;
  assert.equal(await pool.validate(identities[3]!), true);
  await pool.close();
});

test('generateIdentity yields an identity that validates and round-trips', async () => {
  const timings: number[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const id = await generateIdentity();
    timings.push(performance.now() - started);
    assert.equal(id.hasPrivate(), true);
    assert.equal(id.locallyValidate(), true);
    assert.equal(Identity.parse(id.toString(true)).toString(true), id.toString(true));
    assert.equal(Identity.fromBinary(id.toBinary(true)).identity.toString(true), id.toString(true));
    const msg = new TextEncoder().encode('hello');
    assert.equal(id.withoutPrivate().verify(msg, id.sign(msg)), true);
    seen.add(id.address);
  }
  assert.equal(seen.size, 3);
  console.log(`generated 3 identities: ${timings.map((t) => t.toFixed(0)).join(', ')} ms`);
});

test('idle workers do not keep the process alive (no closeIdentityWorkers call)', () => {
  const pool = fileURLToPath(new URL('./identity-pool.ts', import.meta.url));
  const script = `import { validateIdentity } from ${JSON.stringify(pool)};
    import { Identity } from ${JSON.stringify(fileURLToPath(new URL('./identity.ts', import.meta.url)))};
    console.log(await validateIdentity(Identity.parse(${JSON.stringify(vectors.identities[0]!.publicString)})));`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 120_000, // only catches a hang; generous for loaded CI machines
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  assert.equal(result.signal, null, 'process had to be killed: something kept it alive');
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), 'true');
  assert.equal(result.status, 0);
});
