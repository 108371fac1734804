import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { ed25519PrivateKey, ed25519PublicKey, x25519PrivateKey, x25519PublicKey } from './native-curves.ts';

// RFC 8410 DER forms, the way these keys were imported before (and the reference here).
const der = (prefix: string, key: Uint8Array) => Buffer.concat([Buffer.from(prefix, 'hex'), key]);
const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ format: 'der', type: 'spki' });

test('keys imported from raw bytes equal the same keys imported from PKCS#8 / SPKI DER', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (raw) => {
      const edPkcs8 = createPrivateKey({
        key: der('302e020100300506032b657004220420', raw),
        format: 'der',
        type: 'pkcs8',
      });
      const xPkcs8 = createPrivateKey({
        key: der('302e020100300506032b656e04220420', raw),
        format: 'der',
        type: 'pkcs8',
      });
      assert.deepEqual(spki(createPublicKey(ed25519PrivateKey(raw))), spki(createPublicKey(edPkcs8)));
      assert.deepEqual(spki(createPublicKey(x25519PrivateKey(raw))), spki(createPublicKey(xPkcs8)));
      const edPublic = spki(createPublicKey(edPkcs8)).subarray(-32);
      assert.deepEqual(spki(ed25519PublicKey(edPublic)), spki(createPublicKey(edPkcs8)));
      assert.deepEqual(spki(x25519PublicKey(raw)).subarray(-32), Buffer.from(raw));
    }),
    { numRuns: 50 },
  );
});

test('a key of the wrong length is refused, naming the curve and the length', () => {
  assert.throws(() => ed25519PublicKey(new Uint8Array(31)), /Ed25519 public key must be 32 bytes, got 31/);
  assert.throws(() => x25519PrivateKey(new Uint8Array(33)), /X25519 private key must be 32 bytes, got 33/);
});
