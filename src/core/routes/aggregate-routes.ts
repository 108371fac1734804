// Lossless aggregation: two routes that are the two halves of one prefix, with the same via, source
// and owner, become that prefix (10.1.2.0/24 + 10.1.3.0/24 → 10.1.2.0/23). That covers exactly the
// same addresses, and where a packet goes is unchanged as long as no other route has the new target
// or either old target with another via (the client installs only the first of equal targets), so
// such pairs are left alone. Deepest pairs go first (so halves can merge again), in canonical order,
// and merging stops as soon as the list fits: the rest keeps its detail.

import { familyBits } from '../cidr/ip.ts';
import { formatPrefix, type Prefix } from '../cidr/prefix.ts';
import { makeRoute, type RouteItem } from './route-item.ts';
import type { RouteMerge } from './route-types.ts';

export interface AggregateResult {
  routes: RouteItem[];
  /** Only the final merged routes, each with the original routes it replaces. */
  merges: RouteMerge[];
}

interface Live {
  item: RouteItem;
  position: number;
  /** Targets of the original routes inside this one (just its own when not merged). */
  from: string[];
}

const sideKey = (item: RouteItem, value: bigint, bits: number) =>
  `${item.route.source}|${item.route.owner ?? ''}|${item.route.via ?? ''}|${item.prefix.family}|${bits}|${value}`;

/**
 * Merges sibling routes of `routes` until at most `target` remain or nothing more can merge.
 * `reserved` holds (target, via) keys of routes that share the members' lists without being merged
 * here (e.g. member-specific routes); their targets count for the same-target checks.
 */
export function aggregateRoutes(
  routes: readonly RouteItem[],
  target: number,
  reserved: Iterable<string> = [],
): AggregateResult {
  if (routes.length <= target) return { routes: [...routes], merges: [] };
  // How many distinct (target, via) keys each target has across everything the members see.
  const viasPerTarget = new Map<string, number>();
  const seenKeys = new Set<string>();
  const count = (key: string) => {
    if (seenKeys.has(key)) return;
    seenKeys.add(key);
    const t = key.slice(0, key.indexOf(' '));
    viasPerTarget.set(t, (viasPerTarget.get(t) ?? 0) + 1);
  };
  for (const r of routes) count(r.key);
  for (const key of reserved) count(key);

  const slots: Array<Live | null> = routes.map((item, position) => ({
    item,
    position,
    from: [item.route.target],
  }));
  const bySide = new Map<string, Live>();
  const levels = new Map<number, Live[]>();
  const addLive = (live: Live) => {
    const p = live.item.prefix;
    bySide.set(sideKey(live.item, p.value, p.bits), live);
    const list = levels.get(p.bits) ?? [];
    list.push(live);
    levels.set(p.bits, list);
  };
  for (const live of slots) addLive(live!);

  let remaining = routes.length;
  for (let bits = 128; bits >= 1 && remaining > target; bits--) {
    const level = (levels.get(bits) ?? []).sort((a, b) =>
      a.item.prefix.family !== b.item.prefix.family
        ? a.item.prefix.family - b.item.prefix.family
        : a.item.prefix.value < b.item.prefix.value
          ? -1
          : a.item.prefix.value > b.item.prefix.value
            ? 1
            : 0,
    );
    for (const low of level) {
      if (remaining <= target) break;
      const p = low.item.prefix;
      const width = familyBits(p.family);
      if (bits > width) continue;
      const half = 1n << BigInt(width - bits);
      if ((p.value & half) !== 0n) continue; // only the lower half starts a pair
      const high = bySide.get(sideKey(low.item, p.value | half, bits));
      if (!high || slots[low.position] !== low || slots[high.position] !== high) continue;
      const parent: Prefix = { family: p.family, value: p.value, bits: bits - 1 };
      const parentText = formatPrefix(parent);
      if (viasPerTarget.has(parentText)) continue;
      if (viasPerTarget.get(low.item.route.target) !== 1 || viasPerTarget.get(high.item.route.target) !== 1)
        continue;

      const merged: Live = {
        item: makeRoute(parent, low.item.via, low.item.route.source, low.item.route.owner),
        position: Math.min(low.position, high.position),
        from: [...low.from, ...high.from],
      };
      slots[low.position] = null;
      slots[high.position] = null;
      slots[merged.position] = merged;
      bySide.delete(sideKey(low.item, p.value, bits));
      bySide.delete(sideKey(high.item, p.value | half, bits));
      viasPerTarget.delete(low.item.route.target);
      viasPerTarget.delete(high.item.route.target);
      viasPerTarget.set(parentText, 1);
      addLive(merged);
      remaining--;
    }
  }

  const live = slots.filter((s): s is Live => s !== null);
  return {
    routes: live.map((s) => s.item),
    merges: live
      .filter((s) => s.from.length > 1)
      .map((s) => ({
        into: s.item.route.target,
        from: s.from,
        via: s.item.route.via,
        source: s.item.route.source,
      })),
  };
}
