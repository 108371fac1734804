// Everything of a plan that depends on the network, the IPAM and the advertisements but not on the
// members: the shared routes (manual, IPAM, advertised-to-all), the via-less address ranges member
// IPs must fall in, and — built on demand and memoised — the route list of each member "class".

import { AddressRanges } from '../cidr/address-ranges.ts';
import type { IpamSubnet } from '../ipam/ipam-types.ts';
import { NO_CLASS, type AdvertisedIndex } from './advertised-index.ts';
import { aggregateRoutes } from './aggregate-routes.ts';
import { networkRoutes } from './network-routes.ts';
import { compareRoutes, dedupeRoutes, type RouteItem } from './route-item.ts';
import type { Aggregation, PlannedRoute, PlannerNetwork, PlanProblem, RouteMerge } from './route-types.ts';

export interface MemberList {
  routes: readonly PlannedRoute[];
  /** What the list would be with no aggregation at all, for messages (built when asked). */
  raw(): readonly RouteItem[];
  /** Merges done for this list on top of the network-wide ones. */
  merges: RouteMerge[];
  /** Length after the network-wide merges and before this list's own. */
  before: number;
  over: boolean;
  /** Targets this list routes via more than one gateway (only those its own routes introduce). */
  duplicateTargets: string[];
}

/** Targets that appear with more than one via, with their vias. */
export function duplicateTargets(routes: readonly RouteItem[]): Map<string, string[]> {
  const vias = new Map<string, string[]>();
  for (const r of routes) {
    const list = vias.get(r.route.target) ?? [];
    list.push(r.route.via ?? 'none');
    vias.set(r.route.target, list);
  }
  for (const [target, list] of vias) if (list.length < 2) vias.delete(target);
  return vias;
}

