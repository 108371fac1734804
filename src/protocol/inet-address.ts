// ZeroTier's binary InetAddress (PROTOCOL-NOTES §2.6): 0x04 <4 ip><2 port> | 0x06 <16 ip><2 port>
// | 0x00 nil. In netconf routes and static IPs the "port" carries the prefix length.
import { isIPv4, isIPv6 } from 'node:net';
import { parseIp, stringifyIp } from 'ip-bigint';

export interface InetAddress {
  family: 4 | 6;
  /** Dotted quad, or compressed lower-case IPv6 text (RFC 5952; mapped IPv4 as ::ffff:a.b.c.d). */
  ip: string;
  port: number;
}

export const INET_NIL = 0x00;
export const INET_V4 = 0x04;
export const INET_V6 = 0x06;

/** Bytes `address` takes when encoded (1 for nil). */
export function inetAddressLength(address: InetAddress | null): number {
  return address === null ? 1 : address.family === 4 ? 7 : 19;
}

/** Encodes an address, or the 1-byte nil form for null. Throws for a malformed IP or port. */
export function encodeInetAddress(address: InetAddress | null): Uint8Array {
  if (address === null) return Uint8Array.of(INET_NIL);
  const { family, ip, port } = address;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`port must be 0..65535, got ${port}`);
  if (family === 4 && !isIPv4(ip)) throw new Error(`not an IPv4 address: "${ip}"`);
  if (family === 6 && (!isIPv6(ip) || ip.includes('%'))) throw new Error(`not an IPv6 address: "${ip}"`);
  if (family !== 4 && family !== 6) throw new Error(`address family must be 4 or 6, got ${String(family)}`);
  const size = family === 4 ? 4 : 16;
  const out = new Uint8Array(1 + size + 2);
  out[0] = family === 4 ? INET_V4 : INET_V6;
  let n = parseIp(ip).number;
  for (let i = size; i >= 1; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  out[size + 1] = port >>> 8;
  out[size + 2] = port & 0xff;
  return out;
}

/**
 * Decodes the address at `offset`: `{ address, length }` where address is null for nil and for
 * the types ZeroTier skips for forward compatibility (1, 2: 6 bytes; 3: length-prefixed).
 * Throws for an unknown type or truncated data.
 */
export function decodeInetAddress(
  data: Uint8Array,
  offset = 0,
): { address: InetAddress | null; length: number } {
  if (offset >= data.length) throw new Error(`InetAddress truncated: no type byte at ${offset}`);
  const type = data[offset]!;
  const need = (length: number) => {
    if (offset + length > data.length)
      throw new Error(
        `InetAddress type ${type} truncated: needs ${length} bytes at ${offset}, have ${data.length - offset}`,
      );
  };
  switch (type) {
    case INET_NIL:
      return { address: null, length: 1 };
    case 0x01: // Ethernet
    case 0x02: // Bluetooth
      need(7);
      return { address: null, length: 7 };
    case 0x03: {
      need(3);
      const length = 3 + ((data[offset + 1]! << 8) | data[offset + 2]!);
      need(length);
      return { address: null, length };
    }
    case INET_V4:
    case INET_V6: {
      const size = type === INET_V4 ? 4 : 16;
      need(1 + size + 2);
      let n = 0n;
      for (let i = 1; i <= size; i++) n = (n << 8n) | BigInt(data[offset + i]!);
      const family = type === INET_V4 ? 4 : 6;
      // IPv4-mapped IPv6 prints as ::ffff:a.b.c.d, like inet_ntop (and so ZeroTier) does.
      const ipv4mapped = family === 6 && n >> 32n === 0xffffn;
      const ip = stringifyIp({ number: n, version: family, ipv4mapped }, { compress: true });
      const port = (data[offset + 1 + size]! << 8) | data[offset + 2 + size]!;
      return { address: { family, ip, port }, length: 1 + size + 2 };
    }
    default:
      throw new Error(`InetAddress has unknown type 0x${type.toString(16).padStart(2, '0')} at ${offset}`);
  }
}
