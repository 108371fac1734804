// The nested view of an IPAM branch with how full each subnet is. Sizes reach 2^128, which no double
// holds exactly: IPv4 sizes are numbers (at most 2^32), IPv6 sizes are exact decimal strings, and
// every node also carries `sizeLog2` (host bits) for charts. `ratio` is a double in both families.

import { notFound } from '../errors.ts';
import { parseIp, type IpFamily } from '../cidr/ip.ts';
import { prefixLast, type Prefix } from '../cidr/prefix.ts';
import { prefixHostBits, prefixSize } from '../cidr/prefix-order.ts';
import type { IpamSubnet } from './ipam-types.ts';
import { SubnetIndex, type IndexedSubnet } from './subnet-index.ts';

export interface SubnetUtilisation {
  /** Distinct assigned member IPs inside the subnet, its descendants included. */
  used: number;
  /** Addresses the prefix covers (network and broadcast included): a number for IPv4, a string for IPv6. */
  size: number | string;
  sizeLog2: number;
  /** used / size. */
  ratio: number;
}

export interface SubnetTreeNode {
  id: string;
  prefix: string;
  name: string;
  networkId: string | null;
  utilisation: SubnetUtilisation;
  children: SubnetTreeNode[];
}

/** Sorted, distinct address values per family, for range counts by binary search. */
function sortedAddresses(ips: Iterable<string>): Record<IpFamily, bigint[]> {
  const sets: Record<IpFamily, Set<bigint>> = { 4: new Set(), 6: new Set() };
  for (const text of ips) {
    const ip = parseIp(text);
    if (ip) sets[ip.family].add(ip.value); // anything that is not an address is not counted
  }
  const sort = (s: Set<bigint>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { 4: sort(sets[4]), 6: sort(sets[6]) };
}

/** Index of the first element ≥ value. */
function lowerBound(sorted: readonly bigint[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function utilisation(prefix: Prefix, used: number): SubnetUtilisation {
  const sizeLog2 = prefixHostBits(prefix);
  const size = prefix.family === 4 ? 2 ** sizeLog2 : prefixSize(prefix).toString();
  return { used, size, sizeLog2, ratio: used / 2 ** sizeLog2 };
}

/** The branch rooted at `rootId`, children in canonical prefix order, with utilisation per node. */
export function subnetTree(
  subnets: readonly IpamSubnet[],
  rootId: string,
  assignedIps: Iterable<string>,
): SubnetTreeNode {
  const index = new SubnetIndex(subnets);
  const root = index.byId.get(rootId);
  if (!root) throw notFound(`IPAM subnet ${rootId}`);
  const addresses = sortedAddresses(assignedIps);
  const build = (item: IndexedSubnet): SubnetTreeNode => {
    const sorted = addresses[item.prefix.family];
    const used = lowerBound(sorted, prefixLast(item.prefix) + 1n) - lowerBound(sorted, item.prefix.value);
    return {
      id: item.subnet.id,
      prefix: item.subnet.prefix,
      name: item.subnet.name,
      networkId: item.subnet.networkId ?? null,
      utilisation: utilisation(item.prefix, used),
      children: index.childrenOf(item.subnet.id).map(build),
    };
  };
  return build(root);
}