/** Merges two lists sorted by compareRoutes. */
function mergeSorted(a: readonly RouteItem[], b: readonly RouteItem[]): RouteItem[] {
  const out: RouteItem[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compareRoutes(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

export class NetworkPart {
  /** Manual, IPAM and advertised-to-all routes before any aggregation. */
  readonly sharedRaw: RouteItem[];
  private readonly sharedTargets: ReadonlySet<string>;
  private readonly rawNetwork: RouteItem[];
  private readonly rawAdvertised: RouteItem[];
  readonly sharedKeys: ReadonlySet<string>;
  /** Shared routes as pushed (after network-wide aggregation). */
  readonly sharedNetwork: RouteItem[];
  readonly sharedAdvertised: RouteItem[];
  readonly networkRoutes: PlannedRoute[];
  /** Addresses inside some route without a via: where member IPs must be. */
  readonly viaLess: AddressRanges;
  /** Via IPs of every route a member might get: a member holding one must not get that route. */
  readonly vias: ReadonlySet<number | bigint>;
  readonly aggregation: Aggregation | undefined;
  readonly problems: PlanProblem[];
  private readonly lists = new Map<number, MemberList>();
  private readonly holderLists = new Map<string, MemberList>();

  constructor(
    readonly network: PlannerNetwork,
    readonly ipam: readonly IpamSubnet[],
    readonly advertised: AdvertisedIndex,
    readonly limit: number,
  ) {
    const derived = networkRoutes(network, ipam);
    const seen = new Set<string>();
    this.sharedRaw = dedupeRoutes([...derived.manual, ...derived.ipam, ...advertised.common], seen);
    this.sharedKeys = seen;
    this.sharedTargets = new Set(this.sharedRaw.map((r) => r.route.target));
    this.rawNetwork = this.sharedRaw.filter((r) => r.route.source !== 'advertised');
    this.rawAdvertised = this.sharedRaw.filter((r) => r.route.source === 'advertised');
    this.problems = derived.problems;
    this.viaLess = new AddressRanges(this.sharedRaw.filter((r) => r.via === null).map((r) => r.prefix));
    const vias = new Set(advertised.vias);
    for (const r of this.sharedRaw)
      if (r.via) vias.add(r.via.family === 4 ? Number(r.via.value) : r.via.value);
    this.vias = vias;
    this.reportSharedProblems();

    let shared = this.sharedRaw;
    if (network.routeLimitStrategy === 'aggregate') {
      // Leave room for the longest member-specific list, so most members need no merges of their own.
      let maxExtra = 0;
      for (let c = NO_CLASS + 1; c < advertised.classEntries.length; c++)
        if (advertised.isLive(c)) maxExtra = Math.max(maxExtra, this.extras(c).length);
      if (shared.length + maxExtra > limit) {
        const reserved = [...advertised.specific.map((e) => e.item.key), ...advertised.excludingKeys];
        const result = aggregateRoutes(shared, Math.max(0, limit - maxExtra), reserved);
        if (result.merges.length > 0) {
          this.aggregation = { before: shared.length, after: result.routes.length, merges: result.merges };
          shared = result.routes;
        }
      }
    }
    this.sharedNetwork = shared.filter((r) => r.route.source !== 'advertised');
    this.sharedAdvertised = shared.filter((r) => r.route.source === 'advertised');
    this.networkRoutes = this.sharedNetwork.map((r) => r.route);
  }

  /** A class's own advertised routes, minus those the shared list has already. */
  extras(classId: number): RouteItem[] {
    const own = this.advertised.routesOfClass(classId);
    if (own.length === 0) return own;
    return dedupeRoutes(own.filter((r) => !this.sharedKeys.has(r.key)));
  }

  /**
   * The list for members of class `classId` whose own key is `ownKey` ('' for none): the via IPs
   * they hold (sorted, comma-separated), then optionally `#` and the keys of routes they are left
   * out of (newline-separated). Built once per (class, own key) and shared by every such member.
   */
  list(classId: number, ownKey: string): MemberList {
    const memoKey = ownKey === '' ? undefined : `${classId}|${ownKey}`;
    let list = memoKey === undefined ? this.lists.get(classId) : this.holderLists.get(memoKey);
    if (list) return list;
    const extras = this.extras(classId);
    const hash = ownKey.indexOf('#');
    const vias = hash < 0 ? ownKey : ownKey.slice(0, hash);
    const exclusions = hash < 0 ? '' : ownKey.slice(hash + 1);
    const own = vias === '' ? null : new Set(vias.split(','));
    const left = exclusions === '' ? null : new Set(exclusions.split('\n'));
    const assemble = (network: readonly RouteItem[], advertised: readonly RouteItem[]) => {
      const all =
        extras.length === 0 ? [...network, ...advertised] : [...network, ...mergeSorted(advertised, extras)];
      if (!own && !left) return all;
      return all.filter(
        (r) => (!own || r.route.via === null || !own.has(r.route.via)) && (!left || !left.has(r.key)),
      );
    };
    let items = assemble(this.sharedNetwork, this.sharedAdvertised);
    const before = items.length;
    let merges: RouteMerge[] = [];
    if (items.length > this.limit && this.network.routeLimitStrategy === 'aggregate') {
      const result = aggregateRoutes(items, this.limit);
      items = result.routes;
      merges = result.merges;
    }
    let raw: RouteItem[] | undefined;
    list = {
      routes: items.map((r) => r.route),
      raw: () => (raw ??= assemble(this.rawNetwork, this.rawAdvertised)),
      merges,
      before,
      over: items.length > this.limit,
      duplicateTargets: this.ownDuplicates(extras),
    };
    if (memoKey === undefined) this.lists.set(classId, list);
    else this.holderLists.set(memoKey, list);
    return list;
  }

  /** Targets a class's own routes add a second via to (the shared ones were reported already). */
  private ownDuplicates(extras: readonly RouteItem[]): string[] {
    if (extras.length === 0) return [];
    const seen = new Set<string>();
    const out = new Set<string>();
    for (const r of extras) {
      if (this.sharedTargets.has(r.route.target) || seen.has(r.route.target)) out.add(r.route.target);
      seen.add(r.route.target);
    }
    return [...out];
  }

  private reportSharedProblems(): void {
    for (const [target, vias] of duplicateTargets(this.sharedRaw)) {
      this.problems.push({
        code: 'DUPLICATE_TARGET',
        message: `${target} is routed via ${vias.join(' and via ')}; ZeroTier installs only the first`,
      });
    }
    // A gateway must be reachable on the ZeroTier interface, i.e. inside some route without a via.
    const unreachable = new Map<string, string[]>();
    const check = (r: RouteItem) => {
      if (!r.via || this.viaLess.has(r.via.family, r.via.value)) return;
      const list = unreachable.get(r.route.via!) ?? [];
      if (!list.includes(r.route.target)) list.push(r.route.target);
      unreachable.set(r.route.via!, list);
    };
    this.sharedRaw.forEach(check);
    this.advertised.entries.forEach((e) => check(e.item));
    for (const [via, targets] of unreachable) {
      this.problems.push({
        code: 'VIA_UNREACHABLE',
        message: `gateway ${via} (for ${targets.join(', ')}) is outside every route without a via, so members cannot reach it`,
      });
    }
  }
}
