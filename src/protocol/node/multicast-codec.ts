// MULTICAST_LIKE `(<8 nwid><6 mac><4 adi>)*`, MULTICAST_GATHER `<8 nwid><1 flags><6 mac><4 adi>
// <4 limit>[COM]` and OK(MULTICAST_GATHER) `<8 nwid><6 mac><4 adi><4 total known><2 n><5 address>*n`
// (PROTOCOL-NOTES §2.10). Network ids and MACs are lower-case hex strings, as in the JSON API.
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { ADDRESS_LENGTH } from '../identity.ts';
import { Verb } from '../packet.ts';
import { encodeOk } from './reply-codec.ts';

export interface MulticastGroup {
  /** 16 hex digits. */
  nwid: string;
  /** 12 hex digits. */
  mac: string;
  /** Additional distinguishing information (the IPv4 address for ARP groups), unsigned 32-bit. */
  adi: number;
}

export interface MulticastGather extends MulticastGroup {
  flags: number;
  limit: number;
}

export interface OkMulticastGather extends MulticastGroup {
  totalKnown: number;
  members: string[];
}

const LIKE_LENGTH = 18;
const GATHER_LENGTH = 23;

function writeGroup(out: Uint8Array, at: number, g: MulticastGroup, withFlags?: number): number {
  out.set(fromHex(g.nwid, 'network id', 8), at);
  at += 8;
  if (withFlags !== undefined) out[at++] = withFlags;
  out.set(fromHex(g.mac, 'multicast MAC', 6), at);
  new DataView(out.buffer, out.byteOffset).setUint32(at + 6, g.adi >>> 0, false);
  return at + 10;
}

function readGroup(
  p: Uint8Array,
  at: number,
  hasFlags: boolean,
): MulticastGroup & { flags: number; next: number } {
  const nwid = toHex(p.subarray(at, at + 8));
  at += 8;
  const flags = hasFlags ? p[at++]! : 0;
  const mac = toHex(p.subarray(at, at + 6));
  const adi = new DataView(p.buffer, p.byteOffset).getUint32(at + 6, false);
  return { nwid, mac, adi, flags, next: at + 10 };
}

export function encodeMulticastLike(groups: readonly MulticastGroup[]): Uint8Array {
  const out = new Uint8Array(groups.length * LIKE_LENGTH);
  groups.forEach((g, i) => writeGroup(out, i * LIKE_LENGTH, g));
  return out;
}

/** Every complete 18-byte tuple; trailing bytes are ignored. */
export function parseMulticastLike(payload: Uint8Array): MulticastGroup[] {
  const out: MulticastGroup[] = [];
  for (let at = 0; at + LIKE_LENGTH <= payload.length; at += LIKE_LENGTH) {
    const { nwid, mac, adi } = readGroup(payload, at, false);
    out.push({ nwid, mac, adi });
  }
  return out;
}

/** A gather without a certificate of membership (flags bit 0 says one follows). */
export function encodeMulticastGather(g: MulticastGather, com?: Uint8Array): Uint8Array {
  const out = new Uint8Array(GATHER_LENGTH);
  const at = writeGroup(out, 0, g, com ? g.flags | 0x01 : g.flags & ~0x01);
  new DataView(out.buffer).setUint32(at, g.limit >>> 0, false);
  return com ? concatBytes(out, com) : out;
}

/** Throws when truncated; an attached certificate is left unread. */
export function parseMulticastGather(payload: Uint8Array): MulticastGather {
  if (payload.length < GATHER_LENGTH) throw new Error(`MULTICAST_GATHER too short: ${payload.length} bytes`);
  const { nwid, mac, adi, flags, next } = readGroup(payload, 0, true);
  const limit = new DataView(payload.buffer, payload.byteOffset).getUint32(next, false);
  return { nwid, mac, adi, flags, limit };
}

/** The full OK payload answering a gather. */
export function encodeOkMulticastGather(inRePacketId: bigint, r: OkMulticastGather): Uint8Array {
  const body = new Uint8Array(18 + 6 + r.members.length * ADDRESS_LENGTH);
  let at = writeGroup(body, 0, r);
  const view = new DataView(body.buffer);
  view.setUint32(at, r.totalKnown >>> 0, false);
  view.setUint16(at + 4, r.members.length, false);
  at += 6;
  for (const m of r.members) {
    body.set(fromHex(m, 'member address', ADDRESS_LENGTH), at);
    at += ADDRESS_LENGTH;
  }
  return encodeOk(Verb.MULTICAST_GATHER, inRePacketId, body);
}

/** Parses what follows the in-re fields of OK(MULTICAST_GATHER); throws when truncated. */
export function parseOkMulticastGather(body: Uint8Array): OkMulticastGather {
  if (body.length < 24) throw new Error(`OK(MULTICAST_GATHER) too short: ${body.length} bytes`);
  const { nwid, mac, adi, next } = readGroup(body, 0, false);
  const view = new DataView(body.buffer, body.byteOffset);
  const totalKnown = view.getUint32(next, false);
  const count = view.getUint16(next + 4, false);
  const start = next + 6;
  if (start + count * ADDRESS_LENGTH > body.length)
    throw new Error(`OK(MULTICAST_GATHER) announces ${count} members but holds fewer`);
  const members: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * ADDRESS_LENGTH;
    members.push(toHex(body.subarray(at, at + ADDRESS_LENGTH)));
  }
  return { nwid, mac, adi, totalKnown, members };
}
