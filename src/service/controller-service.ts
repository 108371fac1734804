// The one coordinator that writes. Every change goes through here: validate with the pure core,
// run one store transaction (read, apply, bump revision, write, append an event), then publish the
// change so pushes and other listeners react only to committed state.
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ErrorCodes, RpError, invalidField, isRpError, notFound } from '../core/errors.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import { newMember } from '../core/member/member-defaults.ts';
import { applyMemberUpdate } from '../core/member/member-update.ts';
import { newNetwork } from '../core/network/network-defaults.ts';
import {
  controllerAddressOf,
  isMemberAddress,
  isNetworkId,
  networkIdFor,
} from '../core/network/network-id.ts';
import type { ManagedRoute, NetworkRecord } from '../core/network/network-types.ts';
import { applyNetworkUpdate } from '../core/network/network-update.ts';
import { createRoutePlanner, type RoutePlanner } from '../core/routes/route-planner.ts';
import type {
  EventQuery,
  MemberCounts,
  NewEvent,
  Store,
  StoredEvent,
  ForeignChanges,
  PresenceRecord,
  StoreReader,
  StoreTransaction,
} from '../store/store.ts';
import type { PlannedRoute } from '../core/routes/route-types.ts';
import { routesForClient } from '../core/routes/client-routes.ts';
import {
  memberVariables,
  previewOf,
  routesReport,
  type MemberVariables,
  type PlanPreview,
  type RoutesReport,
} from './route-views.ts';
import { ChangeFeed, type ChangeEvent } from './change-events.ts';
import { announcementOf, parseAnnouncement, type ChangeAnnouncement } from './change-announcements.ts';
import { sameRecord } from './same-record.ts';
import { assignAutomaticIps } from './ip-assigner.ts';
import { decideConfigRequest, type ConfigRequester, type ConfigRequestOutcome } from './config-requests.ts';
import { MemberPresence } from './member-presence.ts';
import { NetworkCache } from './network-cache.ts';
import { ApiTokens } from './api-tokens.ts';
import { IpamService } from './ipam-service.ts';
import { parsePrefix, prefixContainsPrefix, type Prefix } from '../core/cidr/prefix.ts';
import { SubnetRouters, type RouterView } from './subnet-routers.ts';

/** The routes a member's config is built from (see configRoutes); shared, never to be changed. */
export interface ConfigRoutes {
  readonly routes: readonly PlannedRoute[];
  readonly addressRoutes: readonly ManagedRoute[];
}

/** One advertised prefix in the routes report: its routers with approval, health and primary. */
export interface AdvertisedPrefixView {
  prefix: string;
  steering: NetworkRecord['steering'];
  primary: string | null;
  message: string;
  problems: string[];
  routers: RouterView[];
  /**
   * Targets of this prefix withdrawn for now because they change router (the client ignores a new
   * via on a target it holds); they come back via the new router once the withdrawal is applied.
   */
  withdrawn: string[];
}
import { NetworkRouting, newRoutingScope, type RoutingScope } from './network-routing.ts';
import { plannerMemberOf, plannerNetworkOf, RoutingState } from './routing-state.ts';

export interface ControllerServiceOptions {
  store: Store;
  /** This controller's ZeroTier address: the first 10 hex digits of every network it serves. */
  controllerAddress: string;
  clock?: () => number;
  /** Uniform random integer in [0, max); injectable for tests. */
  randomBelow?: (max: number) => number;
  /** How often last-seen times reach the database (ms). */
  presenceFlushMs?: number;
}

/** Who asked for a write; recorded in the event log. */
export interface Actor {
  name: string;
}

const API_ACTOR: Actor = { name: 'api' };
const NETWORK_ID_ATTEMPTS = 1000;

export class ControllerService {
  readonly changes = new ChangeFeed();
  readonly controllerAddress: string;
  private readonly store: Store;
  private readonly clock: () => number;
  private readonly randomBelow: (max: number) => number;
  private readonly presence: MemberPresence;
  private readonly configRoutesMemo = new WeakMap<
    MemberRecord,
    { planner: RoutePlanner; network: NetworkRecord; routes: ConfigRoutes }
  >();
  private readonly networks: NetworkCache;
  /** Set by the protocol side: whether config pushes of a network are queued or being sent. */
  pushActivity: ((networkId: string) => boolean) | undefined;
  private readonly reselectTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Route plans and IPAM in memory; see routing-state.ts. */
  readonly routing: NetworkRouting;
  /** IPAM subnets (/api/v1/ipam). */
  readonly ipam: IpamService;
  /** Named and member-scoped API tokens besides the admin token. */
  readonly tokens: ApiTokens;
  /** Subnet routers: advertisements, approval, health, selection. */
  readonly routers: SubnetRouters;

