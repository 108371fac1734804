import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lz4CompressBlock, lz4CompressBound } from './lz4-compress.ts';
import { lz4DecompressBlock } from './lz4.ts';
import { bytesToHex, hexToBytes, readSharedJson } from './test-vectors.ts';

/**
 * Walks a block's sequences and checks the format's end rules that LZ4_decompress_safe relies on:
 * the last sequence is literals only, the last match starts at least 12 bytes before the end of
 * the output and ends at least 5 bytes before it.
 */
function checkEndRules(block: Uint8Array, outputLength: number): void {
  let ip = 0;
  let op = 0;
  const length = (base: number) => {
    let n = base;
    if (base !== 15) return n;
    for (;;) {
      const b = block[ip++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  let lastMatchStart = -1;
  let lastMatchEnd = -1;
  for (;;) {
    const token = block[ip++]!;
    const literals = length(token >>> 4);
    ip += literals;
    op += literals;
    if (ip === block.length) break;
    ip += 2;
    const match = length(token & 15) + 4;
    lastMatchStart = op;
    op += match;
    lastMatchEnd = op;
  }
  assert.equal(op, outputLength);
  if (lastMatchStart >= 0) {
    assert.ok(
      lastMatchStart <= outputLength - 12,
      `last match starts at ${lastMatchStart} of ${outputLength}`,
    );
    assert.ok(lastMatchEnd <= outputLength - 5, `last match ends at ${lastMatchEnd} of ${outputLength}`);
  }
}

const anyData = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 4000 }),
  // Repetitive data: matches, overlapping matches and long lengths.
  fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 9 }),
      fc.integer({ min: 1, max: 800 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }),
    )
    .map(([unit, times, head, tail]) =>
      Uint8Array.from([...head, ...Array.from({ length: times }, () => [...unit]).flat(), ...tail]),
    ),
  // Text-like data with a small alphabet, like config dictionaries.
  fc
    .array(fc.constantFrom(...'0000000000abcdef=\n'.split('')), { maxLength: 3000 })
    .map((chars) => new TextEncoder().encode(chars.join(''))),
);

test('round-trips any data through lz4DecompressBlock, within the bound and the end rules', () => {
  fc.assert(
    fc.property(anyData, (src) => {
      const block = lz4CompressBlock(src);
      assert.ok(block.length <= lz4CompressBound(src.length));
      assert.equal(bytesToHex(lz4DecompressBlock(block, src.length)), bytesToHex(src));
      checkEndRules(block, src.length);
    }),
    { numRuns: 1000 },
  );
});

test('short and edge-sized inputs', () => {
  for (let n = 0; n <= 40; n++) {
    for (const fill of [0, 0x61]) {
      const src = new Uint8Array(n).fill(fill);
      const block = lz4CompressBlock(src);
      assert.deepEqual(lz4DecompressBlock(block, n), src);
      checkEndRules(block, n);
    }
  }
  // Offsets past 64 KiB are never used.
  const big = new Uint8Array(200_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
  big.set(big.subarray(0, 1000), 150_000);
  assert.deepEqual(lz4DecompressBlock(lz4CompressBlock(big), big.length), big);
});

test('compresses the recorded stock config replies about as well as ZeroTier does', () => {
  const { packets } = readSharedJson<{
    packets: { compressed: boolean; dearmoredHex: string; plainHex: string }[];
  }>('zerotier', 'packet-vectors.json');
  const configs = packets.filter((p) => p.compressed && p.plainHex.length / 2 > 1000);
  assert.ok(configs.length >= 2);
  for (const p of configs) {
    const plain = hexToBytes(p.plainHex).subarray(28);
    const stock = hexToBytes(p.dearmoredHex).length - 28;
    const ours = lz4CompressBlock(plain);
    assert.deepEqual(lz4DecompressBlock(ours, plain.length), plain);
    // Stock (LZ4_compress_fast) got ~1450 → ~830 bytes; ours must be within 5 % of it.
    assert.ok(ours.length <= stock * 1.05, `ours ${ours.length} bytes, stock ${stock}`);
  }
});
