// The storage contract. Every backend (src/store/sqlite, later src/store/postgres) implements it and
// passes the same contract suite (src/store/store-contract.ts). Only the service writes, and it
// writes inside `transaction`, so a request either lands whole or not at all.
import type { MemberRecord } from '../core/member/member-types.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';

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

export interface EventQuery {
  networkId?: string;
  afterId?: number;
  limit?: number;
}

/** Reads, available both on the store and inside a transaction. */
export interface StoreReader {
  getSetting(key: string): Promise<string | undefined>;

  listNetworkIds(): Promise<string[]>;
  getNetwork(id: string): Promise<NetworkRecord | undefined>;
  listNetworks(): Promise<NetworkRecord[]>;

  getMember(networkId: string, address: string): Promise<MemberRecord | undefined>;
  /** All members of a network, ordered by address. */
  listMembers(networkId: string): Promise<MemberRecord[]>;
  /** `[address, revision]` pairs ordered by address: the stock member list without loading records. */
  listMemberRevisions(networkId: string): Promise<Array<[string, number]>>;
  countMembers(networkId: string): Promise<MemberCounts>;
  /** Which member of the network holds this IP (canonical string), if any. */
  findIpOwner(networkId: string, ip: string): Promise<string | undefined>;

  listEvents(query: EventQuery): Promise<StoredEvent[]>;
}

/** Writes; only ever called inside `Store.transaction`. */
export interface StoreWriter {
  setSetting(key: string, value: string): Promise<void>;
  /** Insert or replace the whole network record (manual routes included). */
  putNetwork(network: NetworkRecord): Promise<void>;
  /** Delete a network with its members; returns false when it did not exist. */
  deleteNetwork(id: string): Promise<boolean>;
  /**
   * Insert or replace the whole member record, including its IP assignments. Fails with
   * RpError(CONFLICT) when an IP is already held by another member of the same network.
   */
  putMember(member: MemberRecord): Promise<void>;
  deleteMember(networkId: string, address: string): Promise<boolean>;
  appendEvent(event: NewEvent): Promise<number>;
}

export type StoreTransaction = StoreReader & StoreWriter;

export interface Store extends StoreReader {
  /** Which backend this is, for logs and metrics. */
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `fn` in one database transaction; a throw rolls everything back. */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
