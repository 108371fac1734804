// Human views of the API's network and member JSON. The JSON comes from the controller, but is read
// defensively: a field that is missing or of another type shows as `-` instead of crashing.
import { CliError } from './cli-error.ts';
import { formatAgo, formatFields, formatTable, formatTime, joinLimited, yesNo } from './output.ts';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The API answered 2xx with something that is not the expected shape. */
export function expectObject(value: unknown, what: string): Json {
  if (!isObject(value))
    throw new CliError(`unexpected answer from the controller: ${what} is not a JSON object`);
  return value;
}

/** The `data` array of an `/unstable/...` list answer. */
export function listData(value: unknown, what: string): Json[] {
  const data = isObject(value) ? value.data : undefined;
  if (!Array.isArray(data))
    throw new CliError(`unexpected answer from the controller: ${what} has no "data" list`);
  return data.filter(isObject);
}

export function text(value: unknown, empty = '-'): string {
  if (typeof value === 'string') return value === '' ? empty : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return empty;
}

export function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function formatRoute(route: Json): string {
  const via = typeof route.via === 'string' && route.via !== '' ? ` via ${route.via}` : '';
  return `${text(route.target, '?')}${via}`;
}

export function formatPool(pool: Json): string {
  return `${text(pool.ipRangeStart, '?')}-${text(pool.ipRangeEnd, '?')}`;
}

/** The assignment modes that are on, e.g. `zt` or `rfc4193, 6plane`; `none` when all are off. */
function assignModes(value: unknown, order: readonly string[]): string {
  if (!isObject(value)) return '-';
  const on = order.filter((mode) => value[mode] === true);
  return on.length > 0 ? on.join(', ') : 'none';
}

function dnsLines(value: unknown): string[] {
  if (!isObject(value)) return [];
  const servers = strings(value.servers);
  const domain = text(value.domain, '');
  if (domain === '' && servers.length === 0) return [];
  return [
    `${domain === '' ? '(no domain)' : domain}: ${servers.length > 0 ? servers.join(', ') : 'no servers'}`,
  ];
}

// ---- networks ----------------------------------------------------------------------------------

export function networkTable(networks: readonly Json[]): string {
  if (networks.length === 0) return 'No networks. Create one with "routeplane network create".\n';
  const rows = networks.map((network) => {
    const meta = isObject(network.meta) ? network.meta : {};
    return [
      text(network.id),
      text(network.name),
      yesNo(network.private),
      `${text(meta.authorizedMemberCount, '?')}/${text(meta.totalMemberCount, '?')}`,
      joinLimited(objects(network.routes).map(formatRoute)),
      joinLimited(objects(network.ipAssignmentPools).map(formatPool)),
    ];
  });
  return formatTable(['ID', 'NAME', 'PRIVATE', 'MEMBERS', 'ROUTES', 'POOLS'], rows);
}

export function networkDetails(network: Json): string {
  const broadcast = `${yesNo(network.enableBroadcast)} (multicast limit ${text(network.multicastLimit)})`;
  return formatFields([
    ['network', text(network.id)],
    ['name', text(network.name)],
    ['private', yesNo(network.private)],
    ['mtu', text(network.mtu)],
    ['broadcast', broadcast],
    ['ipv4 assign', assignModes(network.v4AssignMode, ['zt'])],
    ['ipv6 assign', assignModes(network.v6AssignMode, ['zt', 'rfc4193', '6plane'])],
    ['routes', objects(network.routes).map(formatRoute)],
    ['pools', objects(network.ipAssignmentPools).map(formatPool)],
    ['dns', dnsLines(network.dns)],
    ...networkRoutingFields(network),
    ['created', formatTime(network.creationTime)],
    ['revision', text(network.revision)],
  ]);
}

