// HELLO and OK(HELLO) payloads (PROTOCOL-NOTES §2.2.5, §2.5). HELLO travels with cipher 0 (MAC
// only), so the part after the planet timestamp (the moon list) is hidden with its own Salsa20/12
// stream keyed by the agreed key and the packet id.
import { Salsa20 } from '../crypto/salsa20.ts';
import { Identity } from '../identity.ts';
import { type InetAddress, decodeInetAddress, encodeInetAddress } from '../inet-address.ts';
import { IDX_PACKET_ID, IDX_PAYLOAD, Verb, buildPacket, readUint64, writeUint64 } from '../packet.ts';
import { concatBytes } from '../bytes.ts';
import { encodeOk } from './reply-codec.ts';

export interface HelloMoon {
  type: number;
  id: bigint;
  timestamp: bigint;
}

export interface HelloFields {
  protocol: number;
  major: number;
  minor: number;
  revision: number;
  /** Sender's clock in ms, echoed in OK(HELLO) so the sender can measure latency. */
  timestamp: bigint;
  identity: Identity;
  /** Where the sender sent this HELLO (absent from very old senders; null = nil address). */
  sentTo?: InetAddress | null;
  planetId?: bigint;
  planetTimestamp?: bigint;
  /** Only known when the tail was decrypted (a key was given to parseHello). */
  moons?: HelloMoon[];
}

const FIXED_LENGTH = 1 + 1 + 1 + 2 + 8;

/** XORs `packet[start…end]` with the HELLO tail stream: key[0:32], nonce = packet id with its 3 low bits cleared. */
export function cryptHelloTail(packet: Uint8Array, start: number, key: Uint8Array): void {
  const nonce = packet.slice(IDX_PACKET_ID, IDX_PACKET_ID + 8);
  nonce[7] = nonce[7]! & 0xf8;
  new Salsa20(key.subarray(0, 32), nonce, 12).xor(packet, start, packet.length - start);
}

/**
 * A plaintext HELLO packet (header + payload, moon list already hidden), ready for
 * `armor(packet, key, 0)`. `fields.identity` is serialised without its secret.
 */
export function buildHelloPacket(options: {
  destination: string;
  fields: HelloFields;
  key: Uint8Array;
  packetId?: bigint | Uint8Array;
}): Uint8Array {
  const f = options.fields;
  const fixed = new Uint8Array(FIXED_LENGTH);
  fixed[0] = f.protocol;
  fixed[1] = f.major;
  fixed[2] = f.minor;
  fixed[3] = (f.revision >>> 8) & 0xff;
  fixed[4] = f.revision & 0xff;
  writeUint64(fixed, 5, f.timestamp);
  const planet = new Uint8Array(16);
  writeUint64(planet, 0, f.planetId ?? 0n);
  writeUint64(planet, 8, f.planetTimestamp ?? 0n);
  const moons = f.moons ?? [];
  const tail = new Uint8Array(2 + moons.length * 17);
  tail[0] = (moons.length >>> 8) & 0xff;
  tail[1] = moons.length & 0xff;
  moons.forEach((m, i) => {
    tail[2 + i * 17] = m.type;
    writeUint64(tail, 3 + i * 17, m.id);
    writeUint64(tail, 11 + i * 17, m.timestamp);
  });
  const payload = concatBytes(
    fixed,
    f.identity.toBinary(false),
    encodeInetAddress(f.sentTo ?? null),
    planet,
    tail,
  );
  const packet = buildPacket({
    destination: options.destination,
    source: f.identity.address,
    verb: Verb.HELLO,
    payload,
    packetId: options.packetId,
  });
  cryptHelloTail(packet, packet.length - tail.length, options.key);
  return packet;
}

/**
 * Parses the payload of a dearmored HELLO packet (the whole packet, header included, because the
 * tail's stream depends on the packet id). With `key` the moon list is decrypted on a copy; a
 * malformed tail is ignored, as ZeroTier does. Throws when the fixed part or identity is malformed.
 */
