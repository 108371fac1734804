// What the route planner needs, kept in memory: the IPAM subnets and one planner per network. Built
// from the store on first use and then kept current by the writes themselves, so serving a member
// its routes costs no query and a write re-plans incrementally (src/core/routes/route-planner.ts).
//
// Consistency: writes run one after another (the store serialises them), and each write hands its
// new state over only once all its statements have succeeded. If the write then fails anyway (a
// failed COMMIT), the caller drops what it touched and the next use reloads from the store. A load
// outside a write can race with a write that commits meanwhile; every write bumps a generation
// counter, and a load that saw the counter move is used once but not kept.
import type { MemberRecord } from '../core/member/member-types.ts';
import type { IpamSubnet } from '../core/ipam/ipam-types.ts';
import { createChildSubnetLookup, type ChildSubnetLookup } from '../core/ipam/child-subnet.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import { ErrorCodes, isRpError } from '../core/errors.ts';
import { ZT_MAX_NETWORK_ROUTES } from '../core/network/limits.ts';
import { createRoutePlanner, type RoutePlanner } from '../core/routes/route-planner.ts';
import type {
  AdvertisedRoute,
  PlannerInput,
  PlannerMember,
  PlannerNetwork,
} from '../core/routes/route-types.ts';
import type { MemberRouteFacts, StoredIpamSubnet, StoreReader } from '../store/store.ts';

/** The advertised routes of a network being loaded (subnet routers' selection). */
/**
 * The advertised routes of a network; `lean`, when given, makes a smaller list to plan with when
 * `advertised` does not fit the route limit (subnet routers' standby forms left out). Only called
 * then: it re-runs router selection.
 */
export type AdvertisedSource = (
  reader: StoreReader,
  network: NetworkRecord,
  members: readonly MemberRouteFacts[],
) => Promise<{ advertised: AdvertisedRoute[]; lean?: () => AdvertisedRoute[] }>;

export function plannerNetworkOf(network: NetworkRecord): PlannerNetwork {
  return {
    id: network.id,
    manualRoutes: network.routes,
    ipamSubnet: network.ipamSubnet,
    routesFromIpam: network.routesFromIpam,
    ipamGateway: network.ipamGateway,
    routeLimitStrategy: network.routeLimitStrategy,
  };
}

export function plannerMemberOf(member: MemberRecord): PlannerMember {
  return { address: member.address, authorized: member.authorized, ipAssignments: member.ipAssignments };
}

/** The network revision a loaded planner was built from. */
const builtRevision = new WeakMap<RoutePlanner, number>();

/** A limit no stored network reaches: plans of over-limit stored data are built with it. */
const UNCHECKED_LIMIT = 1_000_000;

/** Why a stored network's plan is over ZeroTier's limit (it was written around the API, e.g. imported). */
const overLimit = new WeakMap<RoutePlanner, string>();

export function overLimitReason(planner: RoutePlanner): string | undefined {
  return overLimit.get(planner);
}

/**
 * A planner for stored data. Writes never store a network over the route limit, but data written
 * around the API can be: rather than serving nothing, plan it unchecked (members then get the first
 * 128 routes, as stock does) and say so in the routes report.
 */
export function plannerForStoredData(input: PlannerInput): RoutePlanner {
  try {
    return createRoutePlanner(input);
  } catch (error) {
    if (!isRpError(error) || error.code !== ErrorCodes.ROUTE_LIMIT) throw error;
    const planner = createRoutePlanner({ ...input, limit: UNCHECKED_LIMIT });
    overLimit.set(planner, error.message);
    return planner;
  }
}

/** Changes to an unchecked planner put the real limit back, so the next write is checked again. */
export function checkedLimitFor(planner: RoutePlanner): number | undefined {
  return planner.plan.limit === UNCHECKED_LIMIT ? ZT_MAX_NETWORK_ROUTES : undefined;
}

export class IpamSnapshot {
  private lookup: ChildSubnetLookup | undefined;

  constructor(readonly subnets: readonly StoredIpamSubnet[]) {}

  /** The deepest IPAM subnet strictly below `networkSubnet` holding `ip`, or null. */
  childSubnetOf(networkSubnet: string, ip: string): IpamSubnet | null {
    this.lookup ??= createChildSubnetLookup(this.subnets);
    return this.lookup(networkSubnet, ip);
  }

  byPrefix(prefix: string): StoredIpamSubnet | undefined {
    return this.subnets.find((s) => s.prefix === prefix);
  }
}

export class RoutingState {
  private ipam: IpamSnapshot | undefined;
  private ipamLoading: Promise<IpamSnapshot> | undefined;
  private ipamGeneration = 0;
  /** Each planner with the network revision it is current for. */
  private readonly planners = new Map<string, { planner: RoutePlanner; revision: number }>();
  private readonly loading = new Map<string, Promise<RoutePlanner>>();
  private readonly generations = new Map<string, number>();
  /** Set by the service once subnet routers exist. */
  advertisedSource: AdvertisedSource | undefined;

