// The part of zerotier-one 1.14.1 that turns a network config into kernel addresses and routes
// (service/OneService.cpp syncManagedStuff, osdep/ManagedRoute.cpp), simulated without a kernel so
// tests can read the routing table a real member would have. Behaviour reproduced (facts from the
// sources and PROTOCOL-NOTES §5; the code is our own):
//
// * Managed IPs: the config's static IPs the member allows (allowManaged, allowGlobal, scope).
// * Managed routes are a map keyed by target. A route whose target is already in the map keeps the
//   existing entry, so changing only the `via` of a target is NOT applied (ZeroTierOne #2339) and of
//   duplicate targets in one config only the first is installed. Targets no longer in the config
//   are removed.
// * A route is skipped when it is not allowed (allowManaged/allowGlobal/allowDefault, reserved
//   scopes), when its `via` is one of the member's own IPs, when the member has no address of the
//   target's family, and when the target is the subnet of a managed IP (the address adds it).
// * Observed on Linux (PROTOCOL-NOTES §5): via-less routes other than the member's own subnet are
//   kept by ZeroTier but never show up in the kernel table; `via` routes are installed with metric
//   5000. A default route, when allowed, is installed as its two halves (/1 + /1).
// * Linux kernel rule: a gateway must be on a connected subnet, else the route is refused.
import { familyBits, formatIp, parseIp, type IpFamily } from '../../src/core/cidr/ip.ts';
import { maskIp } from '../../src/core/cidr/prefix.ts';

export interface ManagedSettings {
  /** Apply managed IPs and routes at all (zerotier-cli set <nwid> allowManaged; default true). */
  allowManaged: boolean;
  /** Allow targets and IPs of global scope (default false). */
  allowGlobal: boolean;
  /** Allow 0.0.0.0/0 and ::/0 (default false). */
  allowDefault: boolean;
}

export const DEFAULT_MANAGED_SETTINGS: ManagedSettings = {
  allowManaged: true,
  allowGlobal: false,
  allowDefault: false,
};

/** One of ZeroTier's ManagedRoute objects: created once per target, never updated in place. */
export interface ManagedRouteEntry {
  /** `ip/bits` as the config gave it. */
  target: string;
  via: string | null;
  /** The member IP chosen as source (most matching prefix bits, same family). */
  src: string;
}

export interface ManagedState {
  /** Managed IPs (`ip/bits`), sorted and unique. */
  managedIps: string[];
  /** By target (`ip/bits`). */
  managedRoutes: Map<string, ManagedRouteEntry>;
}

export type RouteOutcome =
  /** In the kernel table (as `via` says, or the previous via when it changed: see via-change-ignored). */
  | 'installed'
  /** The target already had a managed route; the new via was ignored (ZeroTierOne #2339). */
  | 'via-change-ignored'
  /** An earlier route of the same config had this target. */
  | 'duplicate-target'
  /** The target is a managed IP's own subnet: the kernel route of the address covers it. */
  | 'kernel-subnet'
  | 'via-is-own-ip'
  | 'no-address-in-family'
  /** allowManaged / allowGlobal / allowDefault or a reserved scope (loopback, multicast, …). */
  | 'not-allowed'
  /** Kept by ZeroTier but not in the kernel table (observed for via-less routes, §5). */
  | 'via-less-not-installed'
  /** The kernel refuses a gateway that is on no connected subnet. */
  | 'gateway-unreachable';

export interface RouteDecision {
  target: string;
  via: string | null;
  outcome: RouteOutcome;
  /** For via-change-ignored: the via still in the kernel. */
  installedVia?: string | null;
}

export interface KernelRoute {
  /** Canonical network `ip/bits` (host bits cleared, as the kernel shows it). */
  target: string;
  via: string | null;
  /** Preferred source address (ip only). */
  src: string;
  /** `kernel`: the subnet route of an assigned address; `static`: a managed route. */
  proto: 'kernel' | 'static';
  metric: number;
}

/** zerotier-one installs every managed route with this metric, whatever the config says (§5). */
export const MANAGED_ROUTE_METRIC = 5000;

