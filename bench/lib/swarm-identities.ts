// Identities for simulated members. Against Routeplane they are synthesised: random X25519 and
// Ed25519 key pairs under arbitrary addresses (microseconds each, where a real identity costs the
// memory-hard search, 0.2–1 s). Such an identity would fail the memory-hard check, so the load
// generator registers it in the controller's `known_identity` table before the controller starts,
// and the controller trusts it without hashing: identity validation is not part of any figure.
// Against another controller (zerotier-one) only real identities pass; they come from a file,
// one secret identity string per line, generated once and cached under bench/.cache/.
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMemberAddress } from '../../src/core/network/network-id.ts';
import { ed25519PrivateKey, x25519PrivateKey } from '../../src/protocol/crypto/native-curves.ts';
import { Identity, type IdentityWithPrivate } from '../../src/protocol/identity.ts';
import { closeIdentityWorkers, generateIdentity } from '../../src/protocol/identity-pool.ts';

/** The raw 32-byte public key of a native private key. */
function rawPublicKey(privateKey: KeyObject): Uint8Array {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (x === undefined) throw new Error('public key export lacks "x"');
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

/**
 * `count` identities with valid key pairs and distinct, unreserved, random addresses. They are not
 * valid ZeroTier identities (the address is not derived from the keys).
 */
export function synthesizeIdentities(count: number): IdentityWithPrivate[] {
  const out: IdentityWithPrivate[] = [];
  const used = new Set<string>();
  while (out.length < count) {
    const address = randomBytes(5).toString('hex');
    if (!isMemberAddress(address) || used.has(address)) continue;
    used.add(address);
    // Random secrets, public keys derived natively. Not generateKeyPairSync: on Node 20 a key pair
    // job collected by the GC while its key is being exported deadlocks the thread (a mutex taken
    // twice), which hung this benchmark at setup now and then until it was found.
    const privateKey = new Uint8Array(randomBytes(64));
    const publicKey = new Uint8Array(64);
    publicKey.set(rawPublicKey(x25519PrivateKey(privateKey.subarray(0, 32))), 0);
    publicKey.set(rawPublicKey(ed25519PrivateKey(privateKey.subarray(32, 64))), 32);
    out.push(new Identity(address, publicKey, privateKey) as IdentityWithPrivate);
  }
  return out;
}

/**
 * `count` real identities from `file` (one `address:0:public:private` per line); when the file has
 * fewer, the rest are generated in worker threads and appended, so the cost is paid once.
 */
export async function realIdentities(
  file: string,
  count: number,
  progress: (done: number, total: number) => void,
): Promise<IdentityWithPrivate[]> {
  const out: IdentityWithPrivate[] = [];
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '' || out.length >= count) continue;
      const identity = Identity.parse(line);
      if (!identity.hasPrivate()) throw new Error(`${file}: identity ${identity.address} has no secret`);
      out.push(identity);
    }
  }
  if (out.length < count) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      while (out.length < count) {
        const identity = await generateIdentity();
        if (!identity.hasPrivate()) throw new Error('generated identity has no secret');
        appendFileSync(file, `${identity.toString(true)}\n`, { mode: 0o600 });
        out.push(identity);
        progress(out.length, count);
      }
    } finally {
      await closeIdentityWorkers();
    }
  }
  return out;
}
