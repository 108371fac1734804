// `POST /controller/network/<nwid>`: a partial update merged into the stored network. Same fields
// and legacy forms as the stock controller, but a known field with a bad value is rejected (stock
// coerces or drops it). Every field is validated before anything is applied, and the input record
// is never mutated.

import { invalidField } from '../errors.ts';
import { formatIp, parseIp } from '../cidr/ip.ts';
import { formatPrefix, isPrefixError, parsePrefix, prefixContainsIp } from '../cidr/prefix.ts';
import { parseFlowRules } from './flow-rules.ts';
import {
  has,
  readArray,
  readBoolean,
  readBoundedString,
  readInteger,
  readObject,
  readString,
  readTraceTarget,
  show,
  type JsonObject,
} from './json-input.ts';
import {
  CREDENTIAL_WINDOW_MAX_MS,
  CREDENTIAL_WINDOW_MIN_MS,
  UINT32_MAX,
  ZT_MAX_CAPABILITY_RULES,
  ZT_MAX_DNS_DOMAIN_BYTES,
  ZT_MAX_DNS_SERVERS,
  ZT_MAX_MTU,
  ZT_MAX_NETWORK_CAPABILITIES,
  ZT_MAX_NETWORK_NAME_BYTES,
  ZT_MAX_NETWORK_RULES,
  ZT_MAX_NETWORK_TAGS,
  ZT_MIN_MTU,
} from './limits.ts';
import type {
  NetworkCapability,
  NetworkDns,
  NetworkRecord,
  NetworkTag,
  V4AssignMode,
  V6AssignMode,
} from './network-types.ts';
import { parsePools, parseRoutes } from './route-input.ts';
import { parseRoutingPolicy } from '../routers/routing-policy.ts';

type Patch = Partial<Omit<NetworkRecord, 'certificateTimeoutWindowSize'>> & {
  certificateTimeoutWindowSize?: number | null;
};

type FieldParser = (value: unknown, current: NetworkRecord) => Patch;

const V6_MODES = ['zt', 'rfc4193', '6plane'] as const;

function parseV4AssignMode(value: unknown, current: NetworkRecord): V4AssignMode {
  // Legacy string form: "zt" turns ZeroTier assignment on, anything else off (as stock).
  if (typeof value === 'string') return { zt: value === 'zt' };
  const mode = readObject(value, 'v4AssignMode');
  return { zt: has(mode, 'zt') ? readBoolean(mode.zt, 'v4AssignMode.zt') : current.v4AssignMode.zt };
}

function parseV6AssignMode(value: unknown, current: NetworkRecord): V6AssignMode {
  if (typeof value === 'string') {
    // Legacy comma list: the named modes on, the others off.
    const words = value
      .split(',')
      .map((word) => word.trim())
      .filter((word) => word !== '');
    const unknown = words.filter((word) => !(V6_MODES as readonly string[]).includes(word));
    if (unknown.length > 0) {
      throw invalidField(
        'v6AssignMode',
        `unknown mode(s) ${unknown.map(show).join(', ')} in ${show(value)}; expected a comma list of zt, rfc4193, 6plane`,
      );
    }
    return {
      zt: words.includes('zt'),
      rfc4193: words.includes('rfc4193'),
      '6plane': words.includes('6plane'),
    };
  }
  const mode = readObject(value, 'v6AssignMode');
  const next = { ...current.v6AssignMode };
  for (const key of V6_MODES) {
    if (has(mode, key)) next[key] = readBoolean(mode[key], `v6AssignMode.${key}`);
  }
  return next;
}

function parseDns(value: unknown): NetworkDns | [] {
  // Clients post back the stock "no DNS" value `[]`; null means the same.
  if (value === null || (Array.isArray(value) && value.length === 0)) return [];
  const dns = readObject(value, 'dns');
  const domain = has(dns, 'domain')
    ? readBoundedString(dns.domain, 'dns.domain', ZT_MAX_DNS_DOMAIN_BYTES)
    : '';
  const rawServers = has(dns, 'servers') ? readArray(dns.servers, 'dns.servers') : [];
  if (rawServers.length > ZT_MAX_DNS_SERVERS) {
    throw invalidField(
      'dns.servers',
      `${rawServers.length} servers given; ZeroTier sends at most ${ZT_MAX_DNS_SERVERS}`,
    );
  }
  const servers = rawServers.map((server, i) => {
    const ip = typeof server === 'string' ? parseIp(server) : undefined;
    if (ip === undefined)
      throw invalidField(`dns.servers[${i}]`, `expected an IP address, got ${show(server)}`);
    return formatIp(ip.family, ip.value);
  });
  return { domain, servers };
}

