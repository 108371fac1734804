// A network as Routeplane keeps it. Field names and meanings follow the ZeroTier One 1.14 controller
// JSON (PROTOCOL-NOTES §3) so the stock API can be served with little mapping.

export interface ManagedRoute {
  /** Canonical CIDR, e.g. `10.147.17.0/24` or `fd00:1234::/64`. */
  target: string;
  /** Gateway in the same family as target, or null for a route on the ZeroTier interface itself. */
  via: string | null;
}

export interface IpAssignmentPool {
  ipRangeStart: string;
  ipRangeEnd: string;
}

export interface V4AssignMode {
  zt: boolean;
}

export interface V6AssignMode {
  zt: boolean;
  rfc4193: boolean;
  '6plane': boolean;
}

export interface NetworkDns {
  domain: string;
  servers: string[];
}

/** A flow rule in the stock JSON form (`{"type":"ACTION_ACCEPT","not":false,"or":false}` …). */
export type FlowRule = Record<string, unknown> & { type: string; not: boolean; or: boolean };

export interface NetworkCapability {
  id: number;
  default: boolean;
  rules: FlowRule[];
}

export interface NetworkTag {
  id: number;
  default: number | null;
}

export interface NetworkRecord {
  /** 16 lower-case hex digits; the first 10 are the controller's address. */
  id: string;
  name: string;
  private: boolean;
  creationTime: number;
  /** Bumped by the service on every change of the network object. */
  revision: number;
  multicastLimit: number;
  enableBroadcast: boolean;
  mtu: number;
  v4AssignMode: V4AssignMode;
  v6AssignMode: V6AssignMode;
  /** Routes written through the API (source `manual`), in the order they were given. */
  routes: ManagedRoute[];
  ipAssignmentPools: IpAssignmentPool[];
  rules: FlowRule[];
  rulesSource: string;
  capabilities: NetworkCapability[];
  tags: NetworkTag[];
  /** The stock controller reports `[]` until DNS is set, then an object; we keep that quirk. */
  dns: NetworkDns | [];
  /** Stock quirk: `[null]` by default. Kept verbatim for clients that post it back. */
  authTokens: unknown[];
  remoteTraceTarget: string | null;
  remoteTraceLevel: number;
  ssoEnabled: boolean;
  clientId: string;
  authorizationEndpoint: string;
  /** COM time window in ms (ctmd); stock default 30 min, clamped to 5 min .. 2 h. */
  certificateTimeoutWindowSize?: number;

  // Routeplane extras (old clients ignore them). See src/core/routes for what they do.
  /** Prefix of the IPAM subnet this network routes, or null. */
  ipamSubnet: string | null;
  /** Off: one route from `ipamSubnet` (as stock tools do). On: that route plus one per child subnet. */
  routesFromIpam: boolean;
  /** Via of the parent route in `routesFromIpam` mode, or null. */
  ipamGateway: string | null;
  /** Over ZeroTier's 128 routes: refuse the write (`error`) or merge adjacent routes (`aggregate`). */
  routeLimitStrategy: RouteLimitStrategy;
  /** Subnet routers: one primary per prefix, or members spread over the routers. */
  steering: 'primary' | 'spread';
  /** ms a lower-metric router must be healthy before it takes a prefix back. */
  failbackAfter: number;
  /** Prefix ranges whose advertisements are approved at once for the listed members, names or tags. */
  autoApprovers: Array<{ prefix: string; approvers: string[] }>;
}

export type RouteLimitStrategy = 'error' | 'aggregate';

/** The Routeplane extras with their defaults, for records stored before they existed. */
export const NETWORK_ROUTING_DEFAULTS: Readonly<
  Pick<
    NetworkRecord,
    | 'ipamSubnet'
    | 'routesFromIpam'
    | 'ipamGateway'
    | 'routeLimitStrategy'
    | 'steering'
    | 'failbackAfter'
    | 'autoApprovers'
  >
> = Object.freeze({
  ipamSubnet: null,
  routesFromIpam: false,
  ipamGateway: null,
  routeLimitStrategy: 'error',
  steering: 'primary',
  failbackAfter: 30_000,
  autoApprovers: [],
});