  constructor(options: ControllerServiceOptions) {
    this.store = options.store;
    this.controllerAddress = options.controllerAddress;
    this.clock = options.clock ?? Date.now;
    this.randomBelow = options.randomBelow ?? ((max) => randomInt(max));
    this.presence = new MemberPresence(
      (entries) => this.store.transaction((tx) => tx.recordPresence(entries)),
      { flushIntervalMs: options.presenceFlushMs },
    );
    this.networks = new NetworkCache((id) => this.store.getNetwork(id));
    this.routing = new NetworkRouting(new RoutingState(), (networkId, type, reason, data) =>
      this.event(networkId, null, type, API_ACTOR, reason, data),
    );
    this.tokens = new ApiTokens(this.store, this.clock);
    this.routers = new SubnetRouters({
      routing: this.routing,
      write: (fn) => this.write(fn),
      clock: this.clock,
      makeEvent: (networkId, member, type, actor, reason, data) =>
        this.event(networkId, member, type, { name: actor }, reason, data),
    });
    this.routing.state.advertisedSource = (reader, network, members) =>
      this.routers.advertisedFor(reader, network, members);
    // Failover and failback are the probing process's decisions (the leader, with PostgreSQL).
    this.routers.onVerdict = (address, networks) => {
      if (!this.routers.probing) return;
      for (const networkId of networks) void this.reselectAfterVerdict(networkId, address);
    };
    this.routers.onReselectDue = (networkId, at, why, options = {}) => {
      if (!this.routers.probing) return;
      const known = this.reselectTimers.get(networkId);
      if (known && known.at <= at) return;
      if (known) clearTimeout(known.timer);
      const timer = setTimeout(
        () => {
          this.reselectTimers.delete(networkId);
          // Withdrawn targets come back only once every member was sent the withdrawal: a member
          // still queued would otherwise get the new via directly, which the client ignores.
          if (options.afterPushes && this.pushActivity?.(networkId)) {
            this.routers.onReselectDue?.(networkId, this.clock() + 200, why, options);
            return;
          }
          void this.reselectAfterVerdict(networkId, null, why);
        },
        Math.max(0, at - this.clock()) + 10,
      );
      timer.unref();
      this.reselectTimers.set(networkId, { at, timer });
    };
    this.ipam = new IpamService({
      store: this.store,
      routing: this.routing,
      write: (fn) => this.write(fn),
      clock: this.clock,
    });
    this.store.onForeignChanges((news) => this.applyForeignChanges(news));
    this.changes.subscribe((event) => {
      if (event.kind === 'network-changed' || event.kind === 'network-deleted')
        this.networks.invalidate(event.networkId);
      if (event.kind === 'network-changed')
        this.routing.state.noteNetworkRevision(event.networkId, event.revision);
      if (event.kind === 'network-deleted') this.presence.forget(event.networkId);
      if (event.kind === 'member-deleted') this.presence.forget(event.networkId, event.address);
    });
  }

  /**
   * Other controller processes on the same database committed writes (PostgreSQL): drop what they
   * made stale, then tell our own listeners, as if the writes were ours (the process serving the
   * members pushes their new configs). Incomplete news drops everything and re-announces every network.
   */
  async applyForeignChanges(news: ForeignChanges): Promise<void> {
    const announcements = news.payloads.map(parseAnnouncement);
    if (!news.complete || announcements.some((a) => a === undefined)) {
      await this.forgetEverything();
      return;
    }
    const events: ChangeEvent[] = [];
    for (const announcement of announcements as ChangeAnnouncement[]) {
      for (const event of announcement.events) {
        this.networks.invalidate(event.networkId);
        this.routing.networkPlans.forget(event.networkId);
        // A member's authorization or IPs feed the planner; a network change its whole input.
        if (event.kind !== 'network-changed') this.routing.state.setPlanner(event.networkId, undefined);
        if (event.kind === 'network-deleted') this.routers.forgetNetwork(event.networkId, true);
        events.push(event);
      }
      for (const id of announcement.planners) this.routing.state.setPlanner(id, undefined);
      // Reloaded at once, not on next use: the prober's targets and verdicts come from these rows.
      for (const id of announcement.routers) {
        this.routers.forgetNetwork(id);
        await this.routers.rowsOf(this.store, id);
      }
      for (const drain of announcement.drains ?? []) {
        this.routers.applyDrain(drain.address, drain.draining);
        // Draining is about the machine: the prober's process moves its other networks too.
        if (this.routers.probing)
          for (const networkId of this.routers.networksOf(drain.address))
            void this.reselectAfterVerdict(networkId, drain.address);
      }
      for (const beat of announcement.heartbeats ?? [])
        if (this.routers.probing) this.routers.noteHealth(beat.address, { kind: 'answer', at: beat.at });
      if (announcement.ipam) this.routing.state.forget([], true);
      if (announcement.tokens) this.tokens.forgetCached();
    }
    this.changes.publish(events);
  }