function parseAuthTokens(value: unknown): unknown[] {
  // The stock default is `[null]` and clients echo it back; null entries carry no token.
  if (value === null) return [null];
  const items = readArray(value, 'authTokens');
  const tokens: JsonObject[] = [];
  items.forEach((item, i) => {
    if (item === null) return;
    const path = `authTokens[${i}]`;
    const token = readObject(item, path);
    const out: JsonObject = { token: readString(token.token, `${path}.token`) };
    if (has(token, 'expires'))
      out.expires = readInteger(token.expires, `${path}.expires`, 0, Number.MAX_SAFE_INTEGER);
    tokens.push(out);
  });
  return tokens.length > 0 ? tokens : [null];
}

/** Rejects a second entry with the same id (stock keeps the last one silently). */
function checkUniqueIds(items: { id: number }[], field: string): void {
  const seen = new Map<number, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined)
      throw invalidField(`${field}[${i}].id`, `id ${item.id} is already used by ${field}[${first}]`);
    seen.set(item.id, i);
  });
}

function parseCapabilities(value: unknown): NetworkCapability[] {
  const items = readArray(value, 'capabilities');
  if (items.length > ZT_MAX_NETWORK_CAPABILITIES) {
    throw invalidField(
      'capabilities',
      `${items.length} given; ZeroTier allows at most ${ZT_MAX_NETWORK_CAPABILITIES}`,
    );
  }
  const capabilities = items.map((item, i): NetworkCapability => {
    const path = `capabilities[${i}]`;
    const cap = readObject(item, path);
    return {
      id: readInteger(cap.id, `${path}.id`, 0, UINT32_MAX),
      default: has(cap, 'default') ? readBoolean(cap.default, `${path}.default`) : false,
      rules: has(cap, 'rules') ? parseFlowRules(cap.rules, `${path}.rules`, ZT_MAX_CAPABILITY_RULES) : [],
    };
  });
  checkUniqueIds(capabilities, 'capabilities');
  // Stock keeps capabilities and tags ordered by id.
  return capabilities.sort((a, b) => a.id - b.id);
}

function parseTags(value: unknown): NetworkTag[] {
  const items = readArray(value, 'tags');
  if (items.length > ZT_MAX_NETWORK_TAGS) {
    throw invalidField('tags', `${items.length} given; ZeroTier allows at most ${ZT_MAX_NETWORK_TAGS}`);
  }
  const tags = items.map((item, i): NetworkTag => {
    const path = `tags[${i}]`;
    const tag = readObject(item, path);
    const dfl = tag.default;
    return {
      id: readInteger(tag.id, `${path}.id`, 0, UINT32_MAX),
      default: dfl === undefined || dfl === null ? null : readInteger(dfl, `${path}.default`, 0, UINT32_MAX),
    };
  });
  checkUniqueIds(tags, 'tags');
  return tags.sort((a, b) => a.id - b.id);
}

const ROUTE_LIMIT_STRATEGIES = ['error', 'aggregate'] as const;

/** A CIDR in canonical form, or null (`""` too). */
function readOptionalPrefix(value: unknown, field: string): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string')
    throw invalidField(field, `expected a CIDR string or null, got ${show(value)}`);
  const prefix = parsePrefix(value);
  if (isPrefixError(prefix)) throw invalidField(field, prefix.error);
  return formatPrefix(prefix);
}

function readOptionalIp(value: unknown, field: string): string | null {
  if (value === null || value === '') return null;
  const ip = typeof value === 'string' ? parseIp(value) : undefined;
  if (ip === undefined) throw invalidField(field, `expected an IP address or null, got ${show(value)}`);
  return formatIp(ip.family, ip.value);
}

function readRouteLimitStrategy(value: unknown): NetworkRecord['routeLimitStrategy'] {
  if (typeof value !== 'string' || !(ROUTE_LIMIT_STRATEGIES as readonly string[]).includes(value)) {
    throw invalidField('routeLimitStrategy', `expected "error" or "aggregate", got ${show(value)}`);
  }
  return value as NetworkRecord['routeLimitStrategy'];
}

/** The gateway must be an address inside the network's IPAM subnet (it is the parent route's via). */
function checkIpamGateway(next: NetworkRecord): void {
  if (next.ipamGateway === null) return;
  if (next.ipamSubnet === null) {
    throw invalidField(
      'ipamGateway',
      `${next.ipamGateway} is set but the network has no ipamSubnet; set ipamSubnet too, or set ipamGateway to null`,
    );
  }
  const subnet = parsePrefix(next.ipamSubnet);
  const gateway = parseIp(next.ipamGateway)!;
  if (isPrefixError(subnet) || !prefixContainsIp(subnet, gateway.family, gateway.value)) {
    throw invalidField(
      'ipamGateway',
      `${next.ipamGateway} is not inside the network's ipamSubnet ${next.ipamSubnet}`,
    );
  }
}

