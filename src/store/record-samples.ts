// Plain, valid records with stock defaults, for tests and fixtures that need a network or a member
// and care about only a few fields.
import type { MemberRecord } from '../core/member/member-types.ts';
import { NETWORK_ROUTING_DEFAULTS, type NetworkRecord } from '../core/network/network-types.ts';

export function sampleNetwork(id: string, overrides: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id,
    name: `net-${id}`,
    private: true,
    creationTime: 1_700_000_000_000,
    revision: 1,
    multicastLimit: 32,
    enableBroadcast: true,
    mtu: 2800,
    v4AssignMode: { zt: true },
    v6AssignMode: { zt: false, rfc4193: false, '6plane': false },
    routes: [{ target: '10.147.17.0/24', via: null }],
    ipAssignmentPools: [{ ipRangeStart: '10.147.17.1', ipRangeEnd: '10.147.17.254' }],
    rules: [{ type: 'ACTION_ACCEPT', not: false, or: false }],
    rulesSource: '',
    capabilities: [],
    tags: [],
    dns: [],
    authTokens: [null],
    remoteTraceTarget: null,
    remoteTraceLevel: 0,
    ssoEnabled: false,
    clientId: '',
    authorizationEndpoint: '',
    ...structuredClone(NETWORK_ROUTING_DEFAULTS),
    ...overrides,
  };
}

export function sampleMember(
  networkId: string,
  address: string,
  overrides: Partial<MemberRecord> = {},
): MemberRecord {
  return {
    networkId,
    address,
    authorized: false,
    activeBridge: false,
    noAutoAssignIps: false,
    ssoExempt: false,
    ipAssignments: [],
    tags: [],
    capabilities: [],
    creationTime: 1_700_000_000_000,
    revision: 1,
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
    ...overrides,
  };
}
