// Packet encryption and authentication with Salsa20/12 + Poly1305 (PROTOCOL-NOTES §2.2). The
// key is the first 32 bytes of the peers' agreed key; each packet mangles it with its own header
// so that no two packets share a keystream.
import { constantTimeEqual } from './bytes.ts';
import { Salsa20 } from './crypto/salsa20.ts';
import { poly1305 } from './crypto/poly1305.ts';
import {
  Cipher,
  IDX_FLAGS,
  IDX_MAC,
  IDX_PACKET_ID,
  IDX_VERB,
  assertPacketLength,
  cipher,
  setCipher,
} from './packet.ts';

/** The per-packet key: packet id, addresses, flags without hops and the length folded into the key. */
export function mangleKey(key32: Uint8Array, packet: Uint8Array): Uint8Array {
  if (key32.length < 32) throw new Error(`packet key must be at least 32 bytes, got ${key32.length}`);
  const k = key32.slice(0, 32);
  for (let i = 0; i < IDX_FLAGS; i++) k[i] = k[i]! ^ packet[i]!;
  k[18] = k[18]! ^ (packet[IDX_FLAGS]! & 0xf8); // hops change in transit, so they are left out
  k[19] = k[19]! ^ (packet.length & 0xff);
  k[20] = k[20]! ^ ((packet.length >>> 8) & 0xff);
  return k;
}

/** Poly1305 tag over verb + payload; the stream continues at block 1 for the payload cipher. */
function startStream(key32: Uint8Array, packet: Uint8Array): { stream: Salsa20; macKey: Uint8Array } {
  const stream = new Salsa20(mangleKey(key32, packet), packet.subarray(IDX_PACKET_ID, IDX_PACKET_ID + 8), 12);
  stream.nextBlockWords();
  // Keystream bytes 0..31 are the one-time MAC key; 32..63 are unused.
  return { stream, macKey: stream.blockBytes.slice(0, 32) };
}

/**
 * Armors a plaintext packet in place: sets the cipher (0 = MAC only, used for HELLO; 1 = Salsa20/12
 * encryption of verb + payload), then writes the first 8 bytes of the Poly1305 tag into the MAC
 * field. `key32` is the agreed key (its first 32 bytes are used).
 */
export function armor(packet: Uint8Array, key32: Uint8Array, suite: 0 | 1): void {
  assertPacketLength(packet);
  setCipher(packet, suite); // before mangling: the flags are part of the key
  const { stream, macKey } = startStream(key32, packet);
  const body = packet.subarray(IDX_VERB);
  if (suite === Cipher.POLY1305_SALSA2012) stream.xor(body);
  packet.set(poly1305(macKey, body).subarray(0, 8), IDX_MAC);
}

/**
 * Checks the MAC (constant time) and decrypts in place for cipher 1. False, with the packet
 * left untouched, for a wrong MAC, a bad length or a cipher we do not speak (2 trusted path,
 * 3 AES-GMAC-SIV, which a peer only uses when we advertise protocol 12 or later).
 */
export function dearmor(packet: Uint8Array, key32: Uint8Array): boolean {
  try {
    assertPacketLength(packet);
  } catch {
    return false;
  }
  const suite = cipher(packet);
  if (suite !== Cipher.POLY1305_NONE && suite !== Cipher.POLY1305_SALSA2012) return false;
  const { stream, macKey } = startStream(key32, packet);
  const body = packet.subarray(IDX_VERB);
  const tag = poly1305(macKey, body).subarray(0, 8);
  if (!constantTimeEqual(tag, packet.subarray(IDX_MAC, IDX_MAC + 8))) return false;
  if (suite === Cipher.POLY1305_SALSA2012) stream.xor(body);
  return true;
}