  /**
   * An agent's proof of life for a router. Health is judged by the probing process; another process
   * passes the heartbeat on through the change log.
   */
  async heartbeat(networkId: string, address: string): Promise<string> {
    const member = await this.getMember(networkId, address);
    const at = this.clock();
    this.routers.noteHealth(member.address, { kind: 'answer', at });
    if (!this.routers.probing) {
      const payload = announcementOf([], undefined, { heartbeats: [{ address: member.address, at }] });
      await this.store.transaction((tx) => tx.announce(JSON.stringify(payload)));
    }
    return this.routers.healthStateOf(member.address);
  }

  /** Drops every cache and announces every network to our listeners (after missed news). */
  private async forgetEverything(): Promise<void> {
    const networks = await this.store.listNetworks();
    const ids = networks.map((network) => network.id);
    for (const id of ids) {
      this.networks.invalidate(id);
      this.routing.networkPlans.forget(id);
    }
    this.routing.state.forget(ids, true);
    this.routers.forgetAll();
    for (const id of await this.store.listAllAdvertisedNetworkIds())
      await this.routers.rowsOf(this.store, id);
    this.tokens.forgetCached();
    this.changes.publish(
      networks.map((network) => ({
        kind: 'network-changed',
        networkId: network.id,
        revision: network.revision,
      })),
    );
  }

  /** Reads for views that need the store directly (routers' rows). */
  get storeReader(): StoreReader {
    return this.store;
  }

  /** Writes pending presence; call before closing the store. */
  async close(): Promise<void> {
    for (const { timer } of this.reselectTimers.values()) clearTimeout(timer);
    this.reselectTimers.clear();
    await this.presence.close();
  }

  // ---- reads -------------------------------------------------------------------------------

  listNetworkIds(): Promise<string[]> {
    return this.store.listNetworkIds();
  }

  listNetworks(): Promise<NetworkRecord[]> {
    return this.store.listNetworks();
  }

  async getNetwork(networkId: string): Promise<NetworkRecord> {
    const network = await this.networks.get(this.checkNetworkId(networkId));
    if (!network) throw notFound(`network ${networkId}`);
    return network;
  }

  /** The stock `routes` of a network: what every member gets, whatever the source. */
  effectiveRoutes(network: NetworkRecord): Promise<ManagedRoute[]> {
    return this.routing.effectiveRoutes(this.store, network);
  }

  /** Every route of the network with its source, owner, status and how many members get it. */
  async routesReport(networkId: string): Promise<RoutesReport & { advertised: AdvertisedPrefixView[] }> {
    const network = await this.getNetwork(networkId);
    const report = routesReport(network, await this.routing.state.planner(this.store, network));
    const views = await this.routers.routerViews(this.store, network.id);
    const selection = this.routers.selectionOf(network.id);
    const withdrawn = this.routers.withdrawnTargets(network.id);
    const advertised: AdvertisedPrefixView[] = [];
    for (const prefix of [...new Set(views.map((v) => v.prefix))]) {
      const chosen = selection?.prefixes.find((p) => p.prefix === prefix);
      advertised.push({
        prefix,
        steering: network.steering,
        primary: chosen?.primary ?? null,
        message: chosen?.message ?? '',
        problems: chosen?.problems ?? [],
        routers: views.filter((v) => v.prefix === prefix),
        withdrawn: withdrawn.filter((t) =>
          prefixContainsPrefix(parsePrefix(prefix) as Prefix, parsePrefix(t) as Prefix),
        ),
      });
    }
    return { ...report, advertised };
  }

  /** Exactly the routes a member is sent in its config, in order. */
  async routesFor(network: NetworkRecord, member: MemberRecord): Promise<PlannedRoute[]> {
    return (await this.plannerFor(network, member)).plan.routesFor(member.address);
  }

  /** The network's planner, knowing `member` as its record says. */
  private async plannerFor(network: NetworkRecord, member: MemberRecord): Promise<RoutePlanner> {
    let planner = await this.routing.state.planner(this.store, network);
    const known = planner.member(member.address);
    // A planner loaded while this member's write was committing may not know it yet: the record wins.
    if (
      !known ||
      known.authorized !== member.authorized ||
      !isDeepStrictEqual(known.ipAssignments, member.ipAssignments)
    ) {
      planner = planner.update({ upsertMembers: [plannerMemberOf(member)] });
    }
    return planner;
  }