interface Addr {
  family: IpFamily;
  value: bigint;
  bits: number;
}

/** `ip/bits` (host bits allowed, as in ZeroTier's InetAddress) or a bare ip (bits = full width). */
function parseAddr(text: string): Addr {
  const slash = text.lastIndexOf('/');
  const ipText = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(ipText);
  if (ip === undefined) throw new Error(`not an IP address: "${text}"`);
  const bits = slash < 0 ? familyBits(ip.family) : Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > familyBits(ip.family))
    throw new Error(`bad prefix length in "${text}"`);
  return { family: ip.family, value: ip.value, bits };
}

const ipText = (a: Addr) => formatIp(a.family, a.value);
const networkText = (a: Addr) => `${formatIp(a.family, maskIp(a.family, a.value, a.bits))}/${a.bits}`;

function contains(prefix: Addr, ip: Addr): boolean {
  return (
    prefix.family === ip.family &&
    maskIp(ip.family, ip.value, prefix.bits) === maskIp(prefix.family, prefix.value, prefix.bits)
  );
}

/** Leading bits two addresses of one family share (InetAddress::matchingPrefixBits); 0 across families. */
function matchingPrefixBits(a: Addr, b: Addr): number {
  if (a.family !== b.family) return 0;
  const width = familyBits(a.family);
  const diff = a.value ^ b.value;
  if (diff === 0n) return width;
  return width - diff.toString(2).length;
}

type Scope = 'none' | 'multicast' | 'loopback' | 'link-local' | 'private' | 'pseudo-private' | 'global';

const PSEUDO_PRIVATE_V4_FIRST_OCTETS = new Set([6, 11, 21, 22, 25, 26, 28, 29, 30, 51, 55, 56]);

/** InetAddress::ipScope of 1.14.1, for the cases that decide whether a managed target is allowed. */
export function ipScope(text: string): Scope {
  const a = parseAddr(text);
  if (a.family === 4) {
    const ip = Number(a.value);
    const first = ip >>> 24;
    const within = (base: number, bits: number) => ip >>> (32 - bits) === base >>> (32 - bits);
    if (first === 0 || first === 255) return 'none';
    if (first === 10) return 'private';
    if (first === 127) return 'loopback';
    if (PSEUDO_PRIVATE_V4_FIRST_OCTETS.has(first)) return 'pseudo-private';
    if (within(0x64400000, 10)) return 'private'; // 100.64.0.0/10
    if (within(0xa9fe0000, 16)) return 'link-local';
    if (within(0xac100000, 12) || within(0xc0a80000, 16) || within(0xc0000200, 24)) return 'private';
    if (within(0xc6120000, 15) || within(0xc6336400, 24) || within(0xcb007100, 24)) return 'private';
    if (first >>> 4 === 0xe) return 'multicast';
    if (first >>> 4 === 0xf) return 'pseudo-private';
    return 'global';
  }
  const v = a.value;
  const top = Number(v >> 120n);
  if (top === 0xff) return 'multicast';
  if (top === 0xfe && Number((v >> 118n) & 0x3n) === 0x2) {
    // fe80::/10; zerotier-one calls fe80::1 (only zero bytes between) loopback
    return (v & ((1n << 112n) - 1n)) === 1n ? 'loopback' : 'link-local';
  }
  if ((top & 0xfe) === 0xfc) return 'private';
  if (v >> 24n === 0xffff7fn) return 'loopback'; // ::ffff:127.0.0.0/104
  if (v === 1n) return 'loopback';
  if (v === 0n) return 'none';
  return 'global';
}

function isDefaultRoute(a: Addr): boolean {
  return a.value === 0n && a.bits === 0;
}

/** OneService::checkIfManagedIsAllowed (without the allowManagedWhitelist option). */
export function managedAllowed(text: string, settings: ManagedSettings): boolean {
  if (!settings.allowManaged) return false;
  if (isDefaultRoute(parseAddr(text))) return settings.allowDefault;
  switch (ipScope(text)) {
    case 'none':
    case 'multicast':
    case 'loopback':
    case 'link-local':
      return false;
    case 'global':
      return settings.allowGlobal;
    default:
      return true;
  }
}

