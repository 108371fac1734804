// ZeroTier packet header (PROTOCOL-NOTES §2.1): offsets, verbs, error codes and accessors on the
// raw bytes. Everything after the header (byte 27 onward) is covered by packet-armor.ts.
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from './bytes.ts';
import { lz4DecompressBlock } from './lz4.ts';

export const IDX_PACKET_ID = 0;
export const IDX_DESTINATION = 8;
export const IDX_SOURCE = 13;
export const IDX_FLAGS = 18;
export const IDX_MAC = 19;
export const IDX_VERB = 27;
export const IDX_PAYLOAD = 28;

export const MIN_PACKET_LENGTH = IDX_PAYLOAD;
/** 7 fragments × 1432 bytes (ZT_PROTO_MAX_PACKET_LENGTH): nothing larger is ever assembled. */
export const MAX_PACKET_LENGTH = 7 * 1432;
/** Fragments carry 0xff where a packet has the first byte of its source address. */
export const FRAGMENT_INDICATOR = 0xff;
export const IDX_FRAGMENT_INDICATOR = 13;
export const MAX_HOPS = 7;

export const FLAG_ENCRYPTED = 0x80; // deprecated, still set iff cipher 1
export const FLAG_FRAGMENTED = 0x40;
export const VERB_FLAG_COMPRESSED = 0x80;
const VERB_MASK = 0x1f;
const CIPHER_MASK = 0x38;
const HOPS_MASK = 0x07;

export const Cipher = {
  POLY1305_NONE: 0,
  POLY1305_SALSA2012: 1,
  NONE_TRUSTED_PATH: 2,
  AES_GMAC_SIV: 3,
} as const;
export type Cipher = (typeof Cipher)[keyof typeof Cipher];

export const Verb = {
  NOP: 0x00,
  HELLO: 0x01,
  ERROR: 0x02,
  OK: 0x03,
  WHOIS: 0x04,
  RENDEZVOUS: 0x05,
  FRAME: 0x06,
  EXT_FRAME: 0x07,
  ECHO: 0x08,
  MULTICAST_LIKE: 0x09,
  NETWORK_CREDENTIALS: 0x0a,
  NETWORK_CONFIG_REQUEST: 0x0b,
  NETWORK_CONFIG: 0x0c,
  MULTICAST_GATHER: 0x0d,
  MULTICAST_FRAME: 0x0e,
  PUSH_DIRECT_PATHS: 0x10,
  ACK: 0x12,
  QOS_MEASUREMENT: 0x13,
  USER_MESSAGE: 0x14,
  REMOTE_TRACE: 0x15,
  PATH_NEGOTIATION_REQUEST: 0x16,
} as const;
export type Verb = (typeof Verb)[keyof typeof Verb];

const VERB_NAMES = new Map<number, string>(Object.entries(Verb).map(([name, value]) => [value, name]));

/** Name of a verb number for logs and metrics, e.g. `NETWORK_CONFIG_REQUEST` or `UNKNOWN_0x1f`. */
export function verbName(verb: number): string {
  return VERB_NAMES.get(verb) ?? `UNKNOWN_0x${verb.toString(16).padStart(2, '0')}`;
}

export const ErrorCode = {
  INVALID_REQUEST: 0x01,
  BAD_PROTOCOL_VERSION: 0x02,
  OBJ_NOT_FOUND: 0x03,
  IDENTITY_COLLISION: 0x04,
  UNSUPPORTED_OPERATION: 0x05,
  NEED_MEMBERSHIP_CERTIFICATE: 0x06,
  NETWORK_ACCESS_DENIED: 0x07,
  UNWANTED_MULTICAST: 0x08,
  NETWORK_AUTHENTICATION_REQUIRED: 0x09,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A datagram long enough to be a fragment and marked as one (not a head packet). */
export function isFragment(data: Uint8Array): boolean {
  return data.length >= 16 && data[IDX_FRAGMENT_INDICATOR] === FRAGMENT_INDICATOR;
}

/** Throws unless `packet` can hold a full header (all accessors below assume it does). */
export function assertPacketLength(packet: Uint8Array): void {
  if (packet.length < MIN_PACKET_LENGTH) {
    throw new Error(`packet too short: ${packet.length} bytes, the header alone is ${MIN_PACKET_LENGTH}`);
  }
  if (packet.length > MAX_PACKET_LENGTH) {
    throw new Error(`packet too long: ${packet.length} bytes, at most ${MAX_PACKET_LENGTH}`);
  }
}

/** Packet id (also the Salsa20 nonce) as an unsigned 64-bit integer. */
export function packetId(packet: Uint8Array): bigint {
  return readUint64(packet, IDX_PACKET_ID);
}

export function destination(packet: Uint8Array): string {
  return toHex(packet.subarray(IDX_DESTINATION, IDX_DESTINATION + 5));
}

export function source(packet: Uint8Array): string {
  return toHex(packet.subarray(IDX_SOURCE, IDX_SOURCE + 5));
}

export function flags(packet: Uint8Array): number {
  return packet[IDX_FLAGS]!;
}

export function cipher(packet: Uint8Array): number {
  return (packet[IDX_FLAGS]! & CIPHER_MASK) >> 3;
}

/** Sets the cipher bits and keeps the deprecated "encrypted" flag consistent with them. */
export function setCipher(packet: Uint8Array, suite: number): void {
  let f = (packet[IDX_FLAGS]! & ~CIPHER_MASK & 0xff) | ((suite << 3) & CIPHER_MASK);
  f = suite === Cipher.POLY1305_SALSA2012 ? f | FLAG_ENCRYPTED : f & ~FLAG_ENCRYPTED;
  packet[IDX_FLAGS] = f;
}

export function hops(packet: Uint8Array): number {
  return packet[IDX_FLAGS]! & HOPS_MASK;
}

/** Hops are the only field a relay may change (the MAC does not cover them). */
export function setHops(packet: Uint8Array, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_HOPS)
    throw new RangeError(`hops must be 0..${MAX_HOPS}, got ${value}`);
  packet[IDX_FLAGS] = (packet[IDX_FLAGS]! & ~HOPS_MASK) | value;
}