  /**
   * What goes into a member's config: its routes as its client must receive them (client-routes.ts)
   * and the routes that give its assigned IPs their prefix length (the network's routes and its own,
   * before any is left out for being via one of its own IPs, as stock does).
   */
  async configRoutes(network: NetworkRecord, member: MemberRecord): Promise<ConfigRoutes> {
    const planner = await this.plannerFor(network, member);
    // Planners and records are replaced, never changed: the same three objects, the same answer
    // (and the same arrays, which lets the config workers skip re-reading them).
    const last = this.configRoutesMemo.get(member);
    if (last !== undefined && last.planner === planner && last.network === network) return last.routes;
    const planned = planner.plan.routesFor(member.address);
    const routes: ConfigRoutes = {
      routes: routesForClient(planned, member.osArch),
      addressRoutes: [...planner.plan.networkRoutes, ...planned, ...network.routes],
    };
    this.configRoutesMemo.set(member, { planner, network, routes });
    return routes;
  }

  /** A member's routes as `GET …/members/<addr>/routes` shows them, with the revisions they belong to. */
  async memberRoutes(
    networkId: string,
    address: string,
  ): Promise<{
    revision: number;
    memberRevision: number;
    /** The client's platform (`linux/x86_64` …): Linux members get on-link IPv4 routes via 0.0.0.0. */
    platform: string | null;
    routes: Array<Pick<PlannedRoute, 'target' | 'via' | 'source'>>;
  }> {
    const { member, network } = await this.getMemberWithNetwork(networkId, address);
    const { routes } = await this.configRoutes(network, member);
    return {
      revision: network.revision,
      memberRevision: member.revision,
      platform: member.osArch ?? null,
      routes: routes.map((r) => ({ target: r.target, via: r.via, source: r.source })),
    };
  }

  /** `ipamSubnet`, `ipamChildSubnet` and friends for templates. */
  async memberVariables(networkId: string, address: string): Promise<MemberVariables> {
    const { member, network } = await this.getMemberWithNetwork(networkId, address);
    return memberVariables(network, member, await this.routing.state.ipamSnapshot(this.store));
  }

  /** `ipamSubnet`/`ipamChildSubnet` of the network's members, for the member JSON. */
  async ipamFieldsOf(
    network: NetworkRecord,
  ): Promise<(member: MemberRecord) => { ipamSubnet: string | null; ipamChildSubnet: string | null }> {
    const ipam = await this.routing.state.ipamSnapshot(this.store);
    return (member) => {
      const vars = memberVariables(network, member, ipam);
      return { ipamSubnet: vars.ipamSubnet, ipamChildSubnet: vars.ipamChildSubnet };
    };
  }

  /** What a network change (a stock network body) would do to everyone's routes; writes nothing. */
  async previewNetworkChange(networkId: string, body: unknown): Promise<PlanPreview> {
    const network = await this.getNetwork(networkId);
    const before = await this.routing.state.planner(this.store, network);
    let after;
    try {
      // Over the limit is an answer here, whether the body alone (129 routes) or the plan says so.
      const { next } = this.routing.dropEchoedRoutes(network, applyNetworkUpdate(network, body), before.plan);
      await this.routing.checkIpamSubnet(this.store, next);
      after = before.update({ network: plannerNetworkOf(next) });
    } catch (error) {
      if (!isRpError(error) || error.code !== ErrorCodes.ROUTE_LIMIT) throw error;
      return {
        outcome: 'rejected',
        error: { code: error.code, message: error.message },
        network: { added: [], removed: [] },
        members: [],
        membersChanged: 0,
        membersUnchanged: 0,
        aggregated: null,
        problems: [],
      };
    }
    return previewOf(before, after);
  }

  listEvents(query: EventQuery): Promise<StoredEvent[]> {
    return this.store.listEvents(query);
  }

  async listMembers(networkId: string): Promise<MemberRecord[]> {
    await this.getNetwork(networkId);
    return (await this.store.listMembers(networkId.toLowerCase())).map((member) => this.withPresence(member));
  }

  /** Addresses of the network's active bridges (netconf specialists). */
  activeBridges(networkId: string): Promise<string[]> {
    return this.store.listActiveBridges(networkId);
  }

  /** The identity stored for an address that passed validation before, if any. */
  /** Members seen since `since` (ms) with their last physical address (a takeover contacts them). */
  recentlySeen(since: number): Promise<PresenceRecord[]> {
    return this.store.listRecentlySeen(since);
  }

