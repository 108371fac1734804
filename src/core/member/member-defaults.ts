// A member record as the stock controller creates it (DB::initMember): unauthorized, no addresses,
// client version unknown (-1) until its first authorized config request.

import { invalidField } from '../errors.ts';
import { canonicalMemberAddress, canonicalNetworkId } from '../network/network-id.ts';
import type { MemberRecord } from './member-types.ts';

export function newMember(networkId: string, address: string, now: number): MemberRecord {
  const nwid = canonicalNetworkId(networkId);
  if (nwid === undefined)
    throw invalidField('nwid', `${JSON.stringify(networkId)} is not a 16-hex-digit network ID`);
  const addr = canonicalMemberAddress(address);
  if (addr === undefined)
    throw invalidField('address', `${JSON.stringify(address)} is not a valid member address`);
  return {
    networkId: nwid,
    address: addr,
    authorized: false,
    activeBridge: false,
    noAutoAssignIps: false,
    ssoExempt: false,
    ipAssignments: [],
    tags: [],
    capabilities: [],
    creationTime: now,
    revision: 0,
    lastAuthorizedTime: 0,
    lastDeauthorizedTime: 0,
    lastAuthorizedCredentialType: null,
    lastAuthorizedCredential: null,
    authenticationExpiryTime: 0,
    vMajor: -1,
    vMinor: -1,
    vRev: -1,
    vProto: -1,
    remoteTraceTarget: null,
    remoteTraceLevel: 0,
  };
}
