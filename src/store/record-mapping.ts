// Row <-> record mapping shared by every backend. Columns hold what the store queries or indexes
// (ids, revisions, times, authorization, IPs, routes); everything else travels as one JSON `doc`, so
// a new record field needs no migration and round-trips exactly.
import type { MemberRecord } from '../core/member/member-types.ts';
import {
  NETWORK_ROUTING_DEFAULTS,
  type ManagedRoute,
  type NetworkRecord,
} from '../core/network/network-types.ts';
import type { Insertable, Selectable } from 'kysely';
import type {
  AdvertisedRouteTable,
  ApiTokenTable,
  EventTable,
  IpamSubnetTable,
  MemberTable,
  NetworkTable,
  RouteTable,
} from './schema.ts';
import type {
  MemberRouteFacts,
  NewEvent,
  RouteSource,
  SourcedRoute,
  StoredAdvertisement,
  StoredApiToken,
  StoredEvent,
  StoredIpamSubnet,
  StoredRoute,
} from './store.ts';

/** bigint columns come back as numbers (better-sqlite3), strings (pg) or bigints (safeIntegers). */
export function toNumber(value: number | string | bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`stored integer ${String(value)} is not a safe integer`);
  return number;
}

function toNullableNumber(value: number | string | bigint | null): number | null {
  return value === null ? null : toNumber(value);
}

export function networkToRow(network: NetworkRecord): Insertable<NetworkTable> {
  const { id, revision, creationTime, routes: _routes, ...doc } = network;
  return { id, revision, creation_time: creationTime, doc: JSON.stringify(doc) };
}

export function networkFromRow(row: Selectable<NetworkTable>, routes: ManagedRoute[]): NetworkRecord {
  const doc = JSON.parse(row.doc) as Omit<NetworkRecord, 'id' | 'revision' | 'creationTime' | 'routes'>;
  return {
    id: row.id,
    // Records stored before the routing fields existed get their defaults.
    ...structuredClone(NETWORK_ROUTING_DEFAULTS),
    ...doc,
    creationTime: toNumber(row.creation_time),
    revision: toNumber(row.revision),
    routes,
  };
}

export function routesToRows(
  networkId: string,
  source: RouteSource,
  routes: readonly SourcedRoute[],
): Array<Insertable<RouteTable>> {
  return routes.map((route, position) => ({
    network_id: networkId,
    source,
    position,
    target: route.target,
    via: route.via,
    owner: route.owner,
    metric: route.metric,
  }));
}

export function manualRoutesToRows(
  networkId: string,
  routes: readonly ManagedRoute[],
): Array<Insertable<RouteTable>> {
  return routesToRows(
    networkId,
    'manual',
    routes.map((route) => ({ target: route.target, via: route.via, owner: null, metric: 0 })),
  );
}

/** The `routes` field of a NetworkRecord: just target and via. */
export function managedRouteFromRow(row: Pick<Selectable<RouteTable>, 'target' | 'via'>): ManagedRoute {
  return { target: row.target, via: row.via };
}

export function storedRouteFromRow(row: Selectable<RouteTable>): StoredRoute {
  return {
    target: row.target,
    via: row.via,
    source: row.source as RouteSource,
    owner: row.owner,
    metric: row.metric,
  };
}

export function memberToRow(member: MemberRecord): Insertable<MemberTable> {
  const {
    networkId,
    address,
    revision,
    authorized,
    creationTime,
    ipAssignments,
    lastSeen: _lastSeen,
    physicalAddress: _physicalAddress,
    ...doc
  } = member;
  return {
    network_id: networkId,
    address,
    revision,
    authorized: authorized ? 1 : 0,
    active_bridge: member.activeBridge ? 1 : 0,
    creation_time: creationTime,
    ip_assignments: JSON.stringify(ipAssignments),
    doc: JSON.stringify(doc),
  };
}

/** The member columns a read needs; network_id is left out because the caller knows it. */
export const MEMBER_COLUMNS = [
  'address',
  'revision',
  'authorized',
  'creation_time',
  'ip_assignments',
  'doc',
  'last_seen',
  'physical_address',
] as const;

