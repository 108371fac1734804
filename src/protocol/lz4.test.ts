import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Lz4Error, lz4DecompressBlock } from './lz4.ts';
import { bytesToHex, hexToBytes, readSharedJson } from './test-vectors.ts';

/** A small greedy LZ4 block compressor, only to produce valid blocks of every shape for tests. */
function compress(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  const lengthBytes = (n: number) => {
    for (n -= 15; n >= 255; n -= 255) out.push(255);
    out.push(n);
  };
  const sequence = (litStart: number, litEnd: number, offset = 0, matchLength = 0) => {
    const lit = litEnd - litStart;
    const m = matchLength - 4;
    out.push((Math.min(lit, 15) << 4) | (matchLength ? Math.min(m, 15) : 0));
    if (lit >= 15) lengthBytes(lit);
    for (let i = litStart; i < litEnd; i++) out.push(src[i]!);
    if (!matchLength) return;
    out.push(offset & 0xff, offset >> 8);
    if (m >= 15) lengthBytes(m);
  };
  const last = new Map<number, number>();
  let anchor = 0;
  let i = 0;
  while (i + 12 <= src.length) {
    const key = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
    const candidate = last.get(key);
    last.set(key, i);
    if (candidate !== undefined && i - candidate <= 0xffff) {
      let length = 4;
      while (i + length < src.length - 5 && src[candidate + length] === src[i + length]) length++;
      sequence(anchor, i, i - candidate, length);
      i += length;
      anchor = i;
    } else i++;
  }
  sequence(anchor, src.length);
  return Uint8Array.from(out);
}

test('decompresses the compressed packets recorded from ZeroTier', () => {
  const { packets } = readSharedJson<{
    packets: { compressed: boolean; dearmoredHex: string; plainHex: string }[];
  }>('zerotier', 'packet-vectors.json');
  const compressed = packets.filter((p) => p.compressed);
  assert.equal(compressed.length, 4);
  for (const p of compressed) {
    const out = lz4DecompressBlock(hexToBytes(p.dearmoredHex).subarray(28), 10_000);
    assert.equal(bytesToHex(out), p.plainHex.slice(56));
  }
});

test('hand-made blocks: literals only, overlapping match, long literal and match lengths', () => {
  assert.deepEqual(lz4DecompressBlock(Uint8Array.of(0x00), 10), new Uint8Array(0));
  assert.equal(
    new TextDecoder().decode(lz4DecompressBlock(Uint8Array.of(0x30, 0x61, 0x62, 0x63), 10)),
    'abc',
  );
  // In the last sequence the match half of the token is ignored.
  assert.deepEqual(lz4DecompressBlock(Uint8Array.of(0x1f, 0x61), 10), Uint8Array.of(0x61));
  // 'a' then a match at offset 1 of length 4+5 (overlapping run), then 1 literal 'b'.
  const rle = lz4DecompressBlock(Uint8Array.of(0x15, 0x61, 0x01, 0x00, 0x10, 0x62), 100);
  assert.equal(new TextDecoder().decode(rle), 'a'.repeat(10) + 'b');
  // 15 + 255 + 10 = 280 literals.
  const long = new Uint8Array(280).map((_, i) => i & 0xff);
  const block = Uint8Array.from([0xf0, 255, 10, ...long]);
  assert.deepEqual(lz4DecompressBlock(block, 280), long);
  // Match length 4 + 15 + 255 + 0 = 274.
  const longMatch = lz4DecompressBlock(Uint8Array.of(0x1f, 0x78, 0x01, 0x00, 255, 0, 0x00), 1000);
  assert.equal(longMatch.length, 275);
  assert.ok(longMatch.every((b) => b === 0x78));
});

test('malformed blocks throw Lz4Error with a reason', () => {
  const cases: [number[], RegExp, number?][] = [
    [[], /empty input/],
    [[0x50, 1, 2], /literal run of 5 bytes passes the end/],
    [[0xf0], /truncated literal length/],
    [[0xf0, 255], /truncated literal length/],
    [[0x10, 0x61, 0x01], /truncated match offset/],
    [[0x10, 0x61, 0x00, 0x00, 0x00], /match offset 0/],
    [[0x10, 0x61, 0x02, 0x00, 0x00], /reaches before the start/],
    [[0x0f, 0x01, 0x00], /reaches before the start/],
    [[0x1f, 0x61, 0x01, 0x00], /truncated match length/],
    [[0x10, 0x61, 0x01, 0x00], /input ends after a match/],
    [[0x30, 1, 2, 3], /exceeds the limit of 2/, 2],
    [[0x15, 0x61, 0x01, 0x00, 0x00], /exceeds the limit of 5/, 5],
    [[0x1f, 0x61, 0x01, 0x00, 255, 255, 255, 0, 0x00], /exceeds the output limit of 100/, 100],
  ];
  for (const [bytes, message, limit] of cases) {
    assert.throws(
      () => lz4DecompressBlock(Uint8Array.from(bytes), limit ?? 1000),
      (error: unknown) => {
        assert.ok(error instanceof Lz4Error, String(error));
        assert.match(error.message, message);
        return true;
      },
    );
  }
  assert.throws(() => lz4DecompressBlock(Uint8Array.of(0), -1), Lz4Error);
});

test('round-trips any data through a valid compressor', () => {
  const data = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 3000 }),
    // Repetitive data makes matches, overlaps and long lengths likely.
    fc
      .tuple(
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 400 }),
        fc.uint8Array({ maxLength: 40 }),
      )
      .map(([unit, times, tail]) =>
        Uint8Array.from([...Array.from({ length: times }, () => [...unit]).flat(), ...tail]),
      ),
  );
  fc.assert(
    fc.property(data, (src) => {
      const block = compress(src);
      assert.equal(bytesToHex(lz4DecompressBlock(block, src.length)), bytesToHex(src));
      if (src.length > 0) assert.throws(() => lz4DecompressBlock(block, src.length - 1), Lz4Error);
    }),
    { numRuns: 300 },
  );
});

test('random and mutated input never throws anything but Lz4Error and stays within the limit', () => {
  const valid = compress(new TextEncoder().encode('v=0000000000000007\nvend=0000000000000001\n'.repeat(20)));
  const mutated = fc
    .tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length))
    .map(([at, value, cut]) => {
      const copy = valid.slice(0, Math.max(1, cut));
      copy[at % copy.length] = value;
      return copy;
    });
  fc.assert(
    fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 2000 }), mutated),
      fc.integer({ min: 0, max: 20_000 }),
      (input, limit) => {
        const started = performance.now();
        try {
          const out = lz4DecompressBlock(input, limit);
          assert.ok(out.length <= limit);
        } catch (error) {
          assert.ok(error instanceof Lz4Error, `unexpected ${String(error)}`);
        }
        assert.ok(performance.now() - started < 200, 'took too long');
      },
    ),
    { numRuns: 3000 },
  );
});
