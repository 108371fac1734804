// What a change would do, member by member: the routes each would gain and lose. Routes compare by
// (target, via), which is all a member installs; a route that only changes source or owner is no
// change to it. Members sharing a route list share the work, so 100,000 members cost little.

import { routeKey } from './route-item.ts';
import { sharedRoutesOf } from './route-planner.ts';
import type { PlannedRoute, RoutePlan } from './route-types.ts';

export interface RouteChanges {
  added: PlannedRoute[];
  removed: PlannedRoute[];
}

export interface MemberRouteDiff extends RouteChanges {
  address: string;
}

export interface PlanDiff {
  /** The routes every member shares (`networkRoutes`). */
  network: RouteChanges;
  /** Only members whose routes change, by address. */
  members: MemberRouteDiff[];
  unchanged: number;
}

export function diffRoutes(before: readonly PlannedRoute[], after: readonly PlannedRoute[]): RouteChanges {
  const key = (r: PlannedRoute) => routeKey(r.target, r.via);
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return { added: after.filter((r) => !had.has(key(r))), removed: before.filter((r) => !has.has(key(r))) };
}

export function diffPlans(
  before: RoutePlan,
  after: RoutePlan,
  members: Iterable<{ address: string } | string>,
): PlanDiff {
  const memo = new Map<readonly PlannedRoute[], Map<readonly PlannedRoute[], RouteChanges>>();
  const out: MemberRouteDiff[] = [];
  let unchanged = 0;
  const addresses = new Set(Array.from(members, (m) => (typeof m === 'string' ? m : m.address)));
  for (const address of addresses) {
    const a = sharedRoutesOf(before, address);
    const b = sharedRoutesOf(after, address);
    let row = memo.get(a);
    if (!row) memo.set(a, (row = new Map()));
    let changes = row.get(b);
    if (!changes) row.set(b, (changes = diffRoutes(a, b)));
    if (changes.added.length + changes.removed.length === 0) unchanged++;
    else out.push({ address, added: [...changes.added], removed: [...changes.removed] });
  }
  out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { network: diffRoutes(before.networkRoutes, after.networkRoutes), members: out, unchanged };
}