export function memberFromRow(
  networkId: string,
  row: Pick<Selectable<MemberTable>, (typeof MEMBER_COLUMNS)[number]>,
): MemberRecord {
  const doc = JSON.parse(row.doc) as Omit<
    MemberRecord,
    'networkId' | 'address' | 'revision' | 'authorized' | 'creationTime' | 'ipAssignments'
  >;
  return {
    networkId,
    address: row.address,
    ...doc,
    authorized: Number(row.authorized) === 1,
    ipAssignments: JSON.parse(row.ip_assignments) as string[],
    creationTime: toNumber(row.creation_time),
    revision: toNumber(row.revision),
    ...(row.last_seen === null ? {} : { lastSeen: toNumber(row.last_seen) }),
    ...(row.physical_address === null ? {} : { physicalAddress: row.physical_address }),
  };
}

export function memberRouteFactsFromRow(
  row: Pick<Selectable<MemberTable>, 'address' | 'authorized' | 'ip_assignments'>,
): MemberRouteFacts {
  return {
    address: row.address,
    authorized: Number(row.authorized) === 1,
    ipAssignments: JSON.parse(row.ip_assignments) as string[],
  };
}

/** `networkId` is not a column: the binding lives on the network record. */
export function ipamSubnetToRow(subnet: StoredIpamSubnet): Insertable<IpamSubnetTable> {
  return {
    id: subnet.id,
    prefix: subnet.prefix,
    name: subnet.name,
    parent_id: subnet.parentId,
    created_at: subnet.createdAt,
    updated_at: subnet.updatedAt,
  };
}

export function ipamSubnetFromRow(row: Selectable<IpamSubnetTable>): StoredIpamSubnet {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    parentId: row.parent_id,
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  };
}

export function advertisementToRow(row: StoredAdvertisement): Insertable<AdvertisedRouteTable> {
  return {
    network_id: row.networkId,
    member_address: row.member,
    prefix: row.prefix,
    metric: row.metric,
    advertised: row.advertised ? 1 : 0,
    approved: row.approved ? 1 : 0,
    approved_by: row.approvedBy,
    slot: row.slot,
    advertised_at: row.advertisedAt,
    approved_at: row.approvedAt,
    updated_at: row.updatedAt,
    is_primary: row.primary ? 1 : 0,
    health: row.health,
    health_since: row.healthSince,
  };
}

export function advertisementFromRow(row: Selectable<AdvertisedRouteTable>): StoredAdvertisement {
  return {
    networkId: row.network_id,
    member: row.member_address,
    prefix: row.prefix,
    metric: Number(row.metric),
    advertised: Number(row.advertised) === 1,
    approved: Number(row.approved) === 1,
    approvedBy: row.approved_by,
    slot: Number(row.slot),
    advertisedAt: toNullableNumber(row.advertised_at),
    approvedAt: toNullableNumber(row.approved_at),
    updatedAt: toNumber(row.updated_at),
    primary: Number(row.is_primary) === 1,
    health: row.health,
    healthSince: toNullableNumber(row.health_since),
  };
}

export function apiTokenToRow(token: StoredApiToken): Insertable<ApiTokenTable> {
  return {
    id: token.id,
    name: token.name,
    token_hash: token.tokenHash,
    network_id: token.networkId,
    member_address: token.memberAddress,
    created_at: token.createdAt,
    last_used_at: token.lastUsedAt,
  };
}

export function apiTokenFromRow(row: Selectable<ApiTokenTable>): StoredApiToken {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    networkId: row.network_id,
    memberAddress: row.member_address,
    createdAt: toNumber(row.created_at),
    lastUsedAt: toNullableNumber(row.last_used_at),
  };
}

export function eventToRow(event: NewEvent): Insertable<EventTable> {
  return {
    time: event.time,
    network_id: event.networkId,
    member_address: event.memberAddress,
    type: event.type,
    actor: event.actor,
    reason: event.reason,
    data: JSON.stringify(event.data),
  };
}

export function eventFromRow(row: Selectable<EventTable>): StoredEvent {
  return {
    id: toNumber(row.id),
    time: toNumber(row.time),
    networkId: row.network_id,
    memberAddress: row.member_address,
    type: row.type,
    actor: row.actor,
    reason: row.reason,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
