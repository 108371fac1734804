// RENDEZVOUS `<1 flags><5 address><2 port><1 ip length 4|16><ip>`: a root telling a peer where
// another peer can be reached directly (Peer::introduce in ZeroTier).
import { isIPv4 } from 'node:net';
import { fromHex, toHex } from '../bytes.ts';
import { ADDRESS_LENGTH } from '../identity.ts';
import { decodeInetAddress, encodeInetAddress } from '../inet-address.ts';

export interface Rendezvous {
  address: string;
  ip: string;
  port: number;
}

export function encodeRendezvous(r: Rendezvous): Uint8Array {
  // InetAddress's encoding holds the raw ip bytes; only its layout differs here.
  const family = isIPv4(r.ip) ? 4 : 6;
  const inet = encodeInetAddress({ family, ip: r.ip, port: r.port });
  const ipLength = family === 4 ? 4 : 16;
  const out = new Uint8Array(1 + ADDRESS_LENGTH + 2 + 1 + ipLength);
  out.set(fromHex(r.address, 'RENDEZVOUS address', ADDRESS_LENGTH), 1);
  out[6] = (r.port >>> 8) & 0xff;
  out[7] = r.port & 0xff;
  out[8] = ipLength;
  out.set(inet.subarray(1, 1 + ipLength), 9);
  return out;
}

/** Undefined when truncated, for a port of 0 or an ip length other than 4 or 16 (ZeroTier ignores those). */
export function parseRendezvous(payload: Uint8Array): Rendezvous | undefined {
  if (payload.length < 9) return undefined;
  const port = (payload[6]! << 8) | payload[7]!;
  const ipLength = payload[8]!;
  if (port === 0 || (ipLength !== 4 && ipLength !== 16) || payload.length < 9 + ipLength) return undefined;
  const inet = new Uint8Array(1 + ipLength + 2);
  inet[0] = ipLength === 4 ? 0x04 : 0x06;
  inet.set(payload.subarray(9, 9 + ipLength), 1);
  inet[1 + ipLength] = payload[6]!;
  inet[2 + ipLength] = payload[7]!;
  const { address } = decodeInetAddress(inet);
  if (!address) return undefined;
  return { address: toHex(payload.subarray(1, 1 + ADDRESS_LENGTH)), ip: address.ip, port };
}
