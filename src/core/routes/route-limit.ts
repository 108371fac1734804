// ZeroTier takes at most ZT_MAX_NETWORK_ROUTES routes per member and silently drops the rest; the
// planner refuses instead. The message names the count, the limit and where the routes come from.

import { ErrorCodes, RpError } from '../errors.ts';
import type { RouteItem } from './route-item.ts';
import type { RouteSource } from './route-types.ts';

const SOURCES: RouteSource[] = ['manual', 'ipam', 'advertised'];

/** `manual 3, ipam 200`: routes per source, zero counts left out. */
export function sourceBreakdown(routes: readonly RouteItem[]): string {
  const counts = new Map<RouteSource, number>();
  for (const r of routes) counts.set(r.route.source, (counts.get(r.route.source) ?? 0) + 1);
  return SOURCES.filter((s) => counts.has(s))
    .map((s) => `${s} ${counts.get(s)}`)
    .join(', ');
}

export interface OverLimit {
  /** A member address, or null for "every member" (the routes all members share). */
  member: string | null;
  raw: readonly RouteItem[];
  /** Routes left after every lossless merge (strategy `aggregate`), else undefined. */
  aggregated?: number;
}

export function routeLimitError(over: OverLimit, limit: number): RpError {
  const who = over.member === null ? 'every member' : `member ${over.member}`;
  const head = `${over.raw.length} routes for ${who} exceed ZeroTier's limit of ${limit} (${sourceBreakdown(over.raw)})`;
  const tail =
    over.aggregated === undefined
      ? `; remove routes or set routeLimitStrategy to "aggregate"`
      : `; lossless aggregation of adjacent routes only brings them down to ${over.aggregated}`;
  return new RpError(ErrorCodes.ROUTE_LIMIT, head + tail);
}
