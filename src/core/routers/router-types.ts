// Subnet routers (issue 5): what the store keeps per advertised prefix, what the health layer knows
// per router, the network's routing policy, and what selection decides. Plain data only, so the
// service can load it, the API can show it and the property tests can generate it.

import type { AdvertisedRoute } from '../routes/route-types.ts';

export type RouterHealth = 'healthy' | 'suspect' | 'down' | 'draining';

/** One (member, prefix) row: the Headscale "Route" idea, persisted by the store. */
export interface Advertisement {
  member: string;
  /** Canonical CIDR. */
  prefix: string;
  /** Lower is preferred (NetBird's metric); 0..65535. */
  metric: number;
  advertised: boolean;
  approved: boolean;
  /** The actor (`api:…`, `cli:…`) or `auto-approver:<range>`; null while not approved. */
  approvedBy: string | null;
  /** 0..3, picks the target form (target-forms.ts); distinct per router of a prefix while slots last. */
  slot: number;
  /** ms; when it last became advertised, null while withdrawn. */
  advertisedAt: number | null;
  /** ms; when it was approved, null while not approved. */
  approvedAt: number | null;
  updatedAt: number;
}

/** What the service knows about a router's member record and the health layer's verdict. */
export interface RouterState {
  address: string;
  authorized: boolean;
  ipAssignments: string[];
  health: RouterHealth;
  /** ms, when it last became healthy; null when unknown (then it never counts as "healthy long enough"). */
  healthySince: number | null;
}

export type Steering = 'primary' | 'spread';

export interface AutoApprover {
  /** A range: any advertised prefix inside it (or equal to it) is approved. */
  prefix: string;
  /** `member:<addr>` | `name:<member name>` | `tag:<id>=<value>`. */
  approvers: string[];
}

export interface RoutingPolicy {
  steering: Steering;
  /** ms a lower-metric router must have been healthy before it takes a prefix back from the primary. */
  failbackAfter: number;
  autoApprovers: AutoApprover[];
}

/** The member facts auto-approvers match on. */
export interface ApproverMember {
  address: string;
  name?: string | null;
  /** `[[tagId, value], …]`, as on the member record. */
  tags: ReadonlyArray<readonly [number, number]>;
}

export const DEFAULT_METRIC = 100;
export const MAX_METRIC = 65535;
/** Prefixes one member may advertise; matches ZT_MAX_NETWORK_ROUTES, more could never all be pushed. */
export const MAX_ADVERTISED_PREFIXES = 128;
export const DEFAULT_FAILBACK_AFTER = 30_000;
/** Target forms: a prefix, its halves, quarters, eighths. More would cost 16+ routes per prefix. */
export const SLOT_COUNT = 4;

export const DEFAULT_ROUTING_POLICY: Readonly<RoutingPolicy> = Object.freeze({
  steering: 'primary',
  failbackAfter: DEFAULT_FAILBACK_AFTER,
  autoApprovers: [],
});

export type AdvertiseEventType = 'advertised' | 'withdrawn' | 'auto-approved' | 'metric-changed';

export interface AdvertiseEvent {
  type: AdvertiseEventType;
  member: string;
  prefix: string;
  /** One sentence for the event log. */
  reason: string;
}

export interface ApprovalEvent {
  type: 'approved' | 'rejected';
  member: string;
  prefix: string;
  actor: string;
  reason: string;
}

/** One router of a prefix, as selection saw it. */
export interface RouterChoice {
  member: string;
  approved: boolean;
  advertised: boolean;
  metric: number;
  /** Null when the advertiser is not (or no longer) a member the service knows. */
  health: RouterHealth | null;
  slot: number;
  /** The router's first assigned IP of the prefix's family, or null when it has none. */
  via: string | null;
  eligible: boolean;
  /** Why it is not eligible (null when eligible), e.g. `not approved`, `down`. */
  reason: string | null;
  primary: boolean;
  /**
   * Primary mode: its form is sent under the primary's as a standby (shallower, so the primary's
   * wins), so that a move back to it needs no route added (see router-selection.ts).
   */
  standby?: boolean;
  /** Spread mode, routers in the pool: how many members route via it. */
  members?: number;
}

/**
 * How the prefix's primary compares with `previous`: `initial` (none before), `kept`, `failover`
 * (the old one is no longer eligible), `failback` (a lower metric, healthy long enough), `drain`
 * (the old one is draining and another is healthy), `lost` (no eligible router left), `none` (no
 * primary before or after, and spread mode, which has no primary).
 */
export type PrimaryChange = 'initial' | 'kept' | 'failover' | 'failback' | 'drain' | 'lost' | 'none';

export interface PrefixSelection {
  prefix: string;
  steering: Steering;
  /** Every router with a row for the prefix, by address. */
  routers: RouterChoice[];
  /** Primary mode: the chosen router, or null when none is eligible (then no route is pushed). */
  primary: string | null;
  change: PrimaryChange;
  /** Why, in one sentence, for the event log and the API. */
  message: string;
  /** Things an operator should know, e.g. two routers sharing a slot. */
  problems: string[];
}

export interface RouterSelection {
  /** In canonical prefix order. */
  prefixes: PrefixSelection[];
  /** The planner's input, sorted by prefix, target, owner. */
  advertised: AdvertisedRoute[];
  /** Prefix → primary member (primary mode only): pass back as `previous` next time. */
  primaries: Map<string, string>;
}

export interface SelectionInput {
  /** Every advertisement row of the network. */
  advertisements: readonly Advertisement[];
  /** Router facts by member address; an advertiser missing here is not eligible. */
  routers: ReadonlyMap<string, RouterState>;
  /** Authorized member addresses of the network (who may receive routes). */
  members: readonly string[];
  policy: RoutingPolicy;
  /** The last selection's `primaries`. */
  previous: ReadonlyMap<string, string>;
  now: number;
  /** Send standby forms under the chosen router's (default true; false when the route budget is short). */
  standby?: boolean;
}
