// Subnet routers (issue 5): members advertise prefixes, operators or auto-approvers approve them,
// probes judge each router's health, and selection (src/core/routers) picks who carries each
// prefix. Every decision that changes what members are sent is a write of the coordinator: rows
// updated, network revision bumped (so every online member gets a fresh config at once), events
// logged with the reason and timing. Health itself lives in memory (probes every two seconds are
// not worth a disk write each); only verdict changes reach the store.
import { ErrorCodes, RpError, invalidField, notFound } from '../core/errors.ts';
import {
  healthState,
  initialHealth,
  nextHealth,
  type HealthInput,
  type RouterHealthRecord,
} from '../core/liveness/router-health.ts';
import { isMemberAddress } from '../core/network/network-id.ts';
import { comparePrefixTexts } from '../core/cidr/prefix-order.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import { planAdvertise } from '../core/routers/advertise.ts';
import { approveAdvertisement, parseApprovalRequest, rejectAdvertisement } from '../core/routers/approval.ts';
import { selectRouters } from '../core/routers/router-selection.ts';
import { withdrawFirst } from '../core/routers/withdraw-first.ts';
import { ErrorCodes as CoreCodes, isRpError } from '../core/errors.ts';
import type {
  Advertisement,
  PrefixSelection,
  RouterSelection,
  RouterState,
  RoutingPolicy,
} from '../core/routers/router-types.ts';
import type { RoutePlanner } from '../core/routes/route-planner.ts';
import type { AdvertisedRoute } from '../core/routes/route-types.ts';
import type {
  MemberRouteFacts,
  NewEvent,
  StoredAdvertisement,
  StoreReader,
  StoreTransaction,
} from '../store/store.ts';
import type { ChangeEvent } from './change-events.ts';
import type { NetworkRouting, RoutingScope } from './network-routing.ts';

type WriteFn = <T>(
  fn: (tx: StoreTransaction, changes: ChangeEvent[], scope: RoutingScope) => Promise<T>,
) => Promise<T>;

export interface SubnetRoutersOptions {
  routing: NetworkRouting;
  write: WriteFn;
  clock: () => number;
  makeEvent: (
    networkId: string,
    member: string | null,
    type: string,
    actor: string,
    reason: string,
    data: Record<string, unknown>,
  ) => NewEvent;
  /**
   * After the members' pushes of a withdrawal went out, how long before the withdrawn targets are
   * sent again via their new router (default 1 s: the client spends about that removing each).
   */
  withdrawHoldMs?: number;
}

/** A push that withdrew targets changing via; they come back via their new router after it. */
interface Withdrawal {
  /** What members held before the withdrawal (its targets must not be re-sent via another router yet). */
  base: AdvertisedRoute[];
  targets: string[];
  until: number;
}

export interface RouterView {
  member: string;
  prefix: string;
  metric: number;
  advertised: boolean;
  approved: boolean;
  approvedBy: string | null;
  primary: boolean;
  /** Primary mode: its routes are sent under the primary's, ready for a move back (no route to add). */
  standby: boolean;
  health: string | null;
  eligible: boolean;
  reason: string | null;
  via: string | null;
  slot: number;
  /** Spread mode: members routed via this router. */
  members?: number;
  advertisedAt: number | null;
  approvedAt: number | null;
}

/** See SubnetRoutersOptions.withdrawHoldMs. */
export const DEFAULT_WITHDRAW_HOLD_MS = 1000;

export function policyOf(network: NetworkRecord): RoutingPolicy {
  return {
    steering: network.steering,
    failbackAfter: network.failbackAfter,
    autoApprovers: network.autoApprovers,
  };
}

function toCore(row: StoredAdvertisement): Advertisement {
  return {
    member: row.member,
    prefix: row.prefix,
    metric: row.metric,
    advertised: row.advertised,
    approved: row.approved,
    approvedBy: row.approvedBy,
    slot: row.slot,
    advertisedAt: row.advertisedAt,
    approvedAt: row.approvedAt,
    updatedAt: row.updatedAt,
  };
}