/** Increments the hop count for relaying; false (unchanged) when it is already at the maximum. */
export function incrementHops(packet: Uint8Array): boolean {
  const h = hops(packet);
  if (h >= MAX_HOPS) return false;
  setHops(packet, h + 1);
  return true;
}

export function isFragmented(packet: Uint8Array): boolean {
  return (packet[IDX_FLAGS]! & FLAG_FRAGMENTED) !== 0;
}

/** The verb without the compression flag. Only meaningful once the packet is dearmored. */
export function verb(packet: Uint8Array): number {
  return packet[IDX_VERB]! & VERB_MASK;
}

export function isCompressed(packet: Uint8Array): boolean {
  return (packet[IDX_VERB]! & VERB_FLAG_COMPRESSED) !== 0;
}

/** The verb payload (a view, not a copy). */
export function payload(packet: Uint8Array): Uint8Array {
  return packet.subarray(IDX_PAYLOAD);
}

export interface PacketFields {
  destination: string;
  source: string;
  verb: number;
  payload?: Uint8Array;
  /** 8 bytes or a 64-bit integer; random when omitted (it is the encryption nonce: never reuse one). */
  packetId?: Uint8Array | bigint;
}

/** A plaintext packet: header with flags, hops and MAC zero, ready for `armor()`. */
export function buildPacket(fields: PacketFields): Uint8Array {
  const body = fields.payload ?? new Uint8Array(0);
  const packet = new Uint8Array(IDX_PAYLOAD + body.length);
  if (fields.packetId === undefined) packet.set(randomBytes(8), IDX_PACKET_ID);
  else if (typeof fields.packetId === 'bigint') writeUint64(packet, IDX_PACKET_ID, fields.packetId);
  else if (fields.packetId.length === 8) packet.set(fields.packetId, IDX_PACKET_ID);
  else throw new Error(`packet id must be 8 bytes, got ${fields.packetId.length}`);
  packet.set(fromHex(fields.destination, 'destination address', 5), IDX_DESTINATION);
  packet.set(fromHex(fields.source, 'source address', 5), IDX_SOURCE);
  if (!Number.isInteger(fields.verb) || fields.verb < 0 || fields.verb > VERB_MASK)
    throw new RangeError(`verb must be 0..31, got ${fields.verb}`);
  packet[IDX_VERB] = fields.verb;
  packet.set(body, IDX_PAYLOAD);
  assertPacketLength(packet);
  return packet;
}

/**
 * A dearmored packet with its payload LZ4-decompressed and the compression flag cleared (a new
 * array), or the same array when it was not compressed. Throws on a malformed or oversized
 * payload (the result never exceeds MAX_PACKET_LENGTH, like ZeroTier's receive buffer).
 */
export function uncompressPacket(packet: Uint8Array): Uint8Array {
  assertPacketLength(packet);
  if (!isCompressed(packet)) return packet;
  const plain = lz4DecompressBlock(payload(packet), MAX_PACKET_LENGTH - IDX_PAYLOAD);
  const out = new Uint8Array(IDX_PAYLOAD + plain.length);
  out.set(packet.subarray(0, IDX_PAYLOAD));
  out[IDX_VERB] = packet[IDX_VERB]! & ~VERB_FLAG_COMPRESSED;
  out.set(plain, IDX_PAYLOAD);
  return out;
}

export function readUint64(data: Uint8Array, offset: number): bigint {
  if (offset < 0 || offset + 8 > data.length)
    throw new RangeError(`uint64 at ${offset} is past the end (${data.length} bytes)`);
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(offset, false);
}

export function writeUint64(data: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value > 0xffffffffffffffffn)
    throw new RangeError(`not an unsigned 64-bit value: ${value}`);
  new DataView(data.buffer, data.byteOffset, data.byteLength).setBigUint64(offset, value, false);
}
