// The IPv6 addresses ZeroTier derives from (network ID, member address) when the network enables
// the `rfc4193` or `6plane` assign mode (InetAddress::makeIpv6rfc4193 / makeIpv66plane). Members
// compute the same values, so these must match bit for bit.

import { formatIp } from '../cidr/ip.ts';
import { invalidField } from '../errors.ts';
import { isMemberAddress, isNetworkId } from '../network/network-id.ts';

function ids(networkId: string, address: string): { nwid: bigint; node: bigint } {
  if (!isNetworkId(networkId))
    throw invalidField('networkId', `${JSON.stringify(networkId)} is not a network ID`);
  if (!isMemberAddress(address))
    throw invalidField('address', `${JSON.stringify(address)} is not a member address`);
  return { nwid: BigInt(`0x${networkId}`), node: BigInt(`0x${address}`) };
}

/** `fd` + network ID (8 bytes) + `9993` + member address (5 bytes), as `…/88`. */
export function rfc4193Address(networkId: string, address: string): string {
  const { nwid, node } = ids(networkId, address);
  const value = (0xfdn << 120n) | (nwid << 56n) | (0x9993n << 40n) | node;
  return `${formatIp(6, value)}/88`;
}

/** `fc` + low 32 bits of (nwid XOR nwid>>32) + member address (5 bytes), zeros, last byte 1, as `…/40`. */
export function sixPlaneAddress(networkId: string, address: string): string {
  const { nwid, node } = ids(networkId, address);
  const folded = (nwid ^ (nwid >> 32n)) & 0xffffffffn;
  const value = (0xfcn << 120n) | (folded << 88n) | (node << 48n) | 1n;
  return `${formatIp(6, value)}/40`;
}
