// The memory-hard digest behind ZeroTier type-0 addresses (PROTOCOL-NOTES §2.3): SHA-512 of the
// public key seeds one continuous Salsa20/20 keystream that first fills 2 MiB chained block by
// block, then drives 131072 data-dependent swaps between that table and the digest.
import { sha512 } from '@noble/hashes/sha2.js';
import { Salsa20 } from './crypto/salsa20.ts';

export const IDENTITY_HASH_MEMORY = 2 * 1024 * 1024;
/** An address is only acceptable when the digest's first byte is below this (hashcash difficulty). */
export const IDENTITY_HASH_FIRST_BYTE_LIMIT = 17;

const MEMORY_WORDS32 = IDENTITY_HASH_MEMORY / 4;
const MEMORY_WORDS64 = IDENTITY_HASH_MEMORY / 8;

// One scratch per thread (each worker loads its own module instance): allocating 2 MiB per hash
// would dominate the garbage collector when validating bursts of HELLOs.
let sharedScratch: Uint8Array | undefined;

/** A scratch buffer of the right size, for callers that want to own it. */
export function createIdentityHashScratch(): Uint8Array {
  return new Uint8Array(IDENTITY_HASH_MEMORY);
}

/**
 * Computes the 64-byte memory-hard digest of a public key (64 bytes for type 0). Deterministic
 * and pure apart from overwriting `scratch` (defaults to a module-level buffer reused per call).
 */
export function identityHash(publicKey: Uint8Array, scratch?: Uint8Array): Uint8Array {
  const mem = scratch ?? (sharedScratch ??= createIdentityHashScratch());
  if (mem.length !== IDENTITY_HASH_MEMORY || mem.byteOffset % 4 !== 0) {
    throw new Error(`identity hash scratch must be ${IDENTITY_HASH_MEMORY} bytes, 4-byte aligned`);
  }
  const digest = new Uint8Array(64);
  digest.set(sha512(publicKey));
  const stream = new Salsa20(digest.subarray(0, 32), digest.subarray(32, 40), 20);

  // Fill: block 0 is keystream, block i is block i-1 XOR keystream (sequential, not seekable).
  const mem32 = new Uint32Array(mem.buffer, mem.byteOffset, MEMORY_WORDS32);
  let ks = stream.nextBlockWords();
  for (let j = 0; j < 16; j++) mem32[j] = ks[j]!;
  for (let base = 16; base < MEMORY_WORDS32; base += 16) {
    ks = stream.nextBlockWords();
    for (let j = 0; j < 16; j++) mem32[base + j] = mem32[base - 16 + j]! ^ ks[j]!;
  }

  // Mix: each pair of 64-bit words (read big-endian, in their current, possibly swapped, state)
  // picks a digest word and a table word to exchange; then the digest absorbs a keystream block.
  const d32 = new Uint32Array(digest.buffer, digest.byteOffset, 16);
  for (let w = 0; w < MEMORY_WORDS64; w += 2) {
    const a = w * 8 + 7; // last (least significant) byte of big-endian word w
    const b = a + 8; // same for word w + 1
    const idx1 = mem[a]! & 7;
    const idx2 = ((mem[b - 2]! & 3) << 16) | (mem[b - 1]! << 8) | mem[b]!;
    const m = idx2 * 2;
    const dd = idx1 * 2;
    const t0 = mem32[m]!;
    const t1 = mem32[m + 1]!;
    mem32[m] = d32[dd]!;
    mem32[m + 1] = d32[dd + 1]!;
    d32[dd] = t0;
    d32[dd + 1] = t1;
    ks = stream.nextBlockWords();
    for (let j = 0; j < 16; j++) d32[j] = d32[j]! ^ ks[j]!;
  }
  return digest;
}
