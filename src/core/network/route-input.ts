// Managed routes and IP assignment pools from a POSTed body. Stock silently drops bad entries and
// truncates at 128 routes when building the config; we reject the write and say why.

import { ErrorCodes, invalidField, RpError } from '../errors.ts';
import { formatIp, parseIp } from '../cidr/ip.ts';
import { formatPrefix, isPrefixError, parsePrefix } from '../cidr/prefix.ts';
import { has, readArray, readObject, show } from './json-input.ts';
import { ZT_CONTROLLER_MAX_ARRAY_SIZE, ZT_MAX_NETWORK_ROUTES } from './limits.ts';
import type { IpAssignmentPool, ManagedRoute } from './network-types.ts';

function routeLimitError(field: string, count: number): RpError {
  return new RpError(
    ErrorCodes.ROUTE_LIMIT,
    `${field}: ${count} routes given, but ZeroTier accepts at most ${ZT_MAX_NETWORK_ROUTES} routes per network ` +
      `(ZT_MAX_NETWORK_ROUTES); remove or aggregate ${count - ZT_MAX_NETWORK_ROUTES}`,
    field,
  );
}

/** One route: canonical target, and a via of the same family or null (`""`/absent mean null). */
export function parseRoute(value: unknown, path: string): ManagedRoute {
  const route = readObject(value, path);
  if (!has(route, 'target') || typeof route.target !== 'string') {
    throw invalidField(`${path}.target`, `expected a CIDR string like 10.0.0.0/8, got ${show(route.target)}`);
  }
  const target = parsePrefix(route.target);
  if (isPrefixError(target)) throw invalidField(`${path}.target`, target.error);
  const canonicalTarget = formatPrefix(target);
  const rawVia = route.via;
  if (rawVia === undefined || rawVia === null || rawVia === '') return { target: canonicalTarget, via: null };
  if (typeof rawVia !== 'string') {
    throw invalidField(`${path}.via`, `expected an IP address string or null, got ${show(rawVia)}`);
  }
  const via = parseIp(rawVia);
  if (via === undefined) throw invalidField(`${path}.via`, `${show(rawVia)} is not a valid IP address`);
  if (via.family !== target.family) {
    throw invalidField(
      `${path}.via`,
      `${show(rawVia)} is IPv${via.family} but target ${canonicalTarget} is IPv${target.family}`,
    );
  }
  return { target: canonicalTarget, via: formatIp(via.family, via.value) };
}

/** The full route list; duplicates of (target, via) and more than 128 routes are errors. */
export function parseRoutes(value: unknown, field: string): ManagedRoute[] {
  const items = readArray(value, field);
  if (items.length > ZT_MAX_NETWORK_ROUTES) throw routeLimitError(field, items.length);
  const seen = new Map<string, number>();
  return items.map((item, i) => {
    const route = parseRoute(item, `${field}[${i}]`);
    // A parent and a child sharing a network address differ in bits, so they are distinct keys.
    const key = `${route.target} via ${route.via ?? '-'}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw invalidField(
        `${field}[${i}]`,
        `duplicate route ${route.target} via ${route.via ?? 'null'} (same as ${field}[${first}])`,
      );
    }
    seen.set(key, i);
    return route;
  });
}

function poolAddress(pool: Record<string, unknown>, key: string, path: string) {
  const raw = pool[key];
  const ip = typeof raw === 'string' ? parseIp(raw) : undefined;
  if (ip === undefined) throw invalidField(`${path}.${key}`, `expected an IP address, got ${show(raw)}`);
  return ip;
}

export function parsePool(value: unknown, path: string): IpAssignmentPool {
  const pool = readObject(value, path);
  const start = poolAddress(pool, 'ipRangeStart', path);
  const end = poolAddress(pool, 'ipRangeEnd', path);
  const shown = `ipRangeStart ${show(pool.ipRangeStart)} and ipRangeEnd ${show(pool.ipRangeEnd)}`;
  if (start.family !== end.family) {
    throw invalidField(path, `${shown} are of different families (IPv${start.family} and IPv${end.family})`);
  }
  if (start.value > end.value) throw invalidField(path, `${shown} are reversed: the start is above the end`);
  return { ipRangeStart: formatIp(start.family, start.value), ipRangeEnd: formatIp(end.family, end.value) };
}

export function parsePools(value: unknown, field: string): IpAssignmentPool[] {
  const items = readArray(value, field);
  if (items.length > ZT_CONTROLLER_MAX_ARRAY_SIZE) {
    throw invalidField(
      field,
      `${items.length} pools given; at most ${ZT_CONTROLLER_MAX_ARRAY_SIZE} are kept`,
    );
  }
  return items.map((item, i) => parsePool(item, `${field}[${i}]`));
}