export function emptyManagedState(): ManagedState {
  return { managedIps: [], managedRoutes: new Map() };
}

function compareAddr(a: Addr, b: Addr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.bits - b.bits;
}

/**
 * Applies a config to the previous state the way syncManagedStuff(ips, routes) does, returning the
 * new state and what happened to each route of the config, in config order.
 */
/** zerotier-one installs an IPv4 route via 0.0.0.0 as an on-link route (FINDINGS §1). */
const ON_LINK_IPV4 = '0.0.0.0';

export function syncManaged(
  previous: ManagedState,
  config: { staticIps: readonly string[]; routes: readonly { target: string; via: string | null }[] },
  settings: ManagedSettings = DEFAULT_MANAGED_SETTINGS,
): { state: ManagedState; decisions: RouteDecision[] } {
  // IPs first: the allowed static IPs, sorted and unique.
  const managedIps = [...new Set(config.staticIps.filter((ip) => managedAllowed(ip, settings)))]
    .map((text) => ({ text, addr: parseAddr(text) }))
    .sort((x, y) => compareAddr(x.addr, y.addr));
  const managed = managedIps.map((m) => m.addr);
  // The member's IPs: the interface's (now the managed ones) and every assigned one.
  const mine = [...managed, ...config.staticIps.map(parseAddr)].sort(compareAddr);

  const routes = new Map(previous.managedRoutes);
  const createdNow = new Set<string>();
  const keep = new Set<string>();
  const decisions: RouteDecision[] = [];
  for (const route of config.routes) {
    const target = parseAddr(route.target);
    const via = route.via === null ? undefined : parseAddr(route.via);
    const decide = (outcome: RouteOutcome, extra: Partial<RouteDecision> = {}) =>
      decisions.push({ target: route.target, via: route.via, outcome, ...extra });
    if (!managedAllowed(route.target, settings)) {
      decide('not-allowed');
      continue;
    }
    if (
      via &&
      via.family === target.family &&
      mine.some((ip) => ip.value === via.value && ip.family === via.family)
    ) {
      decide('via-is-own-ip');
      continue;
    }
    let src: Addr | undefined;
    let best = 0;
    for (const ip of mine) {
      if (ip.family !== target.family) continue;
      const bits = matchingPrefixBits(ip, target);
      if (bits >= best) {
        best = bits;
        src = ip;
      }
    }
    if (!src) {
      decide('no-address-in-family');
      continue;
    }
    if (managed.some((ip) => ip.bits === target.bits && contains(target, ip))) {
      decide('kernel-subnet');
      continue;
    }
    keep.add(route.target);
    const existing = routes.get(route.target);
    if (existing) {
      if (createdNow.has(route.target)) decide('duplicate-target');
      else if (existing.via !== (via ? ipText(via) : null))
        decide('via-change-ignored', { installedVia: existing.via });
      else decide('installed');
      continue;
    }
    routes.set(route.target, { target: route.target, via: via ? ipText(via) : null, src: ipText(src) });
    createdNow.add(route.target);
    decide('installed');
  }
  for (const target of [...routes.keys()]) if (!keep.has(target)) routes.delete(target);

  // What the kernel shows for what ZeroTier kept.
  const connected = managed.filter((ip) => ip.bits < familyBits(ip.family));
  for (const decision of decisions) {
    if (decision.outcome !== 'installed' && decision.outcome !== 'via-change-ignored') continue;
    const entry = routes.get(decision.target)!;
    if (entry.via === null) decision.outcome = 'via-less-not-installed';
    else if (entry.via === ON_LINK_IPV4)
      continue; // installed on-link (FINDINGS §1)
    else if (!connected.some((net) => contains(net, parseAddr(entry.via!))))
      decision.outcome = 'gateway-unreachable';
  }
  return { state: { managedIps: managedIps.map((m) => m.text), managedRoutes: routes }, decisions };
}

