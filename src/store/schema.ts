// Row types of the tables created by ./migrations, as Kysely sees them. Shared by every backend: the
// same migrations run on SQLite and PostgreSQL, so the rows differ only in how drivers return bigints.
import type { ColumnType } from 'kysely';

/**
 * A `bigint` column (ms timestamps, revisions, event ids): better-sqlite3 returns a number, pg a
 * string. Always written as a number; read through `toNumber` in record-mapping.ts.
 */
export type Int8 = ColumnType<number | string | bigint, number, number>;

/** A nullable `bigint` column: as Int8, or null. */
export type NullableInt8 = ColumnType<number | string | bigint | null, number | null, number | null>;

export interface SettingTable {
  key: string;
  value: string;
}

export interface NetworkTable {
  id: string;
  revision: Int8;
  creation_time: Int8;
  /** JSON of the NetworkRecord fields that have no column of their own. */
  doc: string;
}

export interface RouteTable {
  network_id: string;
  source: string;
  /** Order within (network, source), from 0. */
  position: number;
  target: string;
  via: string | null;
  owner: string | null;
  metric: number;
}

export interface MemberTable {
  network_id: string;
  address: string;
  revision: Int8;
  /** 0 or 1. */
  authorized: number;
  creation_time: Int8;
  /** JSON array of IP strings, in assignment order. */
  ip_assignments: string;
  /** JSON of the MemberRecord fields that have no column of their own. */
  doc: string;
  /** 0 or 1, mirrors doc.activeBridge for the specialists query. */
  active_bridge: ColumnType<number, number | undefined, number>;
  /** ms; written only by recordPresence. */
  last_seen: ColumnType<number | string | bigint | null, never, number>;
  /** `ip/port`; written only by recordPresence. */
  physical_address: ColumnType<string | null, never, string>;
}

export interface MemberIpTable {
  network_id: string;
  ip: string;
  address: string;
}

export interface EventTable {
  /** Assigned by the database, strictly increasing. */
  id: ColumnType<number | string | bigint, never, never>;
  time: Int8;
  network_id: string | null;
  member_address: string | null;
  type: string;
  actor: string;
  reason: string;
  /** JSON object. */
  data: string;
}

export interface KnownIdentityTable {
  address: string;
  /** `addr:0:pub`, the public form only. */
  identity: string;
  validated_at: Int8;
}

export interface IpamSubnetTable {
  id: string;
  /** Canonical CIDR, unique. */
  prefix: string;
  name: string;
  /** The smallest other subnet containing `prefix`; null for a root. No foreign key: see 0003. */
  parent_id: string | null;
  created_at: Int8;
  updated_at: Int8;
}

/** A route a member advertises (subnet router), with its approval and failover state. */
export interface AdvertisedRouteTable {
  network_id: string;
  member_address: string;
  /** Canonical CIDR. */
  prefix: string;
  metric: number;
  /** 0 or 1. */
  advertised: number;
  /** 0 or 1. */
  approved: number;
  approved_by: string | null;
  slot: number;
  advertised_at: NullableInt8;
  approved_at: NullableInt8;
  updated_at: Int8;
  /** 0 or 1. */
  is_primary: ColumnType<number, number | undefined, number>;
  health: string | null;
  health_since: NullableInt8;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  /** sha256 hex of the secret, unique. */
  token_hash: string;
  network_id: string | null;
  member_address: string | null;
  created_at: Int8;
  last_used_at: NullableInt8;
}

export interface ChangeLogTable {
  seq: Int8;
  origin: string;
  time: Int8;
  payload: string;
}

export interface StoreDatabase {
  setting: SettingTable;
  network: NetworkTable;
  route: RouteTable;
  member: MemberTable;
  member_ip: MemberIpTable;
  event: EventTable;
  known_identity: KnownIdentityTable;
  ipam_subnet: IpamSubnetTable;
  advertised_route: AdvertisedRouteTable;
  api_token: ApiTokenTable;
  change_log: ChangeLogTable;
}
