import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { IpFamily } from './ip.ts';
import {
  formatPrefix,
  hostBitsZero,
  isPrefixError,
  maskIp,
  parsePrefix,
  prefixContainsIp,
  prefixContainsPrefix,
  prefixesOverlap,
  prefixLast,
  type Prefix,
} from './prefix.ts';

function must(text: string): Prefix {
  const p = parsePrefix(text);
  if (isPrefixError(p)) throw new Error(p.error);
  return p;
}

function errorOf(text: string): string {
  const p = parsePrefix(text);
  assert.ok(isPrefixError(p), `${text} should be rejected`);
  return p.error;
}

describe('parsePrefix', () => {
  test('parses and canonicalises', () => {
    assert.deepEqual(must('10.147.17.0/24'), { family: 4, value: 0x0a931100n, bits: 24 });
    assert.equal(formatPrefix(must('FD00:1234:0:0::/64')), 'fd00:1234::/64');
    assert.equal(formatPrefix(must('0.0.0.0/0')), '0.0.0.0/0');
    assert.equal(formatPrefix(must('::/0')), '::/0');
    assert.equal(formatPrefix(must('10.1.2.3/32')), '10.1.2.3/32');
  });

  test('host bits set: suggests the canonical prefix', () => {
    assert.equal(errorOf('10.1.2.3/24'), '10.1.2.3/24 has host bits set (did you mean 10.1.2.0/24?)');
    assert.match(errorOf('fd00::1/64'), /did you mean fd00::\/64\?/);
  });

  test('rejects missing, invalid and out-of-range bits', () => {
    assert.match(errorOf('10.0.0.0'), /"10\.0\.0\.0" has no prefix length/);
    assert.match(errorOf('10.0.0.0/'), /invalid prefix length/);
    assert.match(errorOf('10.0.0.0/08'), /invalid prefix length/);
    assert.match(errorOf('10.0.0.0/8/8'), /invalid prefix length/);
    assert.match(errorOf('10.0.0.0/-1'), /invalid prefix length/);
    assert.match(errorOf('10.0.0.0/33'), /prefix length 33, but IPv4 allows 0\.\.32/);
    assert.match(errorOf('fd00::/129'), /prefix length 129, but IPv6 allows 0\.\.128/);
    assert.match(errorOf('10.0.0/8'), /does not start with a valid IP/);
    assert.match(errorOf('fe80::%eth0/64'), /does not start with a valid IP/);
  });
});

describe('containment', () => {
  test('examples', () => {
    const p8 = must('10.0.0.0/8');
    const p24 = must('10.0.0.0/24');
    assert.ok(prefixContainsPrefix(p8, p24));
    assert.ok(!prefixContainsPrefix(p24, p8));
    assert.ok(prefixesOverlap(p8, p24));
    assert.ok(!prefixesOverlap(p24, must('10.0.1.0/24')));
    assert.ok(!prefixesOverlap(must('0.0.0.0/0'), must('::/0')));
    assert.ok(prefixContainsIp(p24, 4, 0x0a0000ffn));
    assert.ok(!prefixContainsIp(p24, 4, 0x0a000100n));
    assert.ok(!prefixContainsIp(p24, 6, 0x0a000001n));
    assert.equal(prefixLast(p24), 0x0a0000ffn);
  });
});

const prefixArb = fc
  .constantFrom<IpFamily>(4, 6)
  .chain((family) =>
    fc.record({
      family: fc.constant(family),
      raw: fc.bigInt({ min: 0n, max: (1n << (family === 4 ? 32n : 128n)) - 1n }),
      bits: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
    }),
  )
  .map(({ family, raw, bits }): Prefix => ({ family, value: maskIp(family, raw, bits), bits }));

describe('properties', () => {
  test('parse(format(p)) round-trips', () => {
    fc.assert(fc.property(prefixArb, (p) => assert.deepEqual(parsePrefix(formatPrefix(p)), p)));
  });

  test('containment is reflexive', () => {
    fc.assert(fc.property(prefixArb, (p) => assert.ok(prefixContainsPrefix(p, p) && prefixesOverlap(p, p))));
  });

  test('containment is transitive (chains built by shortening a prefix)', () => {
    fc.assert(
      fc.property(prefixArb, fc.nat(), fc.nat(), (c, cut1, cut2) => {
        const bBits = c.bits - (cut1 % (c.bits + 1));
        const aBits = bBits - (cut2 % (bBits + 1));
        const b = { family: c.family, bits: bBits, value: maskIp(c.family, c.value, bBits) };
        const a = { family: c.family, bits: aBits, value: maskIp(c.family, c.value, aBits) };
        assert.ok(prefixContainsPrefix(a, b) && prefixContainsPrefix(b, c));
        assert.ok(prefixContainsPrefix(a, c));
      }),
    );
  });

  test('containment implies transitivity over random triples', () => {
    fc.assert(
      fc.property(prefixArb, prefixArb, prefixArb, (a, b, c) => {
        if (prefixContainsPrefix(a, b) && prefixContainsPrefix(b, c)) assert.ok(prefixContainsPrefix(a, c));
      }),
    );
  });

  test('an IP is in a prefix iff masking it gives the prefix value', () => {
    fc.assert(
      fc.property(prefixArb, fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (p, raw) => {
        const value = p.family === 4 ? raw & 0xffffffffn : raw;
        assert.equal(prefixContainsIp(p, p.family, value), maskIp(p.family, value, p.bits) === p.value);
        // and the prefix's own first and last addresses are always inside
        assert.ok(prefixContainsIp(p, p.family, p.value) && prefixContainsIp(p, p.family, prefixLast(p)));
      }),
    );
  });

  test('overlap is symmetric and agrees with range intersection', () => {
    fc.assert(
      fc.property(prefixArb, prefixArb, (a, b) => {
        assert.equal(prefixesOverlap(a, b), prefixesOverlap(b, a));
        const intersects = a.family === b.family && a.value <= prefixLast(b) && b.value <= prefixLast(a);
        assert.equal(prefixesOverlap(a, b), intersects);
      }),
    );
  });

  test('setting any host bit is rejected with the canonical suggestion', () => {
    fc.assert(
      fc.property(prefixArb, fc.nat(), (p, pick) => {
        const width = p.family === 4 ? 32 : 128;
        fc.pre(p.bits < width);
        const hostBit = 1n << BigInt(pick % (width - p.bits));
        const withHost = { ...p, value: p.value | hostBit };
        assert.ok(!hostBitsZero(p.family, withHost.value, p.bits));
        const shown = `${formatPrefix({ ...withHost, bits: width }).split('/')[0]}/${p.bits}`;
        const result = parsePrefix(shown);
        assert.ok(isPrefixError(result));
        assert.ok(result.error.endsWith(`(did you mean ${formatPrefix(p)}?)`));
      }),
    );
  });
});
