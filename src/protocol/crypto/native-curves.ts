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

// DER headers of PKCS#8 private and SPKI public keys for the two curves (RFC 8410); the raw 32-byte
// key follows each header.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKey(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI, publicKey]), format: 'der', type: 'spki' });
}

export function x25519PrivateKey(privateKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, privateKey]), format: 'der', type: 'pkcs8' });
}

export function x25519PublicKey(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI, publicKey]), format: 'der', type: 'spki' });
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
