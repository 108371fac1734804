// Candidate addresses for automatic assignment, in the order the stock controller tries them
// (EmbeddedNetworkController::_request, 1.14). The caller checks each candidate against addresses
// already taken and keeps the first free one per family; this module only reproduces the search.

import { formatIp, parseIp, type IpFamily } from '../cidr/ip.ts';
import { isPrefixError, parsePrefix, prefixContainsIp, type Prefix } from '../cidr/prefix.ts';
import { invalidField } from '../errors.ts';
import { ZT_MAX_NETWORK_ROUTES } from '../network/limits.ts';
import { isMemberAddress } from '../network/network-id.ts';
import type { NetworkRecord } from '../network/network-types.ts';
import type { MemberRecord } from './member-types.ts';

/** Stock gives up on a pool after this many tries. */
export const MAX_TRIES_PER_POOL = 1000;

const U64 = (1n << 64n) - 1n;

interface RouteInfo {
  target: Prefix;
  hasVia: boolean;
}

/** The routes a member receives: stock only looks at the first 128. */
function configRoutes(network: NetworkRecord): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const route of network.routes.slice(0, ZT_MAX_NETWORK_ROUTES)) {
    const target = parsePrefix(route.target);
    if (!isPrefixError(target)) out.push({ target, hasVia: route.via !== null });
  }
  return out;
}

function pools(network: NetworkRecord, family: IpFamily): { start: bigint; end: bigint }[] {
  const out: { start: bigint; end: bigint }[] = [];
  for (const pool of network.ipAssignmentPools) {
    const start = parseIp(pool.ipRangeStart);
    const end = parseIp(pool.ipRangeEnd);
    if (start?.family === family && end?.family === family) out.push({ start: start.value, end: end.value });
  }
  return out;
}

/** 64 random bits from a `[0, 1)` source, 32 bits per draw. */
function random64(random: () => number): bigint {
  const draw = () => BigInt(Math.min(Math.floor(random() * 0x100000000), 0xffffffff));
  return (draw() << 32n) | draw();
}

function* ipv4Candidates(network: NetworkRecord, node: bigint): Generator<string> {
  // First route (in order) that contains the address decides; /0 never matches (in the C++ the
  // 32-bit shift for /0 is undefined and on x86 matches only 0.0.0.0).
  const routes = configRoutes(network).filter((r) => r.target.family === 4 && r.target.bits > 0);
  for (const { start, end } of pools(network, 4)) {
    if (end < start || start === 0n) continue;
    const length = end - start;
    let counter = node & 0xffffffffn; // low 32 bits of the member address
    const tries = Math.min(Number(length) + 1, MAX_TRIES_PER_POOL);
    for (let trial = 0; trial < tries; trial++) {
      // `end` itself is never produced: stock takes the counter modulo (end - start).
      const ip = length > 0n ? start + (counter % length) : start;
      counter = (counter + 1n) & 0xffffffffn;
      if ((ip & 0xffn) === 0xffn) continue; // never hand out x.x.x.255
      if (routes.some((r) => prefixContainsIp(r.target, 4, ip))) yield formatIp(4, ip);
    }
  }
}

function* ipv6Candidates(network: NetworkRecord, node: bigint, random: () => number): Generator<string> {
  // Only via-less (on-link) IPv6 routes with bits > 0 qualify.
  const routes = configRoutes(network).filter((r) => r.target.family === 6 && !r.hasVia && r.target.bits > 0);
  for (const { start, end } of pools(network, 6)) {
    const [s0, s1] = [start >> 64n, start & U64];
    const [e0, e1] = [end >> 64n, end & U64];
    for (let trial = 0; trial < MAX_TRIES_PER_POOL; trial++) {
      let hi: bigint;
      let lo: bigint;
      if (trial === 0 && e1 > s1 && e1 - s1 >= 0xffffffffffn) {
        // Room for a whole 40-bit member address in the low half: put it there.
        hi = s0;
        lo = (s1 + node) & U64;
      } else {
        // Otherwise random offsets, drawn separately for each 64-bit half.
        const r0 = random64(random);
        const r1 = random64(random);
        hi = (s0 + (e0 > s0 ? r0 % (e0 - s0) : 0n)) & U64;
        lo = (s1 + (e1 > s1 ? r1 % (e1 - s1) : 0n)) & U64;
      }
      const ip = (hi << 64n) | lo;
      if (routes.some((r) => prefixContainsIp(r.target, 6, ip))) yield formatIp(6, ip);
    }
  }
}

/**
 * Yields the addresses stock would try for `memberAddress`: IPv6 (`v6AssignMode.zt`) first, then
 * IPv4 (`v4AssignMode.zt`), pool by pool, skipping those outside the member's routes. Take the first
 * free one of each family. Pass `family` to get one family only. `random` returns `[0, 1)`.
 * Callers also apply the stock guards: nothing for `noAutoAssignIps`, and no family the member
 * already has a managed address in (see hasManagedIpOfFamily).
 */
export function* poolCandidates(
  network: NetworkRecord,
  memberAddress: string,
  random: () => number,
  family?: IpFamily,
): Generator<string> {
  if (!isMemberAddress(memberAddress)) {
    throw invalidField('address', `${JSON.stringify(memberAddress)} is not a valid member address`);
  }
  const node = BigInt(`0x${memberAddress}`);
  if (network.v6AssignMode.zt && family !== 4) yield* ipv6Candidates(network, node, random);
  if (network.v4AssignMode.zt && family !== 6) yield* ipv4Candidates(network, node);
}

/**
 * Whether the member already has an address of `family`. With `network`, only addresses inside one
 * of the network's (first 128) routes count — the ones stock actually sends, and stock's test for
 * skipping auto-assignment. Without it, any assigned address of the family counts.
 */
export function hasManagedIpOfFamily(
  member: MemberRecord,
  family: IpFamily,
  network?: NetworkRecord,
): boolean {
  const routes = network === undefined ? undefined : configRoutes(network);
  return member.ipAssignments.some((text) => {
    const ip = parseIp(text);
    if (ip === undefined || ip.family !== family) return false;
    return routes === undefined || routes.some((r) => prefixContainsIp(r.target, family, ip.value));
  });
}
