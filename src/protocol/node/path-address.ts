// A physical (UDP) endpoint of a peer.
import { isIPv4 } from 'node:net';
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

/** The binary-encodable form (an IPv6 zone such as `%eth0` has no place on the wire). */
export function toInetAddress(path: PathAddress): InetAddress {
  return { family: pathFamily(path), ip: path.ip.split('%')[0]!, port: path.port };
}
