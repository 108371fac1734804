// The C25519 key pair that signs planets and moons (PROTOCOL-NOTES §2.4, §2.8). Same layout as an
// identity's keys, but no address: a world key is not a node, and must stay apart from the
// controller identity so either can be replaced without the other.
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual } from './bytes.ts';
import { PRIVATE_KEY_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, derivePublicKey } from './identity.ts';

export interface WorldSigningKey {
  /** X25519 public (32) ‖ Ed25519 public (32): what a world's updatesMustBeSignedBy holds. */
  publicKey: Uint8Array;
  /** X25519 secret (32) ‖ Ed25519 seed (32). Only the Ed25519 half signs. */
  privateKey: Uint8Array;
}

export function generateWorldSigningKey(): WorldSigningKey {
  const privateKey = Uint8Array.from(randomBytes(PRIVATE_KEY_LENGTH));
  return { publicKey: derivePublicKey(privateKey), privateKey };
}

/** The key pair of a 64-byte private key; throws when `publicKey` is given and does not match. */
export function worldSigningKeyFromPrivate(privateKey: Uint8Array, publicKey?: Uint8Array): WorldSigningKey {
  if (privateKey.length !== PRIVATE_KEY_LENGTH)
    throw new Error(`signing private key must be ${PRIVATE_KEY_LENGTH} bytes, got ${privateKey.length}`);
  const derived = derivePublicKey(privateKey);
  if (publicKey !== undefined && !constantTimeEqual(publicKey, derived))
    throw new Error('signing public key does not belong to the private key');
  return { publicKey: derived, privateKey: privateKey.slice() };
}

/** ZeroTier's C25519 signature: Ed25519 over SHA-512(message)[0:32], then those 32 bytes (96 in all). */
export function c25519Sign(key: WorldSigningKey, message: Uint8Array): Uint8Array {
  const h = sha512(message).subarray(0, 32);
  return concatBytes(ed25519.sign(h, key.privateKey.subarray(32, 64)), h);
}

/** True iff `signature` is a C25519 signature of `message` by the 64-byte `publicKey`. */
export function c25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  const h = sha512(message).subarray(0, 32);
  if (!constantTimeEqual(signature.subarray(64, 96), h)) return false;
  try {
    return ed25519.verify(signature.subarray(0, 64), h, publicKey.subarray(32, 64));
  } catch {
    return false; // not a curve point: simply not a valid signature
  }
}