  knownIdentity(address: string): Promise<string | undefined> {
    return this.store.getKnownIdentity(address);
  }

  /**
   * The identity a node had here before: one validated earlier, else the one pinned on a member
   * record (imported from another controller; the protocol layer validates it before use). For a
   * root that hears from a node it cannot understand after a restart or a takeover.
   */
  async pinnedIdentity(address: string): Promise<string | undefined> {
    const known = await this.store.getKnownIdentity(address);
    if (known !== undefined) return known;
    for (const networkId of await this.store.listNetworkIds()) {
      const identity = (await this.store.getMember(networkId, address))?.identity;
      if (identity !== undefined) return identity;
    }
    return undefined;
  }

  /** Remembers an identity that passed the memory-hard validation. */
  async rememberIdentity(address: string, identity: string): Promise<void> {
    await this.store.transaction((tx) => tx.rememberIdentity(address, identity, this.clock()));
  }

  /** A member was heard from (config request, HELLO); reaches the database in batches. */
  notePresence(networkId: string, address: string, time: number, physicalAddress: string): void {
    this.presence.note({ networkId, address, lastSeen: time, physicalAddress });
    this.routers.noteActivity(address, time);
  }

  async listMemberRevisions(networkId: string): Promise<Array<[string, number]>> {
    await this.getNetwork(networkId);
    return this.store.listMemberRevisions(networkId.toLowerCase());
  }

  async countMembers(networkId: string): Promise<MemberCounts> {
    return this.store.countMembers(networkId.toLowerCase());
  }

  async getMember(networkId: string, address: string): Promise<MemberRecord> {
    const id = this.checkNetworkId(networkId);
    const addr = this.checkMemberAddress(address);
    const member = await this.store.getMember(id, addr);
    if (!member) {
      if (!(await this.networks.get(id))) throw notFound(`network ${id}`);
      throw notFound(`member ${addr} of network ${id}`);
    }
    return this.withPresence(member);
  }

  /**
   * A member with its network, as the member endpoints answer them: the network comes from the
   * cache, so this is one member query (the GET member hot path).
   */
  async getMemberWithNetwork(
    networkId: string,
    address: string,
  ): Promise<{ member: MemberRecord; network: NetworkRecord }> {
    const id = this.checkNetworkId(networkId);
    const addr = this.checkMemberAddress(address);
    const network = await this.networks.get(id);
    if (!network) throw notFound(`network ${id}`);
    const member = await this.store.getMember(id, addr);
    if (!member) throw notFound(`member ${addr} of network ${id}`);
    return { member: this.withPresence(member), network };
  }

