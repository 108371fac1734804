// The storage contract. Every backend (src/store/sqlite, later src/store/postgres) implements it and
// passes the same contract suite (src/store/store-contract.ts). Only the service writes, and it
// writes inside `transaction`, so a request either lands whole or not at all.
import type { IpamSubnet } from '../core/ipam/ipam-types.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import type { Advertisement } from '../core/routers/router-types.ts';
import type { ManagedRoute, NetworkRecord } from '../core/network/network-types.ts';

export interface MemberCounts {
  total: number;
  authorized: number;
}

export interface StoredEvent {
  id: number;
  time: number;
  networkId: string | null;
  memberAddress: string | null;
  /** e.g. `network.created`, `member.authorized`, `route.added`. */
  type: string;
  /** Who caused it: `api`, `api:<token-name>`, `protocol`, `ipam`, `auto-approver:<rule>` … */
  actor: string;
  reason: string;
  data: Record<string, unknown>;
}

export type NewEvent = Omit<StoredEvent, 'id'>;

export interface PresenceRecord {
  networkId: string;
  address: string;
  lastSeen: number;
  physicalAddress: string;
}

/**
 * Who wrote a route. Each writer replaces only its own source: `putNetwork` writes `manual`, the IPAM
 * sync `ipam`, the advertisement engine `advertised`, so no sync ever wipes another's routes.
 */
export type RouteSource = 'manual' | 'ipam' | 'advertised';

export interface SourcedRoute extends ManagedRoute {
  /** What the route belongs to: a member address for `advertised`, a subnet for `ipam`; null for `manual`. */
  owner: string | null;
  /** Lower wins; 0 unless the writer says otherwise. */
  metric: number;
}

export interface StoredRoute extends SourcedRoute {
  source: RouteSource;
}

export interface EventQuery {
  networkId?: string;
  memberAddress?: string;
  /** Events whose type starts with this text, exactly (case-sensitive; `%` and `_` are plain). */
  typePrefix?: string;
  /** Only events with a larger id. */
  afterId?: number;
  /** Only events with a smaller id (paging backwards with `order: 'desc'`). */
  beforeId?: number;
  /** By id; `desc` lists the newest first, and `limit` then keeps the newest. Default `asc`. */
  order?: 'asc' | 'desc';
  limit?: number;
}

/**
 * An IPAM subnet as stored. `networkId` (the binding) is not stored here — it lives on the network
 * record — so it is never set on what the store returns.
 */
export interface StoredIpamSubnet extends IpamSubnet {
  /** ms */
  createdAt: number;
  /** ms */
  updatedAt: number;
}

/**
 * A route a member advertises as a subnet router, keyed by (networkId, member, prefix). The store
 * keeps what the advertisement engine writes; it does not require the member to exist.
 */
/** An advertisement row (src/core/routers) with its network and the last verdicts kept for restarts. */
export interface StoredAdvertisement extends Advertisement {
  networkId: string;
  /** Whether the member was the prefix's primary at the last selection. */
  primary: boolean;
  /** The router's last health state, and since when (ms). */
  health: string | null;
  healthSince: number | null;
}

export interface StoredApiToken {
  id: string;
  name: string;
  /** sha256 hex of the secret */
  tokenHash: string;
  /** Scope: null/null = full access; both set = only that member of that network. */
  networkId: string | null;
  memberAddress: string | null;
  /** ms */
  createdAt: number;
  /** ms */
  lastUsedAt: number | null;
}

/** What the route planner needs of a member, read without parsing member documents. */
export interface MemberRouteFacts {
  address: string;
  authorized: boolean;
  ipAssignments: string[];
}

/** Reads, available both on the store and inside a transaction. */
export interface StoreReader {
  getSetting(key: string): Promise<string | undefined>;

