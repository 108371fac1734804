// The `ipamChildSubnet` member variable: the deepest IPAM subnet strictly below the network's subnet
// that holds an IP. Null when the IP is outside the network's subnet or in no child of it.

import { parseIp, type ParsedIp } from '../cidr/ip.ts';
import { parseIpv4Number } from '../cidr/ipv4-number.ts';
import {
  isPrefixError,
  parsePrefix,
  prefixContainsPrefix,
  type Prefix,
  type PrefixError,
} from '../cidr/prefix.ts';
import type { IpamSubnet } from './ipam-types.ts';
import { SubnetIndex } from './subnet-index.ts';

export type ChildSubnetLookup = (networkSubnetPrefix: string, ip: string) => IpamSubnet | null;

/** Indexes the subnets once (a prefix trie) for many lookups, e.g. every member of a network. */
export function createChildSubnetLookup(subnets: readonly IpamSubnet[]): ChildSubnetLookup {
  const index = new SubnetIndex(subnets);
  // Callers ask for one network's members at a time: remember the last network prefix parsed.
  let lastText: string | undefined;
  let lastNetwork: Prefix | PrefixError = { error: '' };
  return (networkSubnetPrefix, ip) => {
    if (networkSubnetPrefix !== lastText) {
      lastText = networkSubnetPrefix;
      lastNetwork = parsePrefix(networkSubnetPrefix);
    }
    const network = lastNetwork;
    const v4 = parseIpv4Number(ip);
    const address: ParsedIp | undefined = v4 === undefined ? parseIp(ip) : { family: 4, value: BigInt(v4) };
    if (isPrefixError(network) || !address) return null;
    // Containing prefixes form a chain, so the longest match is the deepest holder overall; it is
    // the answer exactly when it lies strictly inside the network's subnet.
    const deepest = index.trie.longestMatch(address.family, address.value)?.value;
    if (!deepest || deepest.prefix.bits <= network.bits || !prefixContainsPrefix(network, deepest.prefix))
      return null;
    return deepest.subnet;
  };
}

/** One lookup; for many, build `createChildSubnetLookup` once. */
export function childSubnetOf(
  subnets: readonly IpamSubnet[],
  networkSubnetPrefix: string,
  ip: string,
): IpamSubnet | null {
  return createChildSubnetLookup(subnets)(networkSubnetPrefix, ip);
}
