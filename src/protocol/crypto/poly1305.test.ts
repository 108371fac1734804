import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';
import fc from 'fast-check';
import { poly1305 } from './poly1305.ts';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';

test('Poly1305 matches RFC 8439 §2.5.2', () => {
  const key = hexToBytes('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
  const msg = new TextEncoder().encode('Cryptographic Forum Research Group');
  assert.equal(bytesToHex(poly1305(key, msg)), 'a8061dc1305136c6c22b8baf0c0127a9');
});

// RFC 8439 appendix A.3: the edge cases of the final reduction and of carries.
const A3: Array<[key: string, message: string, tag: string]> = [
  ['00'.repeat(32), '00'.repeat(64), '00'.repeat(16)],
  // #5: r = 2, s = 0, h wraps at 2^130 − 5
  ['02' + '00'.repeat(31), 'ff'.repeat(16), '03' + '00'.repeat(15)],
  // #6: s pushes the tag past 2^128
  ['02' + '00'.repeat(15) + 'ff'.repeat(16), '02' + '00'.repeat(15), '03' + '00'.repeat(15)],
  // #7
  [
    '01' + '00'.repeat(31),
    'ff'.repeat(16) + 'f0' + 'ff'.repeat(15) + '11' + '00'.repeat(15),
    '05' + '00'.repeat(15),
  ],
  // #8
  ['01' + '00'.repeat(31), 'ff'.repeat(16) + 'fb' + 'fe'.repeat(15) + '01'.repeat(16), '00'.repeat(16)],
  // #9
  ['02' + '00'.repeat(31), 'fd' + 'ff'.repeat(15), 'fa' + 'ff'.repeat(15)],
];

test('Poly1305 matches the RFC 8439 appendix A.3 edge cases', () => {
  for (const [key, message, tag] of A3) {
    assert.equal(bytesToHex(poly1305(hexToBytes(key), hexToBytes(message))), tag, `key ${key.slice(0, 8)}…`);
  }
});

test('Poly1305 equals @noble/ciphers for random keys and every length up to three blocks and beyond', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.oneof(fc.uint8Array({ maxLength: 48 }), fc.uint8Array({ maxLength: 1500 })),
      (key, message) => {
        assert.equal(bytesToHex(poly1305(key, message)), bytesToHex(noblePoly1305(message, key)));
      },
    ),
    { numRuns: 2000 },
  );
  // Saturated inputs drive every limb to its largest value.
  const ones = new Uint8Array(32).fill(0xff);
  for (const length of [15, 16, 17, 1024]) {
    const message = new Uint8Array(length).fill(0xff);
    assert.equal(bytesToHex(poly1305(ones, message)), bytesToHex(noblePoly1305(message, ones)));
  }
});

test('Poly1305 rejects a key of the wrong size', () => {
  assert.throws(() => poly1305(new Uint8Array(16), new Uint8Array(1)), /key must be 32 bytes/);
});