/** Routeplane's routing settings, shown only when the controller sends them (keys fit the column). */
function networkRoutingFields(network: Json): [string, string][] {
  const fields: [string, string][] = [];
  if ('ipamSubnet' in network) fields.push(['ipam subnet', text(network.ipamSubnet, 'none')]);
  if ('routesFromIpam' in network) {
    const gateway =
      typeof network.ipamGateway === 'string' ? ` (parent route via ${network.ipamGateway})` : '';
    fields.push([
      'ipam routes',
      network.routesFromIpam === true ? `one per child subnet${gateway}` : 'the ipam subnet only',
    ]);
  }
  if (typeof network.ipamGateway === 'string' && network.routesFromIpam !== true) {
    fields.push(['ipam gw', `${network.ipamGateway} (used only with routes from ipam)`]);
  }
  if (typeof network.routeLimitStrategy === 'string') {
    const strategy = network.routeLimitStrategy;
    const meaning =
      strategy === 'aggregate'
        ? 'merge routes to fit the limit'
        : strategy === 'error'
          ? 'refuse changes over the limit'
          : '';
    fields.push(['route limit', meaning === '' ? strategy : `${strategy} (${meaning})`]);
  }
  return fields;
}

// ---- members -----------------------------------------------------------------------------------

/** `online`, `5m ago`, `never`, or `-` when the controller reports neither `online` nor `lastSeen`. */
export function lastSeen(member: Json, nowMs: number): string {
  if (member.online === true) return 'online';
  if (typeof member.lastSeen === 'number' && member.lastSeen > 0) return formatAgo(member.lastSeen, nowMs);
  if ('online' in member || 'lastSeen' in member) return 'never';
  return '-';
}

export function memberTable(members: readonly Json[], nowMs: number): string {
  if (members.length === 0) return 'No members yet.\n';
  const rows = members.map((member) => [
    text(member.address ?? member.id),
    text(member.name),
    yesNo(member.authorized),
    joinLimited(strings(member.ipAssignments), 4),
    lastSeen(member, nowMs),
    text(member.revision),
  ]);
  return formatTable(['ADDRESS', 'NAME', 'AUTHORIZED', 'IPS', 'LAST SEEN', 'REVISION'], rows);
}

function clientVersion(member: Json): string {
  const { vMajor, vMinor, vRev } = member;
  if (typeof vMajor !== 'number' || vMajor < 0 || typeof vMinor !== 'number' || typeof vRev !== 'number')
    return '-';
  return `${vMajor}.${vMinor}.${vRev}`;
}

export function memberDetails(member: Json, nowMs: number): string {
  const authorized =
    member.authorized === true &&
    typeof member.lastAuthorizedTime === 'number' &&
    member.lastAuthorizedTime > 0
      ? `yes (since ${formatTime(member.lastAuthorizedTime)})`
      : yesNo(member.authorized);
  const fields: [string, string | string[]][] = [
    ['member', text(member.address ?? member.id)],
    ['network', text(member.nwid)],
    ['name', text(member.name)],
    ['authorized', authorized],
    ['ips', strings(member.ipAssignments)],
    ['auto-assign', member.noAutoAssignIps === true ? 'no' : 'yes'],
  ];
  if (typeof member.ipamSubnet === 'string') {
    fields.push(
      ['ipam subnet', member.ipamSubnet],
      ['ipam child subnet', text(member.ipamChildSubnet, 'none')],
    );
  } else if (typeof member.ipamChildSubnet === 'string') {
    fields.push(['ipam child subnet', member.ipamChildSubnet]);
  }
  if (typeof member.rfc4193Address === 'string') fields.push(['rfc4193', member.rfc4193Address]);
  if (typeof member.sixPlaneAddress === 'string') fields.push(['6plane', member.sixPlaneAddress]);
  fields.push(['bridge', yesNo(member.activeBridge)], ['last seen', lastSeen(member, nowMs)]);
  if (typeof member.physicalAddress === 'string') fields.push(['physical', member.physicalAddress]);
  fields.push(
    ['version', clientVersion(member)],
    ['identity', text(member.identity)],
    ['created', formatTime(member.creationTime)],
    ['revision', text(member.revision)],
  );
  return formatFields(fields);
}
