import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeIp } from 'ip-bigint';
import { canonicalIp, formatIp, parseIp } from './ip.ts';

describe('parseIp', () => {
  test('parses IPv4 dotted quads', () => {
    assert.deepEqual(parseIp('10.147.17.1'), { family: 4, value: 0x0a931101n });
    assert.deepEqual(parseIp('0.0.0.0'), { family: 4, value: 0n });
    assert.deepEqual(parseIp('255.255.255.255'), { family: 4, value: 0xffffffffn });
  });

  test('rejects ambiguous or malformed IPv4', () => {
    for (const bad of [
      '010.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '1.2.3.04',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1..2.3',
      '',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  test('parses IPv6 with ::, embedded IPv4 and any case', () => {
    assert.deepEqual(parseIp('::'), { family: 6, value: 0n });
    assert.deepEqual(parseIp('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseIp('1::'), { family: 6, value: 1n << 112n });
    assert.deepEqual(parseIp('FD00:1234::'), { family: 6, value: 0xfd001234n << 96n });
    assert.deepEqual(parseIp('::ffff:10.0.0.1'), { family: 6, value: 0xffff0a000001n });
    assert.deepEqual(parseIp('1:2:3:4:5:6:1.2.3.4'), parseIp('1:2:3:4:5:6:102:304'));
    assert.deepEqual(parseIp('1:2:3:4:5:6:7:8'), { family: 6, value: 0x00010002000300040005000600070008n });
  });

  test('rejects zones, prefixes, brackets and malformed IPv6', () => {
    for (const bad of [
      'fe80::1%eth0',
      'fd00::/64',
      '[::1]',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':1::',
      '1:::2',
      '12345::',
      'g::1',
      '1:2:3:4:5:6:7::8',
      '1.2.3.4::',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      '10.0.0.1/32',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });
});

describe('formatIp', () => {
  test('follows RFC 5952', () => {
    assert.equal(canonicalIp('FD00:1234:0000:0000:0000:0000:0000:0001'), 'fd00:1234::1');
    assert.equal(canonicalIp('1:0:2:3:4:5:6:7'), '1:0:2:3:4:5:6:7'); // one zero group is not compressed
    assert.equal(canonicalIp('1:0:0:2:0:0:0:3'), '1:0:0:2::3'); // the longest run wins
    assert.equal(canonicalIp('1:0:0:2:3:0:0:4'), '1::2:3:0:0:4'); // leftmost run on a tie
    assert.equal(canonicalIp('0:0:0:0:0:ffff:a00:1'), '::ffff:10.0.0.1');
    assert.equal(
      canonicalIp('fdf8:ea0e:7924:9a7b:4299:9343:e690:e007'),
      'fdf8:ea0e:7924:9a7b:4299:9343:e690:e007',
    );
  });

  test('rejects values that do not fit the family', () => {
    assert.throws(() => formatIp(4, 1n << 32n), RangeError);
    assert.throws(() => formatIp(6, -1n), RangeError);
  });
});

describe('properties', () => {
  const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
  const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  // Bias IPv6 towards zero runs so compression paths are exercised.
  const v6Sparse = fc
    .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
    .map((words) => words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n));

  test('parse(format(x)) === x', () => {
    fc.assert(
      fc.property(v4, (value) => assert.deepEqual(parseIp(formatIp(4, value)), { family: 4, value })),
    );
    fc.assert(
      fc.property(fc.oneof(v6, v6Sparse), (value) =>
        assert.deepEqual(parseIp(formatIp(6, value)), { family: 6, value }),
      ),
    );
  });

  test('IPv6 text agrees with ip-bigint (an independent RFC 5952 implementation)', () => {
    fc.assert(
      fc.property(fc.oneof(v6, v6Sparse), (value) => {
        const text = formatIp(6, value);
        assert.equal(text, normalizeIp(text));
        assert.equal(text, text.toLowerCase());
      }),
    );
  });

  test('canonical text is a fixed point', () => {
    fc.assert(
      fc.property(fc.oneof(v6, v6Sparse), (value) => {
        const text = formatIp(6, value);
        assert.equal(canonicalIp(text.toUpperCase()), text);
        assert.equal(canonicalIp(text), text);
      }),
    );
  });
});