function sameAdvertised(a: readonly AdvertisedRoute[], b: readonly AdvertisedRoute[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SubnetRouters {
  /** Health per router address (a router in two networks is one machine). */
  private readonly health = new Map<string, RouterHealthRecord>();
  /** Advertisement rows per network, as committed (or as the current write left them). */
  private readonly rows = new Map<string, StoredAdvertisement[]>();
  /** The last selection applied per network: primaries (stickiness) and what members were sent. */
  private readonly selections = new Map<string, RouterSelection>();
  /**
   * What the planner was last given per network (kept when caches are dropped: a move that changes
   * a target's via is found by comparing with it).
   */
  private readonly pushed = new Map<string, AdvertisedRoute[]>();
  /** Withdrawals in progress per network. */
  private readonly withdrawals = new Map<string, Withdrawal>();
  private loaded: Promise<void> | undefined;
  /** Called when a router's verdict changes and routes may move (the service re-selects). */
  onVerdict: ((address: string, networks: string[]) => void) | undefined;
  /** Metrics hooks. */
  onSelectionChange: ((networkId: string, prefix: string, change: string) => void) | undefined;
  onVerdictChange: ((state: string) => void) | undefined;
  /**
   * Called with the time a network must be re-selected, and why: a failback becomes possible, or
   * withdrawn targets may come back (`afterPushes`: only once the network's config pushes went out).
   */
  onReselectDue:
    ((networkId: string, at: number, why: string, options?: { afterPushes?: boolean }) => void) | undefined;

  /**
   * Whether this process judges health itself (it probes: the leader, or the only process). A process
   * that does not takes each router's health from the rows the prober's process persisted.
   */
  probing = true;

  constructor(private readonly options: SubnetRoutersOptions) {}

  /** Loads every network's rows once (for the prober's targets and persisted verdicts). */
  load(reader: StoreReader): Promise<void> {
    this.loaded ??= (async () => {
      for (const id of await reader.listAllAdvertisedNetworkIds()) {
        if (!this.rows.has(id)) this.setStoredRows(id, await reader.listAdvertisements(id));
      }
      const now = this.options.clock();
      for (const list of this.rows.values()) {
        for (const row of list) {
          if (!this.health.has(row.member) && row.health !== null)
            this.health.set(row.member, initialHealth(now, { state: row.health, since: row.healthSince }));
        }
      }
    })();
    return this.loaded;
  }

  /** Routers to probe: members with an approved, advertised prefix anywhere. */
  probeTargets(): string[] {
    const out = new Set<string>();
    for (const list of this.rows.values())
      for (const row of list) if (row.advertised && row.approved) out.add(row.member);
    return [...out];
  }

  /** Whether `address` is a router whose probes found it down (pushes to it would go unanswered). */
  isDown(address: string): boolean {
    const record = this.health.get(address);
    return record !== undefined && record.liveness === 'down';
  }

  healthStateOf(address: string): string {
    return healthState(this.healthOf(address));
  }

  /** `[network, prefix, router]` of every current primary. */
  primaries(): Array<[string, string, string]> {
    const out: Array<[string, string, string]> = [];
    for (const [network, selection] of this.selections)
      for (const [prefix, router] of selection.primaries) out.push([network, prefix, router]);
    return out;
  }

  /** Proof of life from protocol activity (a config request or HELLO from a router). */
  noteActivity(address: string, at: number): void {
    if (this.routerAddresses().has(address)) this.noteHealth(address, { kind: 'answer', at });
  }

  private targetCache: Set<string> | undefined;

  private routerAddresses(): Set<string> {
    this.targetCache ??= new Set(this.probeTargets());
    return this.targetCache;
  }

  private setRows(networkId: string, rows: StoredAdvertisement[]): void {
    this.rows.set(networkId, rows);
    this.targetCache = undefined;
  }

  /** Rows read from the store: a process that does not probe adopts the verdicts persisted with them. */
  private setStoredRows(networkId: string, rows: StoredAdvertisement[]): void {
    this.setRows(networkId, rows);
    if (this.probing) return;
    const now = this.options.clock();
    for (const row of rows) {
      if (row.health === null) continue;
      const current = this.health.get(row.member);
      if (current !== undefined && healthState(current) === row.health) continue;
      this.health.set(row.member, initialHealth(now, { state: row.health, since: row.healthSince }));
    }
  }

  /** Another process drained or undrained a router: keep its flag (liveness stays ours). */
  applyDrain(address: string, draining: boolean): void {
    this.health.set(
      address,
      nextHealth(this.healthOf(address), { kind: 'drain', draining, at: this.options.clock() }),
    );
  }

  /** Drops every network's rows and selections (reloaded on next use); health stays. */
  forgetAll(): void {
    for (const id of [...this.rows.keys()]) this.forgetNetwork(id);
    this.selections.clear();
  }

  healthOf(address: string): RouterHealthRecord {
    let record = this.health.get(address);
    if (!record) {
      record = initialHealth(this.options.clock());
      this.health.set(address, record);
    }
    return record;
  }

  /**
   * A probe answer or miss, activity or a heartbeat. Returns the networks whose selection may change
   * (the verdict moved), after notifying `onVerdict`.
   */
  noteHealth(address: string, input: HealthInput): string[] {
    const before = this.healthOf(address);
    const after = nextHealth(before, input);
    this.health.set(address, after);
    if (healthState(before) === healthState(after) && before.healthySince === after.healthySince) return [];
    if (healthState(before) !== healthState(after)) this.onVerdictChange?.(healthState(after));
    const networks = this.networksOf(address);
    if (healthState(before) !== healthState(after) && networks.length > 0)
      this.onVerdict?.(address, networks);
    return networks;
  }

  /** Networks (with rows in memory) where `address` advertises something. */
  networksOf(address: string): string[] {
    return [...this.rows].filter(([, list]) => list.some((r) => r.member === address)).map(([id]) => id);
  }

  /** The rows of a network, loading them through `reader` once. */
  async rowsOf(reader: StoreReader, networkId: string): Promise<StoredAdvertisement[]> {
    let list = this.rows.get(networkId);
    if (!list) {
      list = await reader.listAdvertisements(networkId);
      this.setStoredRows(networkId, list);
    }
    return list;
  }

  /** Planner input for a network being loaded: the selection from its rows, members and health. */
  async advertisedFor(
    reader: StoreReader,
    network: NetworkRecord,
    members: readonly MemberRouteFacts[],
  ): Promise<{ advertised: AdvertisedRoute[]; lean?: () => AdvertisedRoute[] }> {
    const rows = await this.rowsOf(reader, network.id);
    if (rows.length === 0) return { advertised: [] };
    const byAddress = new Map(members.map((m) => [m.address, m] as const));
    const facts = (a: string) => byAddress.get(a);
    const authorized = members.filter((m) => m.authorized).map((m) => m.address);
    const selection = this.select(network, rows, facts, authorized);
    this.selections.set(network.id, selection);
    // Another process's write may have moved a target to another router: what this process sent
    // last decides whether it must be withdrawn first (then the leader re-adds it on its timer).
    const now = this.options.clock();
    const held = this.pushed.get(network.id) ?? [];
    const sent = this.withdrawIfNeeded(network.id, held, selection.advertised, now);
    this.scheduleReadd(network.id, now);
    this.pushed.set(network.id, sent.routes);
    const lean = () => {
      const wanted = this.select(network, rows, facts, authorized, false).advertised;
      return this.withdrawIfNeeded(network.id, held, wanted, now, false).routes;
    };
    return { advertised: sent.routes, lean };
  }

  /** Asks for the re-selection that sends withdrawn targets again via their new router. */
  private scheduleReadd(networkId: string, now: number): void {
    const withdrawal = this.withdrawals.get(networkId);
    if (withdrawal && withdrawal.until > now)
      this.onReselectDue?.(
        networkId,
        withdrawal.until,
        'withdrawn targets may be sent via their new router',
        {
          afterPushes: true,
        },
      );
  }

  /** Targets withdrawn now in a network (their move to another router is under way). */
  withdrawnTargets(networkId: string): string[] {
    const w = this.withdrawals.get(networkId);
    return w && w.until > this.options.clock() ? [...w.targets] : [];
  }

  /**
   * Whether some advertised route goes to a member list rather than to everyone (several routers of
   * a prefix, or spread mode): then a member's authorization changes who must be listed.
   */
  usesMemberLists(networkId: string): boolean {
    const selection = this.selections.get(networkId);
    return selection === undefined
      ? (this.rows.get(networkId)?.length ?? 0) > 0
      : selection.advertised.some((r) => r.forMembers !== undefined && r.forMembers !== 'all');
  }

  /** The current selection (for the routes report). */
  selectionOf(networkId: string): RouterSelection | undefined {
    return this.selections.get(networkId);
  }

  /** Every (router, prefix) of a network with approval, health, primary and why. */
  async routerViews(reader: StoreReader, networkId: string): Promise<RouterView[]> {
    const rows = await this.rowsOf(reader, networkId);
    const selection = this.selections.get(networkId);
    const choices = new Map<string, PrefixSelection['routers'][number]>();
    for (const prefix of selection?.prefixes ?? [])
      for (const c of prefix.routers) choices.set(`${c.member} ${prefix.prefix}`, c);
    const ordered = [...rows].sort(
      (a, b) => comparePrefixTexts(a.prefix, b.prefix) || (a.member < b.member ? -1 : 1),
    );
    return ordered.map((row) => {
      const choice = choices.get(`${row.member} ${row.prefix}`);
      const view: RouterView = {
        member: row.member,
        prefix: row.prefix,
        metric: row.metric,
        advertised: row.advertised,
        approved: row.approved,
        approvedBy: row.approvedBy,
        primary: choice?.primary ?? false,
        standby: choice?.standby ?? false,
        health: healthState(this.healthOf(row.member)),
        eligible: choice?.eligible ?? false,
        reason: choice ? choice.reason : selection ? 'not selected' : 'not planned yet',
        via: choice?.via ?? null,
        slot: row.slot,
        advertisedAt: row.advertisedAt,
        approvedAt: row.approvedAt,
      };
      if (choice?.members !== undefined) view.members = choice.members;
      return view;
    });
  }

  // ---- writes ----------------------------------------------------------------------------------

  /** `PUT …/advertised`: replaces what `address` advertises in the network. */
  advertise(networkId: string, address: string, body: unknown, actor: string): Promise<RouterView[]> {
    return this.options.write(async (tx, changes, scope) => {
      const network = await this.network(tx, networkId);
      const member = await tx.getMember(network.id, address);
      if (!member) throw notFound(`member ${address} of network ${network.id}`);
      const all = await this.rowsOf(tx, network.id);
      const mine = all.filter((r) => r.member === address);
      const now = this.options.clock();
      const result = planAdvertise(mine.map(toCore), body, now, {
        member: { address, name: member.name ?? null, tags: member.tags },
        policy: policyOf(network),
        network: all.map(toCore),
      });
      const previous = new Map(mine.map((r) => [r.prefix, r] as const));
      const stored = result.rows.map((row): StoredAdvertisement => {
        const old = previous.get(row.prefix);
        return {
          ...row,
          networkId: network.id,
          primary: old?.primary ?? false,
          health: old?.health ?? null,
          healthSince: old?.healthSince ?? null,
        };
      });
      await tx.putAdvertisements(stored);
      for (const event of result.events) {
        await tx.appendEvent(
          this.options.makeEvent(network.id, address, `router.${event.type}`, actor, event.reason, {
            prefix: event.prefix,
          }),
        );
      }
      const next = [...all.filter((r) => r.member !== address), ...stored];
      await this.reselect(
        tx,
        changes,
        scope,
        network,
        next,
        actor,
        `${address} advertised ${result.rows.filter((r) => r.advertised).length} prefix(es)`,
      );
      return (await this.routerViews(tx, network.id)).filter((v) => v.member === address);
    });
  }

  approve(networkId: string, body: unknown, actor: string, approve: boolean): Promise<RouterView> {
    const request = parseApprovalRequest(body);
    return this.options.write(async (tx, changes, scope) => {
      const network = await this.network(tx, networkId);
      const all = await this.rowsOf(tx, network.id);
      const now = this.options.clock();
      const result = approve
        ? approveAdvertisement(all.map(toCore), request, actor, now)
        : rejectAdvertisement(all.map(toCore), request, actor, now);
      if (result.changed) {
        const old = all.find((r) => r.member === request.member && r.prefix === request.prefix)!;
        const row: StoredAdvertisement = { ...old, ...result.row };
        await tx.putAdvertisements([row]);
        if (result.event) {
          await tx.appendEvent(
            this.options.makeEvent(
              network.id,
              request.member,
              `router.${result.event.type}`,
              actor,
              result.event.reason,
              { prefix: request.prefix },
            ),
          );
        }
        const next = all.map((r) => (r === old ? row : r));
        await this.reselect(
          tx,
          changes,
          scope,
          network,
          next,
          actor,
          result.event?.reason ?? 'approval changed',
        );
      }
      const views = await this.routerViews(tx, network.id);
      return views.find((v) => v.member === request.member && v.prefix === request.prefix)!;
    });
  }

  /** Drain (or undrain) a router in every network it routes for. */
  async drain(networkId: string, address: string, draining: boolean, actor: string): Promise<RouterView[]> {
    if (!isMemberAddress(address))
      throw invalidField('member', `${JSON.stringify(address)} is not a 10-digit hex member address`);
    const addr = address.toLowerCase();
    const views = await this.options.write(async (tx, changes, scope) => {
      const network = await this.network(tx, networkId);
      const rows = await this.rowsOf(tx, network.id);
      if (!rows.some((r) => r.member === addr))
        throw new RpError(
          ErrorCodes.CONFLICT,
          `member ${addr} advertises nothing in network ${network.id}, so there is nothing to drain`,
        );
      this.applyDrain(addr, draining);
      scope.drains.push({ address: addr, draining });
      await tx.appendEvent(
        this.options.makeEvent(
          network.id,
          addr,
          draining ? 'router.draining' : 'router.undrained',
          actor,
          `${actor} ${draining ? 'drains' : 'stopped draining'} router ${addr}`,
          {},
        ),
      );
      await this.reselect(
        tx,
        changes,
        scope,
        network,
        rows,
        actor,
        `router ${addr} ${draining ? 'draining' : 'no longer draining'}`,
      );
      return (await this.routerViews(tx, network.id)).filter((v) => v.member === addr);
    });
    // Draining is about the machine: its other networks follow too.
    const others = [...this.rows]
      .filter(([id, list]) => id !== networkId.toLowerCase() && list.some((r) => r.member === addr))
      .map(([id]) => id);
    if (others.length > 0) this.onVerdict?.(addr, others);
    return views;
  }

  /** Re-run selection after a verdict change or a member/network change that may move routes. */
  async reselectIn(
    tx: StoreTransaction,
    changes: ChangeEvent[],
    scope: RoutingScope,
    network: NetworkRecord,
    actor: string,
    why: string,
    options: { revisionBumped?: boolean } = {},
  ): Promise<void> {
    const rows = await this.rowsOf(tx, network.id);
    if (rows.length === 0) return;
    await this.reselect(tx, changes, scope, network, rows, actor, why, options.revisionBumped ?? false);
  }

  /** A member was deleted: its rows are gone with it. */
  forgetMember(networkId: string, address: string): void {
    const list = this.rows.get(networkId);
    if (list)
      this.setRows(
        networkId,
        list.filter((r) => r.member !== address),
      );
  }

  /**
   * Drops the network's cached rows and selection (reloaded on next use). What was last sent and
   * withdrawals in progress stay unless the network is gone: caches are dropped on every foreign
   * write, and a move right after one must still see what members hold.
   */
  forgetNetwork(networkId: string, gone = false): void {
    this.rows.delete(networkId);
    this.targetCache = undefined;
    this.selections.delete(networkId);
    if (gone) {
      this.pushed.delete(networkId);
      this.withdrawals.delete(networkId);
    }
  }

  /** Drop cached rows and selections after a failed write (reloaded on next use). */
  forget(networkIds: Iterable<string>): void {
    for (const id of networkIds) this.forgetNetwork(id);
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * Failback is time-driven: a lower-metric router takes a prefix back once it has been healthy for
   * failbackAfter, with no event to trigger the re-selection then. Ask for one at the earliest such
   * moment.
   */
  private scheduleFailback(network: NetworkRecord, selection: RouterSelection, now: number): void {
    if (network.steering !== 'primary') return;
    let due = Infinity;
    for (const prefix of selection.prefixes) {
      const primary = prefix.routers.find((r) => r.primary);
      if (!primary) continue;
      for (const r of prefix.routers) {
        if (!r.eligible || r.health !== 'healthy' || r.metric >= primary.metric) continue;
        const since = this.healthOf(r.member).healthySince;
        if (since === null) continue;
        const at = since + network.failbackAfter;
        if (at > now) due = Math.min(due, at);
      }
    }
    if (due !== Infinity)
      this.onReselectDue?.(network.id, due, `failbackAfter (${network.failbackAfter} ms) elapsed`);
  }

  private async network(tx: StoreReader, networkId: string): Promise<NetworkRecord> {
    const network = await tx.getNetwork(networkId);
    if (!network) throw notFound(`network ${networkId}`);
    return network;
  }

  private select(
    network: NetworkRecord,
    rows: readonly StoredAdvertisement[],
    memberFacts: (address: string) => { authorized: boolean; ipAssignments: string[] } | undefined,
    members: string[],
    standby = true,
  ): RouterSelection {
    const routers = new Map<string, RouterState>();
    for (const row of rows) {
      if (routers.has(row.member)) continue;
      const facts = memberFacts(row.member);
      if (!facts) continue;
      const health = this.healthOf(row.member);
      routers.set(row.member, {
        address: row.member,
        authorized: facts.authorized,
        ipAssignments: facts.ipAssignments,
        health: healthState(health),
        healthySince: health.healthySince,
      });
    }
    const previous =
      this.selections.get(network.id)?.primaries ??
      new Map(rows.filter((r) => r.primary).map((r) => [r.prefix, r.member] as const));
    return selectRouters({
      advertisements: rows.map(toCore),
      routers,
      members,
      policy: policyOf(network),
      previous,
      now: this.options.clock(),
      standby,
    });
  }

  /**
   * What to send now instead of `wanted`: targets that members hold via another router are withdrawn
   * first (a withdrawal already in force keeps its own), and come back after `withdrawHoldMs`.
   */
  private withdrawIfNeeded(
    networkId: string,
    held: AdvertisedRoute[],
    wanted: AdvertisedRoute[],
    now: number,
    /** False: only compute (no withdrawal is recorded or ended). */
    record = true,
  ): { routes: AdvertisedRoute[]; started?: string[] } {
    const current = this.withdrawals.get(networkId);
    const active = current && current.until > now ? current : undefined;
    const step = withdrawFirst(active ? [...active.base, ...held] : held, wanted);
    if (!step) {
      if (record) this.withdrawals.delete(networkId);
      return { routes: wanted };
    }
    const fresh = step.withdrawn.filter((t) => !active?.targets.includes(t));
    if ((fresh.length === 0 && active) || !record) return { routes: step.routes };
    this.withdrawals.set(networkId, {
      base: active ? [...active.base, ...held] : held,
      targets: step.withdrawn,
      until: now + (this.options.withdrawHoldMs ?? DEFAULT_WITHDRAW_HOLD_MS),
    });
    return { routes: step.routes, started: fresh };
  }

  private async reselect(
    tx: StoreTransaction,
    changes: ChangeEvent[],
    scope: RoutingScope,
    network: NetworkRecord,
    rows: StoredAdvertisement[],
    actor: string,
    why: string,
    /** The caller's write already moved the network's revision (one announcement is enough). */
    revisionBumped = false,
  ): Promise<void> {
    const { routing } = this.options;
    const planner: RoutePlanner = await routing.state.plannerIn(tx, network);
    const members: string[] = [];
    planner.forEachMember((address, authorized) => {
      if (authorized) members.push(address);
    });
    const facts = (a: string) => planner.member(a);
    let selection = this.select(network, rows, facts, members);
    const before = this.selections.get(network.id);
    const now = this.options.clock();
    const sentBefore = this.pushed.get(network.id) ?? before?.advertised ?? [];
    let sent = this.withdrawIfNeeded(network.id, sentBefore, selection.advertised, now);
    let next: RoutePlanner;
    try {
      next = routing.replan(scope, planner, { advertised: sent.routes }, network.id, actor, why);
    } catch (error) {
      // Standby forms are a comfort, never a reason to refuse a move: without them it may fit.
      if (!isRpError(error) || error.code !== CoreCodes.ROUTE_LIMIT) throw error;
      selection = this.select(network, rows, facts, members, false);
      sent = this.withdrawIfNeeded(network.id, sentBefore, selection.advertised, now);
      next = routing.replan(scope, planner, { advertised: sent.routes }, network.id, actor, why);
      scope.limitRejection = undefined; // the move went through after all
    }

    // Persist verdicts and primaries that changed, and log every change of primary.
    const primaryOf = new Map(selection.prefixes.map((p) => [p.prefix, p.primary] as const));
    const updated: StoredAdvertisement[] = [];
    for (const row of rows) {
      const primary = primaryOf.get(row.prefix) === row.member;
      const health = healthState(this.healthOf(row.member));
      if (row.primary !== primary || row.health !== health) {
        updated.push({
          ...row,
          primary,
          health,
          healthSince: row.health === health ? row.healthSince : now,
          updatedAt: now,
        });
      }
    }
    if (updated.length > 0) await tx.putAdvertisements(updated);
    for (const prefix of selection.prefixes) {
      const old = before?.primaries.get(prefix.prefix) ?? null;
      if (prefix.change === 'kept' || prefix.change === 'none') continue;
      if (prefix.change === 'initial' && old === prefix.primary) continue;
      this.onSelectionChange?.(network.id, prefix.prefix, prefix.change);
      await tx.appendEvent(
        this.options.makeEvent(
          network.id,
          prefix.primary,
          `route.${prefix.change}`,
          actor,
          `${prefix.prefix}: ${prefix.message}`,
          {
            prefix: prefix.prefix,
            from: old,
            to: prefix.primary,
            change: prefix.change,
            why,
            at: now,
            // How long after the old primary's last sign of life this was decided (detection time).
            oldLastHeard: old === null ? null : this.healthOf(old).lastHeard,
          },
        ),
      );
    }
    if (sent.started) {
      await tx.appendEvent(
        this.options.makeEvent(
          network.id,
          null,
          'route.withdrawn-first',
          actor,
          `${sent.started.join(', ')} change router: withdrawn first (the client ignores a new via on a ` +
            'target it holds), sent again via the new router once these pushes are out',
          { targets: sent.started, at: now },
        ),
      );
    }
    this.scheduleFailback(network, selection, now);
    this.scheduleReadd(network.id, now);
    const moved = !sameAdvertised(sentBefore, sent.routes);
    const merged = new Map(updated.map((r) => [`${r.member} ${r.prefix}`, r] as const));
    const finalRows = rows.map((r) => merged.get(`${r.member} ${r.prefix}`) ?? r);
    await routing.record(tx, scope, network.id, planner, next, actor, why);
    if (moved && revisionBumped) {
      routing.keep(scope, network.id, next, network.revision);
    } else if (moved) {
      const current = (await tx.getNetwork(network.id))!;
      const revision = current.revision + 1;
      await tx.putNetwork({ ...current, revision });
      routing.networkPlans.forget(network.id);
      routing.keep(scope, network.id, next, revision);
      changes.push({ kind: 'network-changed', networkId: network.id, revision });
    } else {
      routing.keep(scope, network.id, next);
    }
    // Hand over with the write (the coordinator forgets them if the write fails).
    this.setRows(network.id, finalRows);
    this.selections.set(network.id, selection);
    this.pushed.set(network.id, sent.routes);
    scope.routerNetworks.add(network.id);
    routing.handOver(scope);
  }
}
