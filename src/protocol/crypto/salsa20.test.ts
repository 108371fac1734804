import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createCipher } from '@noble/ciphers/_arx.js';
import { salsa20 as nobleSalsa20, __TESTS } from '@noble/ciphers/salsa.js';
import { Salsa20, salsaCore } from './salsa20.ts';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';

// Independent reference for the reduced-round variants: noble's own core driven with other round counts.
const nobleSalsa = (rounds: number) =>
  createCipher(__TESTS.salsaCore, { allowShortKeys: true, counterRight: true, rounds });

test('Salsa20/20 matches the eSTREAM verified vector (256-bit key, set 1, vector 0)', () => {
  const key = new Uint8Array(32);
  key[0] = 0x80;
  const ks = new Salsa20(key, new Uint8Array(8), 20).keystream(64);
  assert.equal(
    bytesToHex(ks),
    'e3be8fdd8beca2e3ea8ef9475b29a6e7003951e1097a5c38d23b7a5fad9f6844' +
      'b22c97559e2723c7cbbd3fe4fc8d9a0744652a83e72a9c461876af4d7ef1a117',
  );
});

test('Salsa20/20 equals @noble/ciphers salsa20 for random keys, nonces and split points', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      fc.nat(300),
      (key, nonce, data, split) => {
        const cut = Math.min(split, data.length);
        const ours = data.slice();
        const s = new Salsa20(key, nonce, 20);
        // Two calls must continue one keystream, including across a partial block.
        s.xor(ours, 0, cut);
        s.xor(ours, cut);
        assert.equal(bytesToHex(ours), bytesToHex(nobleSalsa20(key, nonce, data)));
      },
    ),
    { numRuns: 200 },
  );
});

test('Salsa20/12 and /8 equal noble’s core run with the same round count', () => {
  for (const rounds of [12, 8] as const) {
    const ref = nobleSalsa(rounds);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        (key, nonce, data) => {
          const ours = data.slice();
          new Salsa20(key, nonce, rounds).xor(ours);
          assert.equal(bytesToHex(ours), bytesToHex(ref(key, nonce, data)));
        },
      ),
      { numRuns: 100 },
    );
  }
  // 12 rounds really differs from 20 (guards against the parameter being ignored).
  const key = hexToBytes('11'.repeat(32));
  const nonce = hexToBytes('22'.repeat(8));
  assert.notEqual(
    bytesToHex(new Salsa20(key, nonce, 12).keystream(64)),
    bytesToHex(new Salsa20(key, nonce, 20).keystream(64)),
  );
});

test('the 64-bit block counter carries into the high word', () => {
  const key = hexToBytes('01'.repeat(32));
  const nonce = hexToBytes('02'.repeat(8));
  const s = new Salsa20(key, nonce, 20);
  const state = (s as unknown as { state: Uint32Array }).state;
  const expectBlock = (lo: number, hi: number): string => {
    const input = state.slice();
    input[8] = lo;
    input[9] = hi;
    const out = new Uint32Array(16);
    salsaCore(input, out, 20);
    return bytesToHex(new Uint8Array(out.buffer));
  };
  state[8] = 0xffffffff;
  const first = expectBlock(0xffffffff, 0);
  const second = expectBlock(0, 1);
  const ks = s.keystream(128);
  assert.equal(bytesToHex(ks.subarray(0, 64)), first);
  assert.equal(bytesToHex(ks.subarray(64)), second);
  assert.notEqual(first, second);
});

test('rejects wrong key and nonce sizes', () => {
  assert.throws(() => new Salsa20(new Uint8Array(16), new Uint8Array(8), 20), /key must be 32 bytes/);
  assert.throws(() => new Salsa20(new Uint8Array(32), new Uint8Array(12), 12), /nonce must be 8 bytes/);
});
