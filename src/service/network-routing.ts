// The routing side of every write, for the coordinator (controller-service.ts): re-plan the
// network(s) a change touches, refuse the write when a plan goes over ZeroTier's route limit,
// store the derived IPAM routes, log route events, and hand the new planners to the routing state
// once the write's statements have all succeeded.
import { ErrorCodes, RpError, invalidField, isRpError } from '../core/errors.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import type { ManagedRoute } from '../core/network/network-types.ts';
import type { PlannerChange, RoutePlanner } from '../core/routes/route-planner.ts';
import type { RoutePlan } from '../core/routes/route-types.ts';
import type { NewEvent, StoreReader, StoreTransaction } from '../store/store.ts';
import { ipamRoutesOf, routeChangeEvents } from './route-events.ts';
import {
  checkedLimitFor,
  plannerForStoredData,
  plannerNetworkOf,
  type IpamSnapshot,
  type RoutingState,
} from './routing-state.ts';

/** What one write did to routing, so a failed write can be undone in memory. */
export interface RoutingScope {
  /** Networks whose planner this write replaced. */
  networks: Set<string>;
  ipam: boolean;
  /** Set when a re-plan refused the write: logged after the rollback. */
  limitRejection?: NewEvent;
  /** Networks whose subnet-router rows or selection this write replaced. */
  routerNetworks: Set<string>;
  /** Drain states this write set (other processes adopt them). */
  drains: Array<{ address: string; draining: boolean }>;
  /** Planners to hand over when the write's statements are done, with the network revision. */
  pending: Map<string, { planner: RoutePlanner; revision: number | undefined } | undefined>;
}

export function newRoutingScope(): RoutingScope {
  return { networks: new Set(), ipam: false, pending: new Map(), routerNetworks: new Set(), drains: [] };
}

type EventMaker = (
  networkId: string | null,
  type: string,
  reason: string,
  data: Record<string, unknown>,
) => NewEvent;

/** Plans of the network routes alone (no members), cached by network revision and IPAM version. */
export class NetworkPlans {
  private readonly cache = new Map<
    string,
    { network: NetworkRecord; ipam: IpamSnapshot; planner: RoutePlanner }
  >();

  planner(network: NetworkRecord, ipam: IpamSnapshot): RoutePlanner {
    const hit = this.cache.get(network.id);
    if (hit && hit.network.revision === network.revision && hit.ipam === ipam) return hit.planner;
    const planner = plannerForStoredData({
      network: plannerNetworkOf(network),
      ipam: ipam.subnets,
      members: [],
      advertised: [],
    });
    this.cache.set(network.id, { network, ipam, planner });
    return planner;
  }

  forget(networkId: string): void {
    this.cache.delete(networkId);
  }
}

export class NetworkRouting {
  readonly networkPlans = new NetworkPlans();

  constructor(
    readonly state: RoutingState,
    private readonly makeEvent: EventMaker,
  ) {}

  /** The routes every member of the network gets (manual, IPAM, after aggregation): the stock `routes`. */
  async effectiveRoutes(reader: StoreReader, network: NetworkRecord): Promise<ManagedRoute[]> {
    const plan = (await this.basePlanner(reader, network)).plan;
    return plan.networkRoutes.map((r) => ({ target: r.target, via: r.via }));
  }

  /** The loaded planner, or one for the network routes alone: enough to check limits and log changes. */
  async basePlanner(reader: StoreReader, network: NetworkRecord): Promise<RoutePlanner> {
    const loaded = this.state.loaded(network.id);
    if (loaded) return loaded;
    return this.networkPlans.planner(network, await this.state.ipamIn(reader));
  }

  /** Refuses an `ipamSubnet` that is not an IPAM subnet. */
  async checkIpamSubnet(tx: StoreReader, network: NetworkRecord): Promise<void> {
    if (network.ipamSubnet === null) return;
    const ipam = await this.state.ipamIn(tx);
    if (!ipam.byPrefix(network.ipamSubnet)) {
      throw invalidField(
        'ipamSubnet',
        `${network.ipamSubnet} is not an IPAM subnet; add it first (POST /api/v1/ipam/subnets) or use an existing prefix`,
      );
    }
  }

