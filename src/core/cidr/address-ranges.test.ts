import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskIp, type Prefix } from './prefix.ts';
import { AddressRanges, mergeIntervals, subtractIntervals, type Interval } from './address-ranges.ts';

const prefixArb: fc.Arbitrary<Prefix> = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 }), fc.boolean())
  .map(([n, bits, v6]) =>
    v6
      ? { family: 6 as const, value: maskIp(6, BigInt(n), bits + 96), bits: bits + 96 }
      : { family: 4 as const, value: maskIp(4, BigInt(n), bits), bits },
  );

/** Every address of the small space (0..255) in the set, per family, as a brute-force model. */
function members(ranges: AddressRanges): string[] {
  const out: string[] = [];
  for (let v = 0n; v < 256n; v++) {
    if (ranges.has(4, v)) out.push(`4:${v}`);
    if (ranges.has(6, v)) out.push(`6:${v}`);
  }
  return out;
}

const expand = (list: Interval[], family: number) =>
  list.flatMap((i) => {
    const out: string[] = [];
    for (let v = i.first; v <= i.last; v++) out.push(`${family}:${v}`);
    return out;
  });

test('AddressRanges: membership equals the prefixes, by brute force', () => {
  fc.assert(
    fc.property(fc.array(prefixArb, { maxLength: 12 }), (prefixes) => {
      const ranges = new AddressRanges(prefixes);
      const expected = new Set<string>();
      for (const p of prefixes) {
        const size = 1n << BigInt((p.family === 4 ? 32 : 128) - p.bits);
        for (let v = p.value; v < p.value + size; v++) expected.add(`${p.family}:${v}`);
      }
      assert.deepEqual(members(ranges).sort(), [...expected].sort());
      // Merged: sorted, disjoint and not touching.
      for (const list of [ranges.v4, ranges.v6]) {
        for (let i = 1; i < list.length; i++) assert.ok(list[i]!.first > list[i - 1]!.last + 1n);
      }
    }),
    { numRuns: 300 },
  );
});

test('subtract and symmetric difference equal set arithmetic', () => {
  fc.assert(
    fc.property(fc.array(prefixArb, { maxLength: 8 }), fc.array(prefixArb, { maxLength: 8 }), (a, b) => {
      const ra = new AddressRanges(a);
      const rb = new AddressRanges(b);
      const sa = new Set(members(ra));
      const sb = new Set(members(rb));
      const minus = mergeIntervals(subtractIntervals(ra.v4, rb.v4));
      assert.deepEqual(
        expand(minus, 4),
        [...sa]
          .filter((x) => x.startsWith('4:') && !sb.has(x))
          .sort((x, y) => Number(x.slice(2)) - Number(y.slice(2))),
      );
      const xor = ra.symmetricDifference(rb);
      const got = [...expand(xor[4], 4), ...expand(xor[6], 6)].sort();
      const want = [...[...sa].filter((x) => !sb.has(x)), ...[...sb].filter((x) => !sa.has(x))].sort();
      assert.deepEqual(got, want);
      assert.equal(ra.equals(rb), want.length === 0);
    }),
    { numRuns: 300 },
  );
});
