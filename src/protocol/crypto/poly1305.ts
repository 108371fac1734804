// Poly1305 one-time authenticator (RFC 8439 §2.5) from @noble/ciphers, behind our own signature.
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';

export const POLY1305_KEY_LENGTH = 32;
export const POLY1305_TAG_LENGTH = 16;

/** The 16-byte tag of `message` under a one-time 32-byte key. */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== POLY1305_KEY_LENGTH) throw new Error(`Poly1305 key must be 32 bytes, got ${key.length}`);
  return noblePoly1305(message, key);
}
