// Event log entries for what a re-plan changed in the routes every member shares: one event per
// route added or removed (with its source and owner), one when the aggregation changes. Members'
// own lists (their advertised routes, a route via their own IP left out) are not logged one by one.
import { diffRoutes } from '../core/routes/plan-diff.ts';
import type { Aggregation, PlannedRoute, RoutePlan } from '../core/routes/route-types.ts';

export interface RouteEventSpec {
  type: 'route.added' | 'route.removed' | 'route.aggregated' | 'route.deaggregated';
  reason: string;
  data: Record<string, unknown>;
}

function describe(route: PlannedRoute): string {
  return route.via === null ? route.target : `${route.target} via ${route.via}`;
}

function routeData(route: PlannedRoute): Record<string, unknown> {
  return { target: route.target, via: route.via, source: route.source, owner: route.owner };
}

function sameAggregation(a: Aggregation | undefined, b: Aggregation | undefined): boolean {
  return JSON.stringify(a?.merges ?? []) === JSON.stringify(b?.merges ?? []);
}

/** What changed between two plans of one network, `why` naming the change that caused it. */
export function routeChangeEvents(
  before: RoutePlan | undefined,
  after: RoutePlan,
  why: string,
): RouteEventSpec[] {
  const changes = diffRoutes(before?.networkRoutes ?? [], after.networkRoutes);
  const events: RouteEventSpec[] = [];
  for (const route of changes.removed) {
    events.push({
      type: 'route.removed',
      reason: `${describe(route)} (${route.source}) removed: ${why}`,
      data: routeData(route),
    });
  }
  for (const route of changes.added) {
    events.push({
      type: 'route.added',
      reason: `${describe(route)} (${route.source}) added: ${why}`,
      data: routeData(route),
    });
  }
  if (!sameAggregation(before?.aggregated, after.aggregated)) {
    const agg = after.aggregated;
    if (agg && agg.merges.length > 0) {
      events.push({
        type: 'route.aggregated',
        reason: `${agg.before} routes merged into ${agg.after} to stay within ZeroTier's limit of ${after.limit}: ${why}`,
        data: { before: agg.before, after: agg.after, limit: after.limit, merges: agg.merges },
      });
    } else {
      events.push({
        type: 'route.deaggregated',
        reason: `routes fit the limit of ${after.limit} again and are sent unmerged: ${why}`,
        data: { limit: after.limit },
      });
    }
  }
  return events;
}

/** The IPAM routes of a plan as the store keeps them (source `ipam`). */
export function ipamRoutesOf(
  plan: RoutePlan,
): Array<{ target: string; via: string | null; owner: string | null; metric: number }> {
  return plan.networkRoutes
    .filter((r) => r.source === 'ipam')
    .map((r) => ({ target: r.target, via: r.via, owner: r.owner, metric: 0 }));
}
