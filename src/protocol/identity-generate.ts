// The hashcash search for a new identity (PROTOCOL-NOTES §2.3): keep the Ed25519 half fixed and
// step the X25519 secret until the memory-hard digest of the public key qualifies.
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import {
  PRIVATE_KEY_LENGTH,
  Identity,
  digestMatchesAddress,
  isReservedAddress,
  type IdentityWithPrivate,
} from './identity.ts';
import { createIdentityHashScratch, identityHash } from './identity-hash.ts';
import { toHex } from './bytes.ts';

/**
 * Searches from `seed` (64 random bytes: X25519 secret ‖ Ed25519 seed) until an identity
 * qualifies, or returns undefined once `shouldStop()` says so (checked before every ~50 ms
 * attempt, so racing searches can be called off). About 15 attempts on average.
 */
export function searchIdentity(
  seed: Uint8Array = randomBytes(PRIVATE_KEY_LENGTH),
  shouldStop: () => boolean = () => false,
): IdentityWithPrivate | undefined {
  if (seed.length !== PRIVATE_KEY_LENGTH)
    throw new Error(`identity seed must be ${PRIVATE_KEY_LENGTH} bytes`);
  const priv = Uint8Array.from(seed);
  const publicKey = new Uint8Array(64);
  publicKey.set(ed25519.getPublicKey(priv.subarray(32, 64)), 32);
  const scratch = createIdentityHashScratch();
  const counter = new DataView(priv.buffer, priv.byteOffset + 8, 8);
  while (!shouldStop()) {
    // Step a 64-bit counter inside the X25519 secret, away from the bits X25519 clamps.
    counter.setBigUint64(0, (counter.getBigUint64(0, true) + 1n) & 0xffffffffffffffffn, true);
    publicKey.set(x25519.getPublicKey(priv.subarray(0, 32)), 0);
    const digest = identityHash(publicKey, scratch);
    const address = toHex(digest.subarray(59, 64));
    if (!isReservedAddress(address) && digestMatchesAddress(digest, address)) {
      return new Identity(address, publicKey, priv) as IdentityWithPrivate;
    }
  }
  return undefined;
}
