// A planned route with its parsed prefix and via, so the planner parses each route once and compares
// routes by a string key. Routes are keyed by (target, via): a parent and its first child share a
// network address but differ in bits, so both keep their own key.

import { formatIp, type ParsedIp } from '../cidr/ip.ts';
import { formatPrefix, type Prefix } from '../cidr/prefix.ts';
import { comparePrefixes } from '../cidr/prefix-order.ts';
import type { PlannedRoute, RouteSource } from './route-types.ts';

export interface RouteItem {
  /** Frozen: shared by every member's list. */
  route: PlannedRoute;
  prefix: Prefix;
  via: ParsedIp | null;
  /** `target via`, e.g. `10.0.0.0/8 10.0.0.1` or `10.0.0.0/8 -`. */
  key: string;
}

export function routeKey(target: string, via: string | null): string {
  return `${target} ${via ?? '-'}`;
}

export function makeRoute(
  prefix: Prefix,
  via: ParsedIp | null,
  source: RouteSource,
  owner: string | null,
): RouteItem {
  const target = formatPrefix(prefix);
  const viaText = via ? formatIp(via.family, via.value) : null;
  const route = Object.freeze({ target, via: viaText, source, owner });
  return { route, prefix, via, key: routeKey(target, viaText) };
}

/** Canonical order of routes: by prefix, via-less first, then by via and owner. */
export function compareRoutes(a: RouteItem, b: RouteItem): number {
  const byPrefix = comparePrefixes(a.prefix, b.prefix);
  if (byPrefix !== 0) return byPrefix;
  if (a.via === null || b.via === null) return a.via === b.via ? compareOwner(a, b) : a.via === null ? -1 : 1;
  if (a.via.value !== b.via.value) return a.via.value < b.via.value ? -1 : 1;
  return compareOwner(a, b);
}

function compareOwner(a: RouteItem, b: RouteItem): number {
  const x = a.route.owner ?? '';
  const y = b.route.owner ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Keeps the first route of each (target, via). */
export function dedupeRoutes(routes: Iterable<RouteItem>, seen = new Set<string>()): RouteItem[] {
  const out: RouteItem[] = [];
  for (const item of routes) {
    if (seen.has(item.key)) continue;
    seen.add(item.key);
    out.push(item);
  }
  return out;
}