  /**
   * The network's members in address order, `pageSize` at a time (keyset pagination), each with its
   * fresh presence: lists any number of members in flat memory. Each page is its own read, so a
   * change made while the list runs may or may not show, as with the stock controller.
   */
  async *memberPages(networkId: string, pageSize = 1000): AsyncGenerator<MemberRecord[], void, undefined> {
    const id = (await this.getNetwork(networkId)).id;
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listMembersPage(id, after, pageSize);
      if (page.length > 0) {
        after = page[page.length - 1]!.address;
        yield page.map((member) => this.withPresence(member));
      }
      if (page.length < pageSize) return;
    }
  }

  // ---- network writes ----------------------------------------------------------------------

  /** Creates a network with a random free ID under this controller's address (stock POST). */
  async createNetwork(body: unknown, actor: Actor = API_ACTOR): Promise<NetworkRecord> {
    return this.write(async (tx, changes, scope) => {
      const id = await this.pickFreeNetworkId(tx);
      return this.createNetworkIn(tx, changes, scope, id, body, actor);
    });
  }

  /**
   * Stock `POST /controller/network/<nwid>`: updates the network, or creates it with that ID when it
   * does not exist yet (the ID must belong to this controller).
   */
  async upsertNetwork(networkId: string, body: unknown, actor: Actor = API_ACTOR): Promise<NetworkRecord> {
    const id = this.checkNetworkId(networkId);
    if (controllerAddressOf(id) !== this.controllerAddress) {
      throw invalidField(
        'nwid',
        `${id} does not belong to this controller (its first 10 digits must be ${this.controllerAddress})`,
      );
    }
    return this.write(async (tx, changes, scope) => {
      const current = await tx.getNetwork(id);
      if (!current) return this.createNetworkIn(tx, changes, scope, id, body, actor);
      const base = await this.routing.basePlanner(tx, current);
      const { next, echoed } = this.routing.dropEchoedRoutes(
        current,
        applyNetworkUpdate(current, body),
        base.plan,
      );
      await this.routing.checkIpamSubnet(tx, next);
      if (sameRecord(current, next)) return current;
      next.revision = current.revision + 1;
      const why = 'network updated through the API';
      const after = routingChanged(current, next)
        ? this.routing.replan(scope, base, { network: plannerNetworkOf(next) }, id, actor.name, why)
        : base;
      await tx.putNetwork(next);
      const data: Record<string, unknown> = { revision: next.revision, changed: changedKeys(current, next) };
      if (echoed.length > 0) data.echoedRoutesIgnored = echoed;
      await tx.appendEvent(this.event(id, null, 'network.updated', actor, why, data));
      await this.routing.record(tx, scope, id, base, after, actor.name, why);
      this.routing.keep(scope, id, after, next.revision);
      changes.push({ kind: 'network-changed', networkId: id, revision: next.revision });
      this.routing.handOver(scope);
      if (POLICY_KEYS.some((key) => !isDeepStrictEqual(current[key], next[key])))
        await this.routers.reselectIn(tx, changes, scope, next, actor.name, 'routing policy changed', {
          revisionBumped: true,
        });
      return next;
    });
  }

  async deleteNetwork(networkId: string, actor: Actor = API_ACTOR): Promise<NetworkRecord> {
    const id = this.checkNetworkId(networkId);
    return this.write(async (tx, changes, scope) => {
      const current = await tx.getNetwork(id);
      if (!current) throw notFound(`network ${id}`);
      await tx.deleteNetwork(id);
      this.routers.forgetNetwork(id, true);
      this.routing.keep(scope, id, undefined);
      this.routing.networkPlans.forget(id);
      this.routing.handOver(scope);
      await tx.appendEvent(
        this.event(id, null, 'network.deleted', actor, 'network deleted through the API', {}),
      );
      changes.push({ kind: 'network-deleted', networkId: id });
      return current;
    });
  }

  // ---- member writes -----------------------------------------------------------------------

  /** Stock `POST /controller/network/<nwid>/member/<addr>`: creates or updates the member. */
  async upsertMember(
    networkId: string,
    address: string,
    body: unknown,
    actor: Actor = API_ACTOR,
  ): Promise<MemberRecord> {
    const id = this.checkNetworkId(networkId);
    const addr = this.checkMemberAddress(address);
    return this.write(async (tx, changes, scope) => {
      const network = await tx.getNetwork(id);
      if (!network) throw notFound(`network ${id}`);
      const now = this.clock();
      const existing = await tx.getMember(id, addr);
      const current = existing ?? newMember(id, addr, now);
      const next = applyMemberUpdate(current, body, now);
      await assignAutomaticIps(
        tx,
        network,
        next,
        () => this.randomBelow(2 ** 32) / 2 ** 32,
        await this.routing.effectiveRoutes(tx, network),
      );
      if (existing && sameRecord(existing, next)) return existing;
      next.revision = current.revision + 1;
      await tx.putMember(next);
      for (const event of memberEvents(existing, next)) {
        await tx.appendEvent(this.event(id, addr, event.type, actor, event.reason, event.data));
      }
      await this.replanMember(tx, changes, scope, next, actor, existing?.authorized ?? false);
      changes.push({
        kind: 'member-changed',
        networkId: id,
        address: addr,
        revision: next.revision,
        authorized: next.authorized,
        wasAuthorized: existing?.authorized ?? false,
      });
      return next;
    });
  }

  async deleteMember(networkId: string, address: string, actor: Actor = API_ACTOR): Promise<MemberRecord> {
    const id = this.checkNetworkId(networkId);
    const addr = this.checkMemberAddress(address);
    return this.write(async (tx, changes, scope) => {
      const current = await tx.getMember(id, addr);
      if (!current) {
        if (!(await tx.getNetwork(id))) throw notFound(`network ${id}`);
        throw notFound(`member ${addr} of network ${id}`);
      }
      const wasRouter = (await this.routers.rowsOf(tx, id)).some((r) => r.member === addr);
      await tx.deleteMember(id, addr);
      const loaded = this.routing.state.loaded(id);
      this.routing.keep(scope, id, loaded?.update({ removeMembers: [addr] }));
      this.routing.handOver(scope);
      if (wasRouter) {
        this.routers.forgetMember(id, addr);
        scope.routerNetworks.add(id);
        const network = (await tx.getNetwork(id))!;
        await this.routers.reselectIn(tx, changes, scope, network, actor.name, `router ${addr} deleted`);
      }
      await tx.appendEvent(
        this.event(id, addr, 'member.deleted', actor, 'member deleted through the API', {}),
      );
      changes.push({ kind: 'member-deleted', networkId: id, address: addr });
      return current;
    });
  }

  // ---- protocol writes ---------------------------------------------------------------------

  /**
   * A member asked for its network config: create or update its record as the stock controller
   * does and say whether it gets a config. Writes only when the record changed.
   */
  async handleConfigRequest(request: ConfigRequester): Promise<ConfigRequestOutcome> {
    const networkId = this.checkNetworkId(request.networkId);
    const address = this.checkMemberAddress(request.address);
    const normalized = { ...request, networkId, address };
    const actor: Actor = { name: 'protocol' };
    return this.write(async (tx, changes, scope) => {
      const now = this.clock();
      const decision = await decideConfigRequest(
        tx,
        normalized,
        now,
        () => this.randomBelow(2 ** 32) / 2 ** 32,
        (network) => this.routing.effectiveRoutes(tx, network),
      );
      if (decision.write) {
        await tx.putMember(decision.write);
        for (const event of decision.events) {
          await tx.appendEvent(this.event(networkId, address, event.type, actor, event.reason, event.data));
        }
        await this.replanMember(tx, changes, scope, decision.write, actor, decision.previouslyAuthorized);
        changes.push({
          kind: 'member-changed',
          networkId,
          address,
          revision: decision.write.revision,
          authorized: decision.write.authorized,
          wasAuthorized: decision.previouslyAuthorized,
        });
      }
      return decision.outcome;
    });
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Overlays the in-memory last-seen data, fresher than what was last flushed. */
  private withPresence(member: MemberRecord): MemberRecord {
    const seen = this.presence.get(member.networkId, member.address);
    if (!seen || (member.lastSeen !== undefined && member.lastSeen >= seen.lastSeen)) return member;
    return { ...member, lastSeen: seen.lastSeen, physicalAddress: seen.physicalAddress };
  }

  /**
   * A member record changed: patch the network's planner if it is in memory, and re-select routers
   * when the member is one (its authorization or addresses decide whether it can carry routes).
   */
  private async replanMember(
    tx: StoreTransaction,
    changes: ChangeEvent[],
    scope: RoutingScope,
    member: MemberRecord,
    actor: Actor,
    wasAuthorized: boolean,
  ): Promise<void> {
    const loaded = this.routing.state.loaded(member.networkId);
    this.routing.keep(scope, member.networkId, loaded?.update({ upsertMembers: [plannerMemberOf(member)] }));
    this.routing.handOver(scope);
    const rows = await this.routers.rowsOf(tx, member.networkId);
    // A router's own change may move routes; any member's authorization changes who receives them
    // (routes of a prefix with several routers are sent to a member list, routers left out).
    // At 100,000 members this re-selection costs ~0.25 s per authorization change, hence only when
    // a member list is in use (a planner "everyone but the routers" audience would remove it).
    const audienceChanged =
      member.authorized !== wasAuthorized && this.routers.usesMemberLists(member.networkId);
    if (rows.some((r) => r.member === member.address) || audienceChanged) {
      const network = (await tx.getNetwork(member.networkId))!;
      await this.routers.reselectIn(
        tx,
        changes,
        scope,
        network,
        actor.name,
        `router ${member.address} changed`,
      );
    }
  }

  /** A router's health verdict changed: re-select the routers of one network it serves. */
  private async reselectAfterVerdict(
    networkId: string,
    address: string | null,
    scheduled = 'a scheduled re-selection',
  ): Promise<void> {
    try {
      await this.write(async (tx, changes, scope) => {
        const network = await tx.getNetwork(networkId);
        if (!network) return;
        const why =
          address === null ? scheduled : `router ${address} is ${this.routers.healthOf(address).liveness}`;
        if (address !== null) {
          const health = this.routers.healthOf(address);
          await tx.appendEvent(
            this.event(networkId, address, 'router.health', { name: 'health' }, why, {
              state: this.routers.healthStateOf(address),
              since: health.since,
              lastHeard: health.lastHeard,
            }),
          );
        }
        await this.routers.reselectIn(tx, changes, scope, network, 'health', why);
      });
    } catch {
      // The routes stay as they were; the next verdict or write tries again.
    }
  }

  /**
   * Runs one transaction and publishes its changes only after it committed. A failed write drops the
   * routing state it handed over (the next use reloads it) and logs a route-limit refusal.
   */
  async write<T>(
    fn: (tx: StoreTransaction, changes: ChangeEvent[], scope: RoutingScope) => Promise<T>,
  ): Promise<T> {
    const changes: ChangeEvent[] = [];
    const scope = newRoutingScope();
    let result: T;
    try {
      result = await this.store.transaction(async (tx) => {
        const value = await fn(tx, changes, scope);
        const announcement = announcementOf(changes, scope, { drains: scope.drains });
        if (announcement) await tx.announce(JSON.stringify(announcement));
        return value;
      });
    } catch (error) {
      this.routing.state.forget(scope.networks, scope.ipam);
      this.routers.forget(scope.routerNetworks);
      const rejection = scope.limitRejection;
      if (rejection) {
        // Its own transaction: the refused write left nothing, but the refusal is worth knowing.
        await this.store.transaction((tx) => tx.appendEvent(rejection)).catch(() => undefined);
      }
      throw error;
    }
    this.changes.publish(changes);
    return result;
  }

  private async createNetworkIn(
    tx: StoreTransaction,
    changes: ChangeEvent[],
    scope: RoutingScope,
    id: string,
    body: unknown,
    actor: Actor,
  ): Promise<NetworkRecord> {
    const network = applyNetworkUpdate(newNetwork(id, this.clock()), body ?? {});
    network.revision = 1;
    await this.routing.checkIpamSubnet(tx, network);
    const why = 'network created through the API';
    const empty = createRoutePlanner({
      network: plannerNetworkOf(newNetwork(id, 0)),
      ipam: (await this.routing.state.ipamIn(tx)).subnets,
      members: [],
      advertised: [],
    });
    const planned = this.routing.replan(
      scope,
      empty,
      { network: plannerNetworkOf(network) },
      id,
      actor.name,
      why,
    );
    await tx.putNetwork(network);
    await tx.appendEvent(this.event(id, null, 'network.created', actor, why, {}));
    await this.routing.record(tx, scope, id, undefined, planned, actor.name, why);
    this.routing.keep(scope, id, planned, network.revision);
    changes.push({ kind: 'network-changed', networkId: id, revision: network.revision });
    this.routing.handOver(scope);
    return network;
  }

  private async pickFreeNetworkId(tx: StoreTransaction): Promise<string> {
    for (let attempt = 0; attempt < NETWORK_ID_ATTEMPTS; attempt++) {
      const id = networkIdFor(this.controllerAddress, this.randomBelow(0x1000000));
      if (!(await tx.getNetwork(id))) return id;
    }
    throw new RpError(ErrorCodes.EXHAUSTED, 'no free network ID found under this controller address');
  }

  private checkNetworkId(networkId: string): string {
    if (!isNetworkId(networkId))
      throw invalidField('nwid', `"${networkId}" is not a 16-digit hex network ID`);
    return networkId.toLowerCase();
  }

  private checkMemberAddress(address: string): string {
    if (!isMemberAddress(address)) {
      throw invalidField('address', `"${address}" is not a valid 10-digit hex ZeroTier address`);
    }
    return address.toLowerCase();
  }

  private event(
    networkId: string | null,
    memberAddress: string | null,
    type: string,
    actor: Actor,
    reason: string,
    data: Record<string, unknown>,
  ): NewEvent {
    return { time: this.clock(), networkId, memberAddress, type, actor: actor.name, reason, data };
  }
}

