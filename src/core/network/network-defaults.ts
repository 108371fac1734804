// A new network with the stock controller's defaults (DB::initNetwork in ZeroTier One 1.14).

import { invalidField } from '../errors.ts';
import { ZT_DEFAULT_MTU } from './limits.ts';
import { canonicalNetworkId } from './network-id.ts';
import { NETWORK_ROUTING_DEFAULTS, type FlowRule, type NetworkRecord } from './network-types.ts';

/** The stock default rule set: accept everything. */
export function defaultRules(): FlowRule[] {
  return [{ not: false, or: false, type: 'ACTION_ACCEPT' }];
}

export function newNetwork(id: string, now: number): NetworkRecord {
  const nwid = canonicalNetworkId(id);
  if (nwid === undefined) throw invalidField('id', `${JSON.stringify(id)} is not a 16-hex-digit network ID`);
  return {
    id: nwid,
    name: '',
    private: true,
    creationTime: now,
    revision: 0,
    multicastLimit: 32,
    enableBroadcast: true,
    mtu: ZT_DEFAULT_MTU,
    v4AssignMode: { zt: false },
    v6AssignMode: { zt: false, rfc4193: false, '6plane': false },
    routes: [],
    ipAssignmentPools: [],
    rules: defaultRules(),
    rulesSource: '',
    capabilities: [],
    tags: [],
    dns: [],
    // Stock stores `{{}}`, which nlohmann renders as [null]; clients post it back verbatim.
    authTokens: [null],
    remoteTraceTarget: null,
    remoteTraceLevel: 0,
    ssoEnabled: false,
    clientId: '',
    authorizationEndpoint: '',
    ...structuredClone(NETWORK_ROUTING_DEFAULTS),
  };
}
