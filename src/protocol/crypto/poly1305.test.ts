import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poly1305 } from './poly1305.ts';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';

test('Poly1305 matches RFC 8439 §2.5.2', () => {
  const key = hexToBytes('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
  const msg = new TextEncoder().encode('Cryptographic Forum Research Group');
  assert.equal(bytesToHex(poly1305(key, msg)), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('Poly1305 rejects a key of the wrong size', () => {
  assert.throws(() => poly1305(new Uint8Array(16), new Uint8Array(1)), /key must be 32 bytes/);
});