  listNetworkIds(): Promise<string[]>;
  /** The network with its `manual` routes (in their stored order) as `routes`. */
  getNetwork(id: string): Promise<NetworkRecord | undefined>;
  /** All networks, ordered by id. */
  listNetworks(): Promise<NetworkRecord[]>;
  /**
   * The network's stored routes of every source (or of one), ordered by source name, then in the
   * order their writer gave them.
   */
  listRoutes(networkId: string, source?: RouteSource): Promise<StoredRoute[]>;

  getMember(networkId: string, address: string): Promise<MemberRecord | undefined>;
  /** All members of a network, ordered by address. */
  listMembers(networkId: string): Promise<MemberRecord[]>;
  /**
   * One page of the network's members ordered by address: those after `afterAddress` (from the
   * first when undefined), at most `limit`. Keyset pagination: page through a large network with
   * flat memory by passing the last address of each page; a short page is the last one.
   */
  listMembersPage(
    networkId: string,
    afterAddress: string | undefined,
    limit: number,
  ): Promise<MemberRecord[]>;
  /** `[address, revision]` pairs ordered by address: the stock member list without loading records. */
  listMemberRevisions(networkId: string): Promise<Array<[string, number]>>;
  countMembers(networkId: string): Promise<MemberCounts>;
  /** Which member of the network holds this IP (canonical string), if any. */
  findIpOwner(networkId: string, ip: string): Promise<string | undefined>;

  /**
   * The planner's view of every member of the network, ordered by address: only the address,
   * authorized and IP columns are read (no member documents), so 100,000 members load quickly.
   */
  listMemberRouteFacts(networkId: string): Promise<MemberRouteFacts[]>;

  /** The public identity string stored for an address whose identity passed validation, if any. */
  getKnownIdentity(address: string): Promise<string | undefined>;

  /**
   * Members of every network last seen at or after `since` (ms) with a physical address, newest
   * first: whom a controller taking over from another should contact.
   */
  listRecentlySeen(since: number): Promise<PresenceRecord[]>;

  /** Addresses of the network's members marked activeBridge (the netconf specialists). */
  listActiveBridges(networkId: string): Promise<string[]>;

  /**
   * Events matching every filter given in `query` (all are optional), ordered by id (ascending
   * unless `order` is `desc`), at most `limit` of them.
   */
  listEvents(query: EventQuery): Promise<StoredEvent[]>;

  /** Every IPAM subnet, ordered by id (the core sorts canonically itself). */
  listIpamSubnets(): Promise<StoredIpamSubnet[]>;

  /**
   * The network's advertisements, ordered by prefix, then member (plain code-unit order on every
   * backend, whatever the database collation).
   */
  listAdvertisements(networkId: string): Promise<StoredAdvertisement[]>;
  /** The distinct ids of networks that have advertisement rows, sorted. */
  listAllAdvertisedNetworkIds(): Promise<string[]>;

  /** Every API token, ordered by createdAt, then id. */
  listApiTokens(): Promise<StoredApiToken[]>;
  getApiTokenByHash(tokenHash: string): Promise<StoredApiToken | undefined>;
}

