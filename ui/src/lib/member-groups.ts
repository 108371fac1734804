// Which members reach an advertised prefix through which router: from the routes report's counts
// (any size), or member by member when the view read each member's routes (small networks).
import type { AdvertisedPrefix, RouteView } from './api-types.ts';
import { cidrContains } from './cidr.ts';

/** Who a member group or single member reaches a prefix through. */
export interface MemberGroup {
  prefix: string;
  router: string;
  /** Single members when few (their names), else just the count. */
  members: string[];
  count: number;
}

/**
 * Members per (prefix, router), from the routes report. Spread mode reports each router's share.
 * In primary mode the primary carries everyone: an advertised route's `members` counts the members
 * sent it, and a prefix may be sent as itself or split (its slot's form), so the largest count among
 * the primary's routes inside the prefix is its share. Other routers' standby routes lie beneath
 * the primary's and carry no one.
 */
export function memberCountsOf(
  advertised: readonly AdvertisedPrefix[],
  routes: readonly RouteView[],
): MemberGroup[] {
  const groups: MemberGroup[] = [];
  for (const prefix of advertised) {
    for (const router of prefix.routers) {
      if (prefix.steering === 'spread') {
        const count = router.members ?? 0;
        if (count > 0) groups.push({ prefix: prefix.prefix, router: router.member, members: [], count });
        continue;
      }
      if (!router.primary) continue;
      let count = 0;
      for (const route of routes) {
        if (route.source !== 'advertised' || route.owner !== router.member || route.status !== 'active')
          continue;
        if (cidrContains(prefix.prefix, route.target)) count = Math.max(count, route.members);
      }
      if (count > 0) groups.push({ prefix: prefix.prefix, router: router.member, members: [], count });
    }
  }
  return groups;
}