/** The kernel routing table for the ZeroTier interface of one network, sorted by target. */
export function kernelRoutes(state: ManagedState): KernelRoute[] {
  const managed = state.managedIps.map(parseAddr);
  const connected = managed.filter((ip) => ip.bits < familyBits(ip.family));
  const out: Array<KernelRoute & { key: Addr }> = [];
  for (const ip of connected) {
    const net = { ...ip, value: maskIp(ip.family, ip.value, ip.bits) };
    if (out.some((r) => r.proto === 'kernel' && compareAddr(r.key, net) === 0)) continue;
    out.push({ key: net, target: networkText(ip), via: null, src: ipText(ip), proto: 'kernel', metric: 0 });
  }
  for (const entry of state.managedRoutes.values()) {
    if (entry.via === null) continue; // via-less: not in the kernel table (§5)
    const onLink = entry.via === ON_LINK_IPV4;
    const via = parseAddr(entry.via);
    if (!onLink && !connected.some((net) => contains(net, via))) continue; // kernel: gateway unreachable
    const target = parseAddr(entry.target);
    // ManagedRoute splits a default route into its two halves so it beats the system default.
    const pieces: Addr[] = isDefaultRoute(target)
      ? [
          { family: target.family, value: 0n, bits: 1 },
          { family: target.family, value: 1n << BigInt(familyBits(target.family) - 1), bits: 1 },
        ]
      : [{ ...target, value: maskIp(target.family, target.value, target.bits) }];
    for (const piece of pieces)
      out.push({
        key: piece,
        target: networkText(piece),
        // A gateway of 0.0.0.0 is no gateway to Linux: the route is on-link on the ZeroTier interface.
        via: onLink ? null : entry.via,
        src: entry.src,
        proto: 'static',
        metric: MANAGED_ROUTE_METRIC,
      });
  }
  return out.sort((a, b) => compareAddr(a.key, b.key)).map(({ key: _key, ...route }) => route);
}

/**
 * The route the kernel picks for `ip` from a table (longest prefix wins, then the lower metric), or
 * undefined when none covers it.
 */
export function kernelLookup(routes: readonly KernelRoute[], ip: string): KernelRoute | undefined {
  const address = parseAddr(ip);
  let best: { route: KernelRoute; bits: number } | undefined;
  for (const route of routes) {
    const target = parseAddr(route.target);
    if (!contains(target, address)) continue;
    if (!best || target.bits > best.bits || (target.bits === best.bits && route.metric < best.route.metric))
      best = { route, bits: target.bits };
  }
  return best?.route;
}

/** The order the client walks its managed routes in (InetAddress order: family, address, bits). */
function compareTargets(a: string, b: string): number {
  return compareAddr(parseAddr(a), parseAddr(b));
}

/**
 * How zerotier-one 1.14.1 on Linux gets from `previous` to `next` (both from syncManaged): the IPs
 * first, then each route whose target left the config is removed, one at a time in address order,
 * each followed by a ~1 s wait (a netlink delete without an ack waits out its receive timeout, and
 * the node forwards nothing meanwhile: FINDINGS §9), then the new routes are added at once. Returns
 * every intermediate state, the first with nothing removed yet, the last equal to `next`.
 */
export function removalSteps(previous: ManagedState, next: ManagedState): ManagedState[] {
  const gone = [...previous.managedRoutes.keys()]
    .filter((t) => !next.managedRoutes.has(t))
    .sort(compareTargets);
  const steps: ManagedState[] = [];
  const routes = new Map(previous.managedRoutes);
  steps.push({ managedIps: next.managedIps, managedRoutes: new Map(routes) });
  for (const target of gone) {
    routes.delete(target);
    steps.push({ managedIps: next.managedIps, managedRoutes: new Map(routes) });
  }
  steps.push(next);
  return steps;
}

/**
 * Where the kernel sends every one of `ips`: the gateway, `on-link` for a device route, null when
 * none of them has a route, `split` when they go different ways (or only some have a route).
 */
export function kernelGatewayFor(routes: readonly KernelRoute[], ips: readonly string[]): string | null {
  const ways = new Set(
    ips.map((ip) => {
      const route = kernelLookup(routes, ip);
      return route === undefined ? null : (route.via ?? 'on-link');
    }),
  );
  return ways.size === 1 ? [...ways][0]! : 'split';
}
