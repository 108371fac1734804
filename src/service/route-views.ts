// Read-only views of a network's routing for the API: every route with where it comes from and who
// gets it, one member's exact list, a member's IPAM variables, and the preview of a change.
import { diffPlans, type MemberRouteDiff, type RouteChanges } from '../core/routes/plan-diff.ts';
import { sharedRoutesOf, type RoutePlanner } from '../core/routes/route-planner.ts';
import type {
  Aggregation,
  MemberAggregation,
  PlannedRoute,
  PlanProblem,
  RoutePlan,
  RouteSource,
} from '../core/routes/route-types.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import { overLimitReason, type IpamSnapshot } from './routing-state.ts';
import { ZT_MAX_NETWORK_ROUTES } from '../core/network/limits.ts';

export interface RouteView {
  target: string;
  via: string | null;
  source: RouteSource;
  owner: string | null;
  /** `active`: sent; `aggregated`: merged into `aggregatedInto`, which is sent instead. */
  status: 'active' | 'aggregated';
  aggregatedInto?: string;
  /** For a route made by aggregation: the routes it stands for. */
  aggregates?: string[];
  /** Authorized members that are sent this route. */
  members: number;
}

export interface RoutesReport {
  networkId: string;
  revision: number;
  limit: number;
  routeLimitStrategy: NetworkRecord['routeLimitStrategy'];
  authorizedMembers: number;
  routes: RouteView[];
  aggregated: (Aggregation & { perMember?: MemberAggregation[] }) | null;
  problems: PlanProblem[];
}

const routeKey = (r: { target: string; via: string | null }) => `${r.target} ${r.via ?? '-'}`;

/** Every route of the network: what is sent, what was merged away, and how many members get each. */
export function routesReport(network: NetworkRecord, planner: RoutePlanner): RoutesReport {
  const plan = planner.plan;
  // Members sharing a list share the count: one pass over members, one per distinct list.
  const perList = new Map<readonly PlannedRoute[], number>();
  let authorized = 0;
  planner.forEachMember((address, isAuthorized) => {
    if (!isAuthorized) return;
    authorized++;
    const list = sharedRoutesOf(plan, address);
    perList.set(list, (perList.get(list) ?? 0) + 1);
  });
  const sent = new Map<string, { route: PlannedRoute; members: number }>();
  for (const route of plan.networkRoutes) sent.set(routeKey(route), { route, members: 0 });
  for (const [list, count] of perList) {
    for (const route of list) {
      const entry = sent.get(routeKey(route)) ?? { route, members: 0 };
      entry.members += count;
      sent.set(routeKey(route), entry);
    }
  }
  const merges = [
    ...(plan.aggregated?.merges ?? []),
    ...(plan.aggregated?.perMember ?? []).flatMap((m) => m.merges),
  ];
  const mergedFrom = new Map<string, string[]>();
  for (const merge of merges) mergedFrom.set(`${merge.into} ${merge.via ?? '-'}`, merge.from);
  const routes: RouteView[] = [];
  for (const { route, members } of sent.values()) {
    const view: RouteView = { ...route, status: 'active', members };
    const from = mergedFrom.get(routeKey(route));
    if (from) view.aggregates = from;
    routes.push(view);
  }
  const listed = new Set(routes.map(routeKey));
  for (const merge of merges) {
    for (const target of merge.from) {
      const key = `${target} ${merge.via ?? '-'}`;
      if (listed.has(key)) continue;
      listed.add(key);
      routes.push({
        target,
        via: merge.via,
        source: merge.source,
        owner: null,
        status: 'aggregated',
        aggregatedInto: merge.into,
        members: 0,
      });
    }
  }
  const problems = [...plan.problems];
  const over = overLimitReason(planner);
  if (over !== undefined) {
    problems.unshift({
      code: 'ROUTE_LIMIT_EXCEEDED',
      message: `${over}. The stored routes were written around the API (e.g. imported); members get only the first ${ZT_MAX_NETWORK_ROUTES}, as with stock ZeroTier, until routes are removed`,
    });
  }
  return {
    networkId: network.id,
    revision: network.revision,
    limit: over === undefined ? plan.limit : ZT_MAX_NETWORK_ROUTES,
    routeLimitStrategy: network.routeLimitStrategy,
    authorizedMembers: authorized,
    routes,
    aggregated: plan.aggregated ?? null,
    problems,
  };
}

export interface MemberVariables {
  networkId: string;
  address: string;
  name: string | null;
  ipAssignments: string[];
  /** The network's IPAM subnet, or null. */
  ipamSubnet: string | null;
  /** The deepest IPAM subnet under the network's subnet holding one of the member's IPs, or null. */
  ipamChildSubnet: string | null;
  ipamChildSubnetName: string | null;
  ipamChildSubnetId: string | null;
}

export function memberVariables(
  network: NetworkRecord,
  member: MemberRecord,
  ipam: IpamSnapshot,
): MemberVariables {
  let child = null;
  if (network.ipamSubnet !== null) {
    for (const ip of member.ipAssignments) {
      child = ipam.childSubnetOf(network.ipamSubnet, ip);
      if (child) break;
    }
  }
  return {
    networkId: network.id,
    address: member.address,
    name: member.name ?? null,
    ipAssignments: [...member.ipAssignments],
    ipamSubnet: network.ipamSubnet,
    ipamChildSubnet: child?.prefix ?? null,
    ipamChildSubnetName: child?.name ?? null,
    ipamChildSubnetId: child?.id ?? null,
  };
}

export interface PlanPreview {
  /** `accepted`: the change would be written; `rejected`: it would be refused with `error`. */
  outcome: 'accepted' | 'rejected';
  error?: { code: string; message: string };
  network: RouteChanges;
  /** Members whose routes would change, with what each would gain and lose (first 1,000). */
  members: MemberRouteDiff[];
  membersChanged: number;
  membersUnchanged: number;
  aggregated: RoutePlan['aggregated'] | null;
  problems: PlanProblem[];
}

export const PREVIEW_MEMBER_LIMIT = 1000;

export function previewOf(before: RoutePlanner, after: RoutePlanner): PlanPreview {
  const addresses: string[] = [];
  before.forEachMember((address) => addresses.push(address));
  const diff = diffPlans(before.plan, after.plan, addresses);
  return {
    outcome: 'accepted',
    network: diff.network,
    members: diff.members.slice(0, PREVIEW_MEMBER_LIMIT),
    membersChanged: diff.members.length,
    membersUnchanged: diff.unchanged,
    aggregated: after.plan.aggregated ?? null,
    problems: after.plan.problems,
  };
}
