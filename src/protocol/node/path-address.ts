// A physical (UDP) endpoint of a peer.
import { isIP, isIPv4 } from 'node:net';
import type { InetAddress } from '../inet-address.ts';

export interface PathAddress {
  /** Dotted quad or IPv6 text as the socket reports it. */
  ip: string;
  port: number;
}

export function pathFamily(path: PathAddress): 4 | 6 {
  return isIPv4(path.ip) ? 4 : 6;
}

/** `ip/port`, the form ZeroTier's JSON API uses; also our map key. */
export function pathKey(path: PathAddress): string {
  return `${path.ip}/${path.port}`;
}

/** Reads `ip/port` back (pathKey's form, as member presence stores it); undefined when malformed. */
export function parsePathKey(text: string): PathAddress | undefined {
  const slash = text.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const ip = text.slice(0, slash).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(slash + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !isIP(ip.split('%')[0]!)) return undefined;
  return { ip, port };
}

/** The binary-encodable form (an IPv6 zone such as `%eth0` has no place on the wire). */
export function toInetAddress(path: PathAddress): InetAddress {
  return { family: pathFamily(path), ip: path.ip.split('%')[0]!, port: path.port };
}