export function parseHello(packet: Uint8Array, key?: Uint8Array): HelloFields {
  const p = packet.subarray(IDX_PAYLOAD);
  if (p.length < FIXED_LENGTH) throw new Error(`HELLO too short: ${p.length} bytes of payload`);
  const { identity, length } = Identity.fromBinary(p, FIXED_LENGTH);
  const fields: HelloFields = {
    protocol: p[0]!,
    major: p[1]!,
    minor: p[2]!,
    revision: (p[3]! << 8) | p[4]!,
    timestamp: readUint64(p, 5),
    identity,
  };
  let at = FIXED_LENGTH + length;
  if (at < p.length) {
    const sentTo = decodeInetAddress(p, at);
    fields.sentTo = sentTo.address;
    at += sentTo.length;
  }
  if (at + 16 <= p.length) {
    fields.planetId = readUint64(p, at);
    fields.planetTimestamp = readUint64(p, at + 8);
    at += 16;
  }
  if (key && at < p.length) {
    const tail = packet.slice(IDX_PAYLOAD + at);
    const copy = concatBytes(packet.subarray(0, 8), tail); // the stream only needs the packet id
    cryptHelloTail(copy, 8, key);
    fields.moons = parseMoons(copy.subarray(8));
  } else if (key) {
    fields.moons = [];
  }
  return fields;
}

function parseMoons(tail: Uint8Array): HelloMoon[] {
  const moons: HelloMoon[] = [];
  if (tail.length < 2) return moons;
  const count = (tail[0]! << 8) | tail[1]!;
  for (let i = 0, at = 2; i < count && at + 17 <= tail.length; i++, at += 17) {
    moons.push({ type: tail[at]!, id: readUint64(tail, at + 1), timestamp: readUint64(tail, at + 9) });
  }
  return moons;
}

export interface OkHelloFields {
  /** The HELLO's timestamp, echoed. */
  timestamp: bigint;
  protocol: number;
  major: number;
  minor: number;
  revision: number;
  /** The address we saw the HELLO come from (the peer's external surface). */
  observed: InetAddress | null;
  /** Serialised planet/moon updates (empty unless the peer's planet is older than ours). */
  worlds?: Uint8Array;
}

/** The full OK payload: `<1 verb=HELLO><8 in-re><8 ts><1 proto><1 major><1 minor><2 rev><addr><2 len><worlds>`. */
export function encodeOkHello(inRePacketId: bigint, f: OkHelloFields): Uint8Array {
  const worlds = f.worlds ?? new Uint8Array(0);
  const head = new Uint8Array(8 + 5);
  writeUint64(head, 0, f.timestamp);
  head[8] = f.protocol;
  head[9] = f.major;
  head[10] = f.minor;
  head[11] = (f.revision >>> 8) & 0xff;
  head[12] = f.revision & 0xff;
  const worldsLength = Uint8Array.of((worlds.length >>> 8) & 0xff, worlds.length & 0xff);
  return encodeOk(
    Verb.HELLO,
    inRePacketId,
    concatBytes(head, encodeInetAddress(f.observed), worldsLength, worlds),
  );
}

/** Parses what follows the in-re fields of OK(HELLO). Throws when the fixed part is truncated. */
export function parseOkHello(body: Uint8Array): OkHelloFields {
  if (body.length < 13) throw new Error(`OK(HELLO) too short: ${body.length} bytes`);
  const fields: OkHelloFields = {
    timestamp: readUint64(body, 0),
    protocol: body[8]!,
    major: body[9]!,
    minor: body[10]!,
    revision: (body[11]! << 8) | body[12]!,
    observed: null,
  };
  let at = 13;
  if (at < body.length) {
    const observed = decodeInetAddress(body, at);
    fields.observed = observed.address;
    at += observed.length;
  }
  if (at + 2 <= body.length) {
    const length = (body[at]! << 8) | body[at + 1]!;
    fields.worlds = body.subarray(at + 2, Math.min(body.length, at + 2 + length));
  }
  return fields;
}
