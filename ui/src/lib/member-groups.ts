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
 * Members per (prefix, router), from the routes report: an advertised route's `members` counts the
 * members sent it; a prefix may be sent as itself or as its two halves (a failover's target flip),
 * so the largest count among the routes inside the prefix is the router's share.
 */
export function memberCountsOf(
  advertised: readonly AdvertisedPrefix[],
  routes: readonly RouteView[],
): MemberGroup[] {
  const groups: MemberGroup[] = [];
  for (const prefix of advertised) {
    for (const router of prefix.routers) {
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
