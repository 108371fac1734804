// The planner's input and output. Everything here is plain data the service can load from the store
// and the API can serve (`RoutePlan.routesFor` aside, which builds a member's list on demand).

import type { ManagedRoute } from '../network/network-types.ts';
import type { IpamSubnet } from '../ipam/ipam-types.ts';

import type { RouteLimitStrategy } from '../network/network-types.ts';

export type { RouteLimitStrategy };
export type RouteSource = 'manual' | 'ipam' | 'advertised';

export interface PlannerNetwork {
  id: string;
  /** Routes written through the API (source `manual`), in the operator's order. */
  manualRoutes: ManagedRoute[];
  /** Prefix of the network's IPAM subnet, or null. */
  ipamSubnet: string | null;
  /** Off (default): one route from `ipamSubnet`. On: that route plus one per child subnet. */
  routesFromIpam: boolean;
  /** Via of the parent route when `routesFromIpam` is on; must lie inside `ipamSubnet`. */
  ipamGateway: string | null;
  routeLimitStrategy: RouteLimitStrategy;
}

export interface PlannerMember {
  address: string;
  authorized: boolean;
  ipAssignments: string[];
}

/** A prefix reachable via a router (issue 5 fills these from approved, healthy advertisements). */
export interface AdvertisedRoute {
  prefix: string;
  /** The router's IP on this network. */
  via: string;
  /** Who advertises it, normally the router's member address. */
  owner: string;
  /** Who gets the route: everyone (default) or the listed member addresses. */
  forMembers?: 'all' | string[];
  /**
   * With `forMembers` 'all': members that do not get it (a prefix's other routers, whose own LAN it
   * is). Everyone else shares one list, so members joining or leaving need no re-plan.
   */
  exceptMembers?: readonly string[];
}

export interface PlannerInput {
  network: PlannerNetwork;
  /** All IPAM subnets; the planner reads the network's subnet and its direct children. */
  ipam: readonly IpamSubnet[];
  members: PlannerMember[];
  advertised: AdvertisedRoute[];
  /** Routes per member; default ZT_MAX_NETWORK_ROUTES (128). */
  limit?: number;
}

export interface PlannedRoute {
  /** Canonical CIDR. */
  target: string;
  /** Canonical IP, or null for a route on the ZeroTier interface itself. */
  via: string | null;
  source: RouteSource;
  /** Manual: null. IPAM: the id of the network's IPAM subnet. Advertised: the advertiser. */
  owner: string | null;
}

export interface PlanProblem {
  code: string;
  message: string;
}

export interface RouteMerge {
  /** The route pushed instead. */
  into: string;
  /** The routes it replaces, as planned before aggregation. */
  from: string[];
  via: string | null;
  source: RouteSource;
}

export interface Aggregation {
  before: number;
  after: number;
  merges: RouteMerge[];
}

/** Aggregation done for a group of members only (their own advertised routes made the list too long). */
export interface MemberAggregation extends Aggregation {
  /** The members concerned, sorted; at most the first 100 are listed. */
  members: string[];
  memberCount: number;
}

export interface RoutePlan {
  /** Manual and IPAM routes, what every member gets before advertised routes. */
  networkRoutes: PlannedRoute[];
  /** Exactly what one member is sent: never a route via one of its own IPs, never over the limit. */
  routesFor(address: string): PlannedRoute[];
  /**
   * Present when routes were merged to fit the limit (strategy `aggregate`). `before`/`after` count
   * the routes all members share (network routes and advertised-to-all); `perMember` lists lists
   * that needed more merges because of members' own advertised routes.
   */
  aggregated?: Aggregation & { perMember?: MemberAggregation[] };
  problems: PlanProblem[];
  /** The limit the plan was checked against. */
  limit: number;
}
