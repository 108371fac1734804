// The member object as the stock controller returns it (same keys and types, alphabetical order),
// plus Routeplane extras that old clients ignore: liveness, physical address, derived IPv6 addresses.

import type { NetworkRecord } from '../network/network-types.ts';
import type { MemberRecord } from './member-types.ts';
import { rfc4193Address, sixPlaneAddress } from './v6-auto-address.ts';

/** A member counts as online this long after its last request or HELLO (stock: 2 × 60 s re-request). */
export const ONLINE_WINDOW_MS = 120_000;

export function isOnline(member: MemberRecord, now: number): boolean {
  return member.lastSeen !== undefined && now - member.lastSeen <= ONLINE_WINDOW_MS;
}

/** Routeplane's IPAM variables of a member (extras; old clients ignore them). */
export interface MemberIpamFields {
  ipamSubnet: string | null;
  ipamChildSubnet: string | null;
}

/** Keys Routeplane adds to the stock member JSON (old clients ignore them). */
export const ROUTEPLANE_MEMBER_EXTRAS: readonly string[] = [
  'ipamChildSubnet',
  'ipamSubnet',
  'lastSeen',
  'online',
  'physicalAddress',
  'rfc4193Address',
  'sixPlaneAddress',
];

/** The JSON without Routeplane's extras: what stock zerotier-one would answer (and keep on disk). */
export function stockMemberJson(json: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json).filter(([key]) => !ROUTEPLANE_MEMBER_EXTRAS.includes(key)));
}

export function memberToJson(
  member: MemberRecord,
  network: NetworkRecord | undefined,
  now: number,
  ipam?: MemberIpamFields,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    activeBridge: member.activeBridge,
    address: member.address,
    authenticationExpiryTime: member.authenticationExpiryTime,
    authorized: member.authorized,
    capabilities: [...member.capabilities],
    creationTime: member.creationTime,
    id: member.address,
  };
  if (member.identity !== undefined) json.identity = member.identity;
  Object.assign(json, {
    ipAssignments: [...member.ipAssignments],
  });
  if (ipam) Object.assign(json, { ipamChildSubnet: ipam.ipamChildSubnet, ipamSubnet: ipam.ipamSubnet });
  Object.assign(json, {
    lastAuthorizedCredential: member.lastAuthorizedCredential,
    lastAuthorizedCredentialType: member.lastAuthorizedCredentialType,
    lastAuthorizedTime: member.lastAuthorizedTime,
    lastDeauthorizedTime: member.lastDeauthorizedTime,
    lastSeen: member.lastSeen ?? null,
  });
  if (member.name !== undefined) json.name = member.name;
  Object.assign(json, {
    noAutoAssignIps: member.noAutoAssignIps,
    nwid: member.networkId,
    objtype: 'member',
    online: isOnline(member, now),
    physicalAddress: member.physicalAddress ?? null,
    remoteTraceLevel: member.remoteTraceLevel,
    remoteTraceTarget: member.remoteTraceTarget,
    revision: member.revision,
  });
  if (network?.v6AssignMode.rfc4193) json.rfc4193Address = rfc4193Address(member.networkId, member.address);
  if (network?.v6AssignMode['6plane'])
    json.sixPlaneAddress = sixPlaneAddress(member.networkId, member.address);
  Object.assign(json, {
    ssoExempt: member.ssoExempt,
    tags: member.tags.map(([id, value]) => [id, value]),
    vMajor: member.vMajor,
    vMinor: member.vMinor,
    vProto: member.vProto,
    vRev: member.vRev,
  });
  return json;
}
