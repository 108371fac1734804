// Ed25519 and X25519 through node:crypto (OpenSSL): an order of magnitude faster than pure JS here,
// and every config a controller sends carries three or more signatures. Keys are turned into
// KeyObjects once and cached by the caller. Results are identical to RFC 8032 / RFC 7748, which the
// identity vectors pin.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

// Raw keys go in as JWK: OpenSSL's DER decoders cost ~10 times more here (an X25519 public key
// 115 µs from SPKI, 13 µs from JWK; a private key 405 µs from PKCS#8, 55 µs from JWK), and a
// controller makes one for every new peer. For a private key OpenSSL derives the public half from
// `d`, so `x` is left empty.
type Curve = 'Ed25519' | 'X25519';

function raw32(key: Uint8Array, what: string): string {
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes, got ${key.length}`);
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('base64url');
}

function privateKey(crv: Curve, d: Uint8Array): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv, d: raw32(d, `${crv} private key`), x: '' },
    format: 'jwk',
  });
}

function publicKey(crv: Curve, x: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: raw32(x, `${crv} public key`) }, format: 'jwk' });
}

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return privateKey('Ed25519', seed);
}

export function ed25519PublicKey(key: Uint8Array): KeyObject {
  return publicKey('Ed25519', key);
}

export function x25519PrivateKey(key: Uint8Array): KeyObject {
  return privateKey('X25519', key);
}

export function x25519PublicKey(key: Uint8Array): KeyObject {
  return publicKey('X25519', key);
}

export function ed25519Sign(message: Uint8Array, key: KeyObject): Uint8Array {
  return new Uint8Array(sign(null, message, key));
}

export function ed25519Verify(message: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  return verify(null, message, key, signature);
}

export function x25519SharedSecret(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

export function sha512Native(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(data).digest());
}