const PARSERS: Record<string, FieldParser> = {
  name: (v) => ({ name: readBoundedString(v, 'name', ZT_MAX_NETWORK_NAME_BYTES) }),
  private: (v) => ({ private: readBoolean(v, 'private') }),
  enableBroadcast: (v) => ({ enableBroadcast: readBoolean(v, 'enableBroadcast') }),
  ssoEnabled: (v) => ({ ssoEnabled: readBoolean(v, 'ssoEnabled') }),
  mtu: (v) => ({ mtu: readInteger(v, 'mtu', ZT_MIN_MTU, ZT_MAX_MTU) }),
  multicastLimit: (v) => ({ multicastLimit: readInteger(v, 'multicastLimit', 0, UINT32_MAX) }),
  rulesSource: (v) => ({ rulesSource: readString(v, 'rulesSource') }),
  clientId: (v) => ({ clientId: readString(v, 'clientId') }),
  authorizationEndpoint: (v) => ({ authorizationEndpoint: readString(v, 'authorizationEndpoint') }),
  remoteTraceTarget: (v) => ({ remoteTraceTarget: readTraceTarget(v, 'remoteTraceTarget') }),
  remoteTraceLevel: (v) => ({ remoteTraceLevel: readInteger(v, 'remoteTraceLevel', 0, UINT32_MAX) }),
  certificateTimeoutWindowSize: (v) => ({
    // null removes the setting (back to the 30-minute default).
    certificateTimeoutWindowSize:
      v === null
        ? null
        : readInteger(v, 'certificateTimeoutWindowSize', CREDENTIAL_WINDOW_MIN_MS, CREDENTIAL_WINDOW_MAX_MS),
  }),
  v4AssignMode: (v, current) => ({ v4AssignMode: parseV4AssignMode(v, current) }),
  v6AssignMode: (v, current) => ({ v6AssignMode: parseV6AssignMode(v, current) }),
  routes: (v) => ({ routes: parseRoutes(v, 'routes') }),
  ipAssignmentPools: (v) => ({ ipAssignmentPools: parsePools(v, 'ipAssignmentPools') }),
  rules: (v) => ({ rules: parseFlowRules(v, 'rules', ZT_MAX_NETWORK_RULES) }),
  capabilities: (v) => ({ capabilities: parseCapabilities(v) }),
  tags: (v) => ({ tags: parseTags(v) }),
  dns: (v) => ({ dns: parseDns(v) }),
  authTokens: (v) => ({ authTokens: parseAuthTokens(v) }),
  ipamSubnet: (v) => ({ ipamSubnet: readOptionalPrefix(v, 'ipamSubnet') }),
  routesFromIpam: (v) => ({ routesFromIpam: readBoolean(v, 'routesFromIpam') }),
  ipamGateway: (v) => ({ ipamGateway: readOptionalIp(v, 'ipamGateway') }),
  routeLimitStrategy: (v) => ({ routeLimitStrategy: readRouteLimitStrategy(v) }),
  steering: (v) => ({ steering: parseRoutingPolicy({ steering: v }).steering }),
  failbackAfter: (v) => ({ failbackAfter: parseRoutingPolicy({ failbackAfter: v }).failbackAfter }),
  autoApprovers: (v) => ({ autoApprovers: parseRoutingPolicy({ autoApprovers: v }).autoApprovers }),
};

/** The fields a client may change; everything else in a body (id, revision, meta …) is ignored. */
export const WRITABLE_NETWORK_FIELDS: readonly string[] = Object.keys(PARSERS);

/**
 * Validates `body` completely, then returns a new record with the given fields replaced (objects
 * such as the assign modes are merged). `revision` is left alone: the service bumps it.
 */
export function applyNetworkUpdate(current: NetworkRecord, body: unknown): NetworkRecord {
  const input = readObject(body, 'body');
  const patch: Patch = {};
  for (const [key, parse] of Object.entries(PARSERS)) {
    if (has(input, key)) Object.assign(patch, parse(input[key], current));
  }
  const next: NetworkRecord = { ...structuredClone(current) };
  const { certificateTimeoutWindowSize, ...rest } = patch;
  Object.assign(next, rest);
  if (certificateTimeoutWindowSize === null) delete next.certificateTimeoutWindowSize;
  else if (certificateTimeoutWindowSize !== undefined)
    next.certificateTimeoutWindowSize = certificateTimeoutWindowSize;
  checkIpamGateway(next);
  return next;
}
