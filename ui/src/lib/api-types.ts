// The JSON the dashboard reads, as the API documents it (/api/docs). Only the fields it uses.

export interface Route {
  target: string;
  via: string | null;
}

export interface Pool {
  ipRangeStart: string;
  ipRangeEnd: string;
}

export interface AutoApprover {
  prefix: string;
  approvers: string[];
}

export type RouteSource = 'manual' | 'ipam' | 'advertised';
export type Steering = 'primary' | 'spread';
export type LimitStrategy = 'error' | 'aggregate';

export interface NetworkJson {
  id: string;
  name: string;
  private: boolean;
  creationTime: number;
  revision: number;
  /** Effective routes: what every member is sent, whatever the source. */
  routes: Route[];
  ipAssignmentPools: Pool[];
  v4AssignMode: { zt: boolean };
  ipamSubnet: string | null;
  routesFromIpam: boolean;
  ipamGateway: string | null;
  routeLimitStrategy: LimitStrategy;
  steering: Steering;
  failbackAfter: number;
  autoApprovers: AutoApprover[];
  authorizedMemberCount?: number;
  totalMemberCount?: number;
  meta?: { authorizedMemberCount: number; totalMemberCount: number };
}

export interface MemberJson {
  id: string;
  address: string;
  nwid: string;
  name?: string;
  authorized: boolean;
  ipAssignments: string[];
  ipamSubnet?: string | null;
  ipamChildSubnet?: string | null;
  lastSeen: number | null;
  online: boolean;
  physicalAddress: string | null;
  vMajor: number;
  vMinor: number;
  vRev: number;
  revision: number;
  creationTime: number;
  activeBridge?: boolean;
}

export interface RouteView extends Route {
  source: RouteSource;
  owner: string | null;
  status: 'active' | 'aggregated';
  aggregatedInto?: string;
  aggregates?: string[];
  members: number;
}

export interface PlanProblem {
  code: string;
  message: string;
}

export interface RouterView {
  member: string;
  prefix: string;
  metric: number;
  advertised: boolean;
  approved: boolean;
  approvedBy: string | null;
  primary: boolean;
  /** Primary mode: its routes are installed beneath the primary's, ready for a move back. */
  standby: boolean;
  /** healthy | suspect | down | draining, or null before the first verdict. */
  health: string | null;
  eligible: boolean;
  reason: string | null;
  via: string | null;
  members?: number;
  advertisedAt: number | null;
  approvedAt: number | null;
}

export interface AdvertisedPrefix {
  prefix: string;
  steering: Steering;
  primary: string | null;
  message: string;
  problems: string[];
  routers: RouterView[];
  /** Targets withdrawn for now because they change router; sent again via the new one shortly. */
  withdrawn: string[];
}

export interface RoutesReport {
  networkId: string;
  revision: number;
  limit: number;
  routeLimitStrategy: LimitStrategy;
  authorizedMembers: number;
  routes: RouteView[];
  aggregated: { before: number; after: number } | null;
  problems: PlanProblem[];
  advertised: AdvertisedPrefix[];
}

export interface MemberRoutes {
  revision: number;
  memberRevision: number;
  platform: string | null;
  routes: Array<Route & { source: RouteSource }>;
}

export interface PlannedRouteJson extends Route {
  source: RouteSource;
  owner?: string | null;
}

export interface RouteChanges {
  added: PlannedRouteJson[];
  removed: PlannedRouteJson[];
}

export interface MemberRouteDiff extends RouteChanges {
  address: string;
}

export interface PlanPreview {
  outcome: 'accepted' | 'rejected';
  error?: { code: string; message: string };
  network: RouteChanges;
  members: MemberRouteDiff[];
  membersChanged: number;
  membersUnchanged: number;
  aggregated: { before: number; after: number } | null;
  problems: PlanProblem[];
}

export interface IpamSubnet {
  id: string;
  prefix: string;
  name: string;
  parent: string | null;
  parentPrefix: string | null;
  networks: string[];
}

export interface SubnetTreeNode {
  id: string;
  prefix: string;
  name: string;
  networkId: string | null;
  utilisation: { used: number; size: number | string; sizeLog2: number; ratio: number };
  children: SubnetTreeNode[];
}

export interface EventJson {
  id: number;
  time: number;
  networkId: string | null;
  memberAddress: string | null;
  type: string;
  actor: string;
  reason: string;
  data: Record<string, unknown>;
}

export interface NodeStatus {
  address: string;
  version: string;
  routeplane?: { version: string };
}