  /**
   * Posted `routes` that repeat an IPAM or advertised route the network JSON showed (a UI posting the
   * whole object back) are not manual routes: drop them, unless they were manual already.
   */
  dropEchoedRoutes(
    current: NetworkRecord,
    next: NetworkRecord,
    plan: RoutePlan,
  ): { next: NetworkRecord; echoed: ManagedRoute[] } {
    if (next.routes === current.routes) return { next, echoed: [] };
    const key = (r: { target: string; via: string | null }) => `${r.target} ${r.via ?? '-'}`;
    const derived = new Set(plan.networkRoutes.filter((r) => r.source !== 'manual').map(key));
    const manual = new Set(current.routes.map(key));
    const echoed = next.routes.filter((r) => derived.has(key(r)) && !manual.has(key(r)));
    if (echoed.length === 0) return { next, echoed };
    const dropped = new Set(echoed.map(key));
    return { next: { ...next, routes: next.routes.filter((r) => !dropped.has(key(r))) }, echoed };
  }

  /** `planner.update(change)`, turning a route-limit refusal into a logged rejection for this network. */
  replan(
    scope: RoutingScope,
    planner: RoutePlanner,
    change: PlannerChange,
    networkId: string,
    actorName: string,
    why: string,
  ): RoutePlanner {
    try {
      const limit = checkedLimitFor(planner);
      return planner.update(limit === undefined ? change : { ...change, limit });
    } catch (error) {
      if (isRpError(error) && error.code === ErrorCodes.ROUTE_LIMIT) {
        const message = `network ${networkId}: ${error.message}`;
        scope.limitRejection = {
          ...this.makeEvent(networkId, 'route.limit-rejected', `${why} refused: ${error.message}`, {
            change: why,
          }),
          actor: actorName,
        };
        throw new RpError(ErrorCodes.ROUTE_LIMIT, message, error.field);
      }
      throw error;
    }
  }

  /**
   * Writes what a re-plan changed (IPAM routes, events) and queues the planner for hand-over. Returns
   * whether the routes every member shares changed (the network's revision must then move).
   */
  async record(
    tx: StoreTransaction,
    scope: RoutingScope,
    networkId: string,
    before: RoutePlanner | undefined,
    after: RoutePlanner,
    actorName: string,
    why: string,
  ): Promise<boolean> {
    const events = routeChangeEvents(before?.plan, after.plan, why);
    const ipamBefore = before ? ipamRoutesOf(before.plan) : [];
    const ipamAfter = ipamRoutesOf(after.plan);
    if (JSON.stringify(ipamBefore) !== JSON.stringify(ipamAfter)) {
      await tx.putRoutes(networkId, 'ipam', ipamAfter);
    }
    for (const event of events) {
      await tx.appendEvent({
        ...this.makeEvent(networkId, event.type, event.reason, event.data),
        actor: actorName,
      });
    }
    return events.length > 0;
  }

  /**
   * Queue a planner for hand-over, current for network `revision` (default: unchanged). Kept only if
   * the network's full planner was loaded: a plan of the network routes alone is never kept.
   */
  keep(scope: RoutingScope, networkId: string, planner: RoutePlanner | undefined, revision?: number): void {
    const loaded = this.state.loaded(networkId) !== undefined;
    scope.pending.set(networkId, loaded && planner ? { planner, revision } : undefined);
  }

  /** After the write's statements: make its planners current (the write may still fail to commit). */
  handOver(scope: RoutingScope): void {
    for (const [networkId, entry] of scope.pending) {
      scope.networks.add(networkId);
      this.state.setPlanner(networkId, entry?.planner, entry?.revision);
    }
    scope.pending.clear();
  }
}
