// What a takeover would import, checked as a whole: every network must belong to the imported
// controller identity, no network or member may appear twice, and no IP may be held by two members
// of one network (the stock controller never checks; Routeplane's store refuses). The result is the
// records to write in one transaction plus the figures the import reports, or the problems that stop
// it, each naming the file and field to fix.

import { ErrorCodes, type ErrorCode } from '../errors.ts';
import type { MemberRecord } from '../member/member-types.ts';
import { controllerAddressOf } from '../network/network-id.ts';
import type { NetworkRecord } from '../network/network-types.ts';

export interface SourcedRecord<T> {
  /** The file it came from, as shown to the user. */
  path: string;
  record: T;
  ignoredKeys: string[];
}

export interface TakeoverProblem {
  path: string;
  /** The offending field, e.g. `routes[2].target`, when there is one. */
  field?: string;
  code: ErrorCode;
  message: string;
}

export interface NetworkFigures {
  id: string;
  name: string;
  members: number;
  authorized: number;
  routes: number;
  pools: number;
  rules: number;
  tags: number;
  capabilities: number;
  /** The DNS search domain, or null when the network pushes no DNS. */
  dnsDomain: string | null;
  dnsServers: number;
  /** IP addresses held by the network's members. */
  ipAssignments: number;
  /** Members carrying at least one tag / capability. */
  taggedMembers: number;
  membersWithCapabilities: number;
}

export type TakeoverTotals = Omit<NetworkFigures, 'id' | 'name' | 'dnsDomain'> & {
  networks: number;
  /** Networks that push DNS settings. */
  dnsNetworks: number;
};

export interface TakeoverPlan {
  /** Sorted by id. */
  networks: NetworkRecord[];
  /** Per network id, sorted by address. */
  members: Map<string, MemberRecord[]>;
  figures: NetworkFigures[];
  totals: TakeoverTotals;
  /** Keys that were not imported, with how many files carried each, sorted by key. */
  ignoredKeys: Array<{ key: string; files: number }>;
  problems: TakeoverProblem[];
}

export interface TakeoverInput {
  /** The imported identity's address: the first 10 hex digits of every network it serves. */
  controllerAddress: string;
  networks: readonly SourcedRecord<NetworkRecord>[];
  /** Members of networks that have a network file (the reader sets the others aside). */
  members: readonly SourcedRecord<MemberRecord>[];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function planTakeover(input: TakeoverInput): TakeoverPlan {
  const problems: TakeoverProblem[] = [];
  const networks = new Map<string, SourcedRecord<NetworkRecord>>();
  // In a fixed order (files are read in any order), so the same tree always reports the same.
  const byPath = (a: { path: string }, b: { path: string }) => compareText(a.path, b.path);
  for (const source of [...input.networks].sort(byPath)) {
    const { id } = source.record;
    const first = networks.get(id);
    if (first !== undefined) {
      problems.push({
        path: source.path,
        field: 'id',
        code: ErrorCodes.CONFLICT,
        message: `network ${id} is also defined by ${first.path}`,
      });
      continue;
    }
    networks.set(id, source);
    const owner = controllerAddressOf(id);
    if (owner !== input.controllerAddress) {
      problems.push({
        path: source.path,
        field: 'id',
        code: ErrorCodes.INVALID_INPUT,
        message:
          `network ${id} belongs to controller ${owner}, not to the imported identity ${input.controllerAddress}: ` +
          'no member could get its config from this controller',
      });
    }
  }

  const members = new Map<string, MemberRecord[]>();
  const seenMembers = new Map<string, string>();
  /** `<nwid> <ip>` → the member file that holds it first. */
  const ipHolders = new Map<string, SourcedRecord<MemberRecord>>();
  for (const source of [...input.members].sort(byPath)) {
    const member = source.record;
    if (!networks.has(member.networkId)) continue;
    const key = `${member.networkId} ${member.address}`;
    const first = seenMembers.get(key);
    if (first !== undefined) {
      problems.push({
        path: source.path,
        field: 'id',
        code: ErrorCodes.CONFLICT,
        message: `member ${member.address} of network ${member.networkId} is also defined by ${first}`,
      });
      continue;
    }
    seenMembers.set(key, source.path);
    member.ipAssignments.forEach((ip, i) => {
      const ipKey = `${member.networkId} ${ip}`;
      const holder = ipHolders.get(ipKey);
      if (holder === undefined) {
        ipHolders.set(ipKey, source);
        return;
      }
      problems.push({
        path: source.path,
        field: `ipAssignments[${i}]`,
        code: ErrorCodes.CONFLICT,
        message:
          `${ip} is also assigned to member ${holder.record.address} (${holder.path}); ` +
          'an address belongs to one member: remove it from one of the two files',
      });
    });
    let list = members.get(member.networkId);
    if (list === undefined) members.set(member.networkId, (list = []));
    list.push(member);
  }

  const sortedNetworks = [...networks.values()]
    .map((source) => source.record)
    .sort((a, b) => compareText(a.id, b.id));
  for (const list of members.values()) list.sort((a, b) => compareText(a.address, b.address));
  const figures = sortedNetworks.map((network) => figuresOf(network, members.get(network.id) ?? []));
  return {
    networks: sortedNetworks,
    members,
    figures,
    totals: totalsOf(figures),
    ignoredKeys: countIgnoredKeys([...input.networks, ...input.members]),
    problems,
  };
}

function figuresOf(network: NetworkRecord, members: readonly MemberRecord[]): NetworkFigures {
  const dns = Array.isArray(network.dns) ? null : network.dns;
  return {
    id: network.id,
    name: network.name,
    members: members.length,
    authorized: members.filter((m) => m.authorized).length,
    routes: network.routes.length,
    pools: network.ipAssignmentPools.length,
    rules: network.rules.length,
    tags: network.tags.length,
    capabilities: network.capabilities.length,
    dnsDomain: dns === null ? null : dns.domain,
    dnsServers: dns === null ? 0 : dns.servers.length,
    ipAssignments: members.reduce((sum, m) => sum + m.ipAssignments.length, 0),
    taggedMembers: members.filter((m) => m.tags.length > 0).length,
    membersWithCapabilities: members.filter((m) => m.capabilities.length > 0).length,
  };
}

function totalsOf(figures: readonly NetworkFigures[]): TakeoverTotals {
  const sum = (pick: (f: NetworkFigures) => number) => figures.reduce((total, f) => total + pick(f), 0);
  return {
    networks: figures.length,
    members: sum((f) => f.members),
    authorized: sum((f) => f.authorized),
    routes: sum((f) => f.routes),
    pools: sum((f) => f.pools),
    rules: sum((f) => f.rules),
    tags: sum((f) => f.tags),
    capabilities: sum((f) => f.capabilities),
    dnsNetworks: figures.filter((f) => f.dnsDomain !== null).length,
    dnsServers: sum((f) => f.dnsServers),
    ipAssignments: sum((f) => f.ipAssignments),
    taggedMembers: sum((f) => f.taggedMembers),
    membersWithCapabilities: sum((f) => f.membersWithCapabilities),
  };
}

function countIgnoredKeys(sources: readonly SourcedRecord<unknown>[]): Array<{ key: string; files: number }> {
  const counts = new Map<string, number>();
  for (const source of sources) {
    for (const key of source.ignoredKeys) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => compareText(a[0], b[0]))
    .map(([key, files]) => ({ key, files }));
}