/** Writes; only ever called inside `Store.transaction`. */
export interface StoreWriter {
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Stores `value` under `key` unless the key already has one; returns the value the key holds
   * afterwards. Two processes claiming at once agree on one winner (the controller identity).
   */
  claimSetting(key: string, value: string): Promise<string>;
  /**
   * Tells the other processes sharing this database what this transaction changed (PostgreSQL: a
   * change-log row and a NOTIFY, both part of the transaction, so a rolled-back write announces
   * nothing). A no-op where only one process uses the database (SQLite).
   */
  announce(payload: string): Promise<void>;
  /** Insert or replace the whole network record (manual routes included). */
  putNetwork(network: NetworkRecord): Promise<void>;
  /**
   * Replace the network's routes of one source, keeping the given order; rows of other sources are
   * untouched. Fails with RpError(NOT_FOUND) when the network does not exist.
   */
  putRoutes(networkId: string, source: RouteSource, routes: SourcedRoute[]): Promise<void>;
  /**
   * Delete a network with its routes, members and advertisements (events and API tokens stay);
   * returns false when it did not exist.
   */
  deleteNetwork(id: string): Promise<boolean>;
  /**
   * Insert or replace the whole member record, including its IP assignments. Fails with
   * RpError(CONFLICT) when an IP is already held by another member of the same network, and with
   * RpError(NOT_FOUND) when the network does not exist.
   */
  putMember(member: MemberRecord): Promise<void>;
  /** Deletes the member with its IP holdings and advertisements (API tokens scoped to it stay). */
  deleteMember(networkId: string, address: string): Promise<boolean>;
  appendEvent(event: NewEvent): Promise<number>;
  /**
   * Sets when and from where members were last seen, without touching their revision or record.
   * Members that no longer exist are skipped. The only writer of lastSeen/physicalAddress.
   */
  recordPresence(entries: readonly PresenceRecord[]): Promise<void>;
  /** Remembers an identity that passed validation; the first one stored for an address wins. */
  rememberIdentity(address: string, identity: string, time: number): Promise<void>;
  /**
   * Inserts or replaces each subnet by id, in the order given (`networkId` is ignored). Fails with
   * RpError(CONFLICT) naming the prefix when another id holds (or would hold, after the earlier
   * entries) the same prefix — the core prevents that; this is the backstop.
   */
  putIpamSubnets(subnets: readonly StoredIpamSubnet[]): Promise<void>;
  /** Deletes the subnets with these ids (unknown ids are skipped); returns how many were deleted. */
  deleteIpamSubnets(ids: readonly string[]): Promise<number>;

  /**
   * Inserts or replaces each row by (networkId, member, prefix); a later entry of the same call
   * replaces an earlier one with the same key. Fails with RpError(NOT_FOUND) when a row's network
   * does not exist (nothing of the call is written then). The member need not exist.
   */
  putAdvertisements(rows: readonly StoredAdvertisement[]): Promise<void>;
  /**
   * Deletes the member's rows for these prefixes (unknown ones are skipped), or all of the member's
   * rows when `prefixes` is undefined; returns how many were deleted.
   */
  deleteAdvertisements(networkId: string, member: string, prefixes?: readonly string[]): Promise<number>;

  /**
   * Inserts or replaces the token by id. Fails with RpError(CONFLICT) when another id holds the same
   * tokenHash.
   */
  putApiToken(token: StoredApiToken): Promise<void>;
  /** Returns false when no token had this id. */
  deleteApiToken(id: string): Promise<boolean>;
  /** Sets lastUsedAt; an unknown id is skipped. */
  touchApiToken(id: string, lastUsedAt: number): Promise<void>;
}

export type StoreTransaction = StoreReader & StoreWriter;

/** What other processes committed since this one last looked, in commit order. */
export interface ForeignChanges {
  payloads: string[];
  /**
   * False when some announcements can no longer be read (the log was pruned past them, or this is a
   * first look after a reconnect that may have missed some): every cache must be dropped.
   */
  complete: boolean;
}

export type ForeignChangeHandler = (changes: ForeignChanges) => void | Promise<void>;

export interface Store extends StoreReader {
  /** Which backend this is, for logs and metrics. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Sets who hears of other processes' writes. The handler runs before any transaction of this
   * store that starts after those writes committed, so a write never builds on a stale cache, and
   * soon after a NOTIFY otherwise. Never called on single-process backends.
   */
  onForeignChanges(handler: ForeignChangeHandler): void;
  /**
   * Runs `fn` in one database transaction; a throw rolls everything back. Inside `fn` use only `tx`:
   * calling the store itself (or nesting `transaction`) there throws RpError(INTERNAL) instead of
   * deadlocking on the single SQLite connection or reading around the transaction.
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Closes the database; idempotent. */
  close(): Promise<void>;
}
