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

/**
 * The member JSON's fields in the stock order (alphabetical, with Routeplane's extras in place),
 * each handed to `field`; the one list both renderings below walk. `identity` and `name` are
 * only given when set (the stock controller leaves them out until then).
 */
function eachMemberField(
  member: MemberRecord,
  network: NetworkRecord | undefined,
  now: number,
  ipam: MemberIpamFields | undefined,
  field: (key: string, value: unknown) => void,
): void {
  field('activeBridge', member.activeBridge);
  field('address', member.address);
  field('authenticationExpiryTime', member.authenticationExpiryTime);
  field('authorized', member.authorized);
  field('capabilities', member.capabilities);
  field('creationTime', member.creationTime);
  field('id', member.address);
  if (member.identity !== undefined) field('identity', member.identity);
  field('ipAssignments', member.ipAssignments);
  if (ipam) {
    field('ipamChildSubnet', ipam.ipamChildSubnet);
    field('ipamSubnet', ipam.ipamSubnet);
  }
  field('lastAuthorizedCredential', member.lastAuthorizedCredential);
  field('lastAuthorizedCredentialType', member.lastAuthorizedCredentialType);
  field('lastAuthorizedTime', member.lastAuthorizedTime);
  field('lastDeauthorizedTime', member.lastDeauthorizedTime);
  field('lastSeen', member.lastSeen ?? null);
  if (member.name !== undefined) field('name', member.name);
  field('noAutoAssignIps', member.noAutoAssignIps);
  field('nwid', member.networkId);
  field('objtype', 'member');
  field('online', isOnline(member, now));
  field('physicalAddress', member.physicalAddress ?? null);
  field('remoteTraceLevel', member.remoteTraceLevel);
  field('remoteTraceTarget', member.remoteTraceTarget);
  field('revision', member.revision);
  if (network?.v6AssignMode.rfc4193)
    field('rfc4193Address', rfc4193Address(member.networkId, member.address));
  if (network?.v6AssignMode['6plane'])
    field('sixPlaneAddress', sixPlaneAddress(member.networkId, member.address));
  field('ssoExempt', member.ssoExempt);
  field('tags', member.tags);
  field('vMajor', member.vMajor);
  field('vMinor', member.vMinor);
  field('vProto', member.vProto);
  field('vRev', member.vRev);
}

export function memberToJson(
  member: MemberRecord,
  network: NetworkRecord | undefined,
  now: number,
  ipam?: MemberIpamFields,
): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  eachMemberField(member, network, now, ipam, (key, value) => {
    // Copies, so a caller changing the JSON never changes the record.
    json[key] =
      key === 'tags' ? member.tags.map(([id, v]) => [id, v]) : Array.isArray(value) ? [...value] : value;
  });
  return json;
}

/** Characters a JSON string may hold as they are (no quote, backslash or control character). */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** JSON.stringify(value) with shortcuts for what member fields mostly hold. */
function jsonValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    default:
      if (value === null) return 'null';
      if (Array.isArray(value) && value.length === 0) return '[]';
      return JSON.stringify(value);
  }
}

/**
 * `JSON.stringify(memberToJson(member, network, now, ipam))`, written straight into a string: the
 * full member list serializes 100,000 of these, and building each object first (then walking it
 * again) was a fifth of that list's time. Same keys in the same order, same omissions (a key whose
 * value is undefined is left out, as JSON.stringify does).
 */
export function memberJsonText(
  member: MemberRecord,
  network: NetworkRecord | undefined,
  now: number,
  ipam?: MemberIpamFields,
): string {
  // Parts joined once: one flat string, not a rope of ~70 pieces per member to flatten later.
  const parts: string[] = [];
  eachMemberField(member, network, now, ipam, (key, value) => {
    if (value !== undefined) parts.push(`"${key}":${jsonValue(value)}`);
  });
  return `{${parts.join(',')}}`;
}
