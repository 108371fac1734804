// Moves the client would not follow: a target a member holds via one router, sent again via another.
//
// zerotier-one keys managed routes by target and ignores a via change on a target it holds
// (ZeroTierOne #2339). Target forms keep routers of a prefix apart by depth, but some prefixes have
// a single form (the default route, which the client refuses to see split, and single addresses),
// and five or more routers share slots. For those, the members concerned must first be sent the
// list without the target (the client removes it), and the target via the new router only in a
// later push. This computes that first push.

import type { AdvertisedRoute } from '../routes/route-types.ts';

type Audience = { all: true; except: Set<string> } | { all: false; members: Set<string> };

function audienceOf(route: AdvertisedRoute): Audience {
  return route.forMembers === undefined || route.forMembers === 'all'
    ? { all: true, except: new Set(route.exceptMembers ?? []) }
    : { all: false, members: new Set(route.forMembers) };
}

export interface WithdrawFirst {
  /** `next` with every (target, member) pair that changes via left out. */
  routes: AdvertisedRoute[];
  /** The targets left out for at least one member, in the order of `next`. */
  withdrawn: string[];
}

/**
 * Null when every member can go from `held` (what was last sent) to `next` in one push; otherwise
 * the push to send first. Routes for everyone whose target was held via another router for everyone
 * are left out whole; member lists lose exactly the members that held the target via another router.
 */
export function withdrawFirst(
  held: readonly AdvertisedRoute[],
  next: readonly AdvertisedRoute[],
): WithdrawFirst | null {
  const heldByTarget = new Map<string, AdvertisedRoute[]>();
  for (const h of held) {
    let list = heldByTarget.get(h.prefix);
    if (!list) heldByTarget.set(h.prefix, (list = []));
    list.push(h);
  }
  const withdrawn: string[] = [];
  const routes: AdvertisedRoute[] = [];
  for (const route of next) {
    const rivals = (heldByTarget.get(route.prefix) ?? []).filter((h) => h.via !== route.via);
    if (rivals.length === 0) {
      routes.push(route);
      continue;
    }
    let out: AdvertisedRoute | null = route;
    for (const rival of rivals) {
      if (out === null) break;
      const theirs = audienceOf(rival);
      const current: Audience = audienceOf(out);
      if (current.all && theirs.all) {
        out = null; // everyone (but routers) held it via another router
      } else if (current.all && !theirs.all) {
        const add = [...theirs.members].filter((m) => !current.except.has(m));
        if (add.length > 0) out = { ...out, exceptMembers: [...current.except, ...add].sort() };
      } else if (!current.all) {
        const keep = [...current.members].filter((m) =>
          theirs.all ? theirs.except.has(m) : !theirs.members.has(m),
        );
        if (keep.length !== current.members.size)
          out = keep.length === 0 ? null : { ...out, forMembers: keep };
      }
    }
    if (out !== route) withdrawn.push(route.prefix);
    if (out !== null) routes.push(out);
  }
  return withdrawn.length === 0 ? null : { routes, withdrawn: [...new Set(withdrawn)] };
}
