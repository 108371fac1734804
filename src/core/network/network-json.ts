// The network object exactly as the stock controller returns it: same keys, same types, keys in
// alphabetical order (nlohmann::json sorts them), so byte-level diffs against stock stay readable.

import type { FlowRule, ManagedRoute, NetworkRecord } from './network-types.ts';

function ruleToJson(rule: FlowRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(rule).sort()) out[key] = rule[key];
  return out;
}

/** Keys Routeplane adds to the stock network JSON (old clients ignore them). */
export const ROUTEPLANE_NETWORK_EXTRAS: readonly string[] = [
  'autoApprovers',
  'failbackAfter',
  'ipamGateway',
  'ipamSubnet',
  'routeLimitStrategy',
  'routesFromIpam',
  'steering',
];

/** The JSON without Routeplane's extras: what stock zerotier-one would answer. */
export function stockNetworkJson(json: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json).filter(([key]) => !ROUTEPLANE_NETWORK_EXTRAS.includes(key)));
}

/**
 * `routes` shows what members get (manual, IPAM and advertised-to-all routes, after aggregation);
 * the caller passes it when the network has more than its manual routes. The Routeplane extras
 * (ipamSubnet …) sit in the same alphabetical order; old clients ignore them.
 */
export function networkToJson(
  network: NetworkRecord,
  effectiveRoutes: readonly ManagedRoute[] = network.routes,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    authTokens: structuredClone(network.authTokens),
    authorizationEndpoint: network.authorizationEndpoint,
    autoApprovers: network.autoApprovers.map((rule) => ({
      approvers: [...rule.approvers],
      prefix: rule.prefix,
    })),
    capabilities: network.capabilities.map((cap) => ({
      default: cap.default,
      id: cap.id,
      rules: cap.rules.map(ruleToJson),
    })),
  };
  // Optional in stock; only present once someone sets it.
  if (network.certificateTimeoutWindowSize !== undefined) {
    json.certificateTimeoutWindowSize = network.certificateTimeoutWindowSize;
  }
  Object.assign(json, {
    clientId: network.clientId,
    creationTime: network.creationTime,
    dns: Array.isArray(network.dns) ? [] : { domain: network.dns.domain, servers: [...network.dns.servers] },
    enableBroadcast: network.enableBroadcast,
    failbackAfter: network.failbackAfter,
    id: network.id,
    ipAssignmentPools: network.ipAssignmentPools.map((pool) => ({
      ipRangeEnd: pool.ipRangeEnd,
      ipRangeStart: pool.ipRangeStart,
    })),
    ipamGateway: network.ipamGateway,
    ipamSubnet: network.ipamSubnet,
    mtu: network.mtu,
    multicastLimit: network.multicastLimit,
    name: network.name,
    nwid: network.id,
    objtype: 'network',
    private: network.private,
    remoteTraceLevel: network.remoteTraceLevel,
    remoteTraceTarget: network.remoteTraceTarget,
    revision: network.revision,
    routeLimitStrategy: network.routeLimitStrategy,
    routes: effectiveRoutes.map((route) => ({ target: route.target, via: route.via })),
    routesFromIpam: network.routesFromIpam,
    rules: network.rules.map(ruleToJson),
    rulesSource: network.rulesSource,
    ssoEnabled: network.ssoEnabled,
    steering: network.steering,
    tags: network.tags.map((tag) => ({ default: tag.default, id: tag.id })),
    v4AssignMode: { zt: network.v4AssignMode.zt },
    v6AssignMode: {
      '6plane': network.v6AssignMode['6plane'],
      rfc4193: network.v6AssignMode.rfc4193,
      zt: network.v6AssignMode.zt,
    },
  });
  return json;
}