interface MemberEventSpec {
  type: string;
  reason: string;
  data: Record<string, unknown>;
}

function memberEvents(before: MemberRecord | undefined, after: MemberRecord): MemberEventSpec[] {
  const events: MemberEventSpec[] = [];
  if (!before) events.push({ type: 'member.created', reason: 'member created through the API', data: {} });
  if ((before?.authorized ?? false) !== after.authorized) {
    events.push(
      after.authorized
        ? { type: 'member.authorized', reason: 'authorized through the API', data: {} }
        : { type: 'member.deauthorized', reason: 'deauthorized through the API', data: {} },
    );
  }
  const ipsBefore = before?.ipAssignments ?? [];
  if (!isDeepStrictEqual(ipsBefore, after.ipAssignments)) {
    events.push({
      type: 'member.ips-changed',
      reason: 'IP assignments changed',
      data: { before: ipsBefore, after: after.ipAssignments },
    });
  }
  return events;
}

const POLICY_KEYS = ['steering', 'failbackAfter', 'autoApprovers'] as const;

const ROUTING_KEYS = ['routes', 'ipamSubnet', 'routesFromIpam', 'ipamGateway', 'routeLimitStrategy'] as const;

function routingChanged(before: NetworkRecord, after: NetworkRecord): boolean {
  return ROUTING_KEYS.some((key) => !isDeepStrictEqual(before[key], after[key]));
}

function changedKeys(before: NetworkRecord, after: NetworkRecord): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((key) => key !== 'revision')
    .filter(
      (key) =>
        !sameRecord(
          (before as unknown as Record<string, unknown>)[key],
          (after as unknown as Record<string, unknown>)[key],
        ),
    )
    .sort();
}