  /** The IPAM as committed (or as the current write left it). */
  async ipamSnapshot(reader: StoreReader): Promise<IpamSnapshot> {
    if (this.ipam) return this.ipam;
    if (this.ipamLoading) return this.ipamLoading;
    const generation = this.ipamGeneration;
    const load = reader.listIpamSubnets().then((subnets) => {
      const snapshot = new IpamSnapshot(subnets);
      if (generation === this.ipamGeneration) this.ipam = snapshot;
      return snapshot;
    });
    this.ipamLoading = load;
    try {
      return await load;
    } finally {
      if (this.ipamLoading === load) this.ipamLoading = undefined;
    }
  }

  /** Inside a write: reads through the transaction, never the shared load (it may be stale). */
  async ipamIn(tx: StoreReader): Promise<IpamSnapshot> {
    return this.ipam ?? new IpamSnapshot(await tx.listIpamSubnets());
  }

  /** A write changed the IPAM: keep its result. */
  setIpam(subnets: readonly StoredIpamSubnet[]): void {
    this.ipamGeneration++;
    this.ipam = new IpamSnapshot(subnets);
  }

  /** The network's planner, loaded with committed data when it is not in memory. */
  async planner(reader: StoreReader, network: NetworkRecord): Promise<RoutePlanner> {
    const known = this.planners.get(network.id);
    if (known) return known.planner;
    const pending = this.loading.get(network.id);
    if (pending) return pending;
    const generation = this.generations.get(network.id) ?? 0;
    const ipamGeneration = this.ipamGeneration;
    const load = this.build(reader, network).then((planner) => {
      const unchanged =
        (this.generations.get(network.id) ?? 0) === generation && this.ipamGeneration === ipamGeneration;
      if (unchanged && !this.planners.has(network.id))
        this.planners.set(network.id, { planner, revision: builtRevision.get(planner) ?? network.revision });
      return planner;
    });
    this.loading.set(network.id, load);
    try {
      return await load;
    } finally {
      if (this.loading.get(network.id) === load) this.loading.delete(network.id);
    }
  }

  /** Inside a write: the planner in memory, or one built through the transaction. */
  async plannerIn(tx: StoreReader, network: NetworkRecord): Promise<RoutePlanner> {
    return this.planners.get(network.id)?.planner ?? this.build(tx, network);
  }

  /** The planner in memory, if any (member writes only patch a loaded one). */
  loaded(networkId: string): RoutePlanner | undefined {
    return this.planners.get(networkId)?.planner;
  }

  /**
   * A write changed the network: keep its planner, current for `revision` (default: the revision
   * it had), or drop it with `undefined`.
   */
  setPlanner(networkId: string, planner: RoutePlanner | undefined, revision?: number): void {
    this.touch(networkId);
    const known = this.planners.get(networkId);
    if (planner && (revision ?? known?.revision) !== undefined)
      this.planners.set(networkId, { planner, revision: (revision ?? known?.revision)! });
    else this.planners.delete(networkId);
  }

  /**
   * A network changed. Writes of this service hand their planner over before announcing the change,
   * so a revision the planner does not know means the change was made elsewhere (another process,
   * or data written around the service): forget it and reload on next use.
   */
  noteNetworkRevision(networkId: string, revision: number): void {
    const known = this.planners.get(networkId);
    // Older announcements of our own writes arrive after the planner moved on; only newer ones are news.
    if (known && revision > known.revision) this.setPlanner(networkId, undefined);
  }

  /** A write touched the network without re-planning: loads in flight must not be kept. */
  touch(networkId: string): void {
    this.generations.set(networkId, (this.generations.get(networkId) ?? 0) + 1);
  }

  /** Forget what a failed write may have left behind. */
  forget(networkIds: Iterable<string>, ipam: boolean): void {
    for (const id of networkIds) this.setPlanner(id, undefined);
    if (ipam) {
      this.ipamGeneration++;
      this.ipam = undefined;
    }
  }

  private async build(reader: StoreReader, given: NetworkRecord): Promise<RoutePlanner> {
    // The caller's record may be older than the store's (read before a write it then waited out).
    const network = (await reader.getNetwork(given.id)) ?? given;
    const ipam = await this.ipamIn(reader);
    const members = await reader.listMemberRouteFacts(network.id);
    const source = (await this.advertisedSource?.(reader, network, members)) ?? { advertised: [] };
    const input = { network: plannerNetworkOf(network), ipam: ipam.subnets, members };
    let planner: RoutePlanner | undefined;
    if (source.lean !== undefined) {
      try {
        planner = createRoutePlanner({ ...input, advertised: source.advertised });
      } catch (error) {
        if (!isRpError(error) || error.code !== ErrorCodes.ROUTE_LIMIT) throw error;
      }
    }
    planner ??= plannerForStoredData({ ...input, advertised: source.lean?.() ?? source.advertised });
    builtRevision.set(planner, network.revision);
    return planner;
  }
}
