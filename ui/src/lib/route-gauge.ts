// ZeroTier members install at most 128 managed routes (ZT_MAX_NETWORK_ROUTES). The gauge shows how
// close a network is, by distinct targets a member can be sent (one route per target reaches it).
import type { RouteView } from './api-types.ts';

export const ZT_MAX_NETWORK_ROUTES = 128;

export type GaugeLevel = 'ok' | 'warn' | 'full' | 'over';

export interface RouteGauge {
  count: number;
  limit: number;
  /** 0..1, for the bar's width. */
  ratio: number;
  level: GaugeLevel;
  label: string;
}

/** From 80 % of the limit on, the gauge warns: a few more subnets and writes will be refused. */
const WARN_RATIO = 0.8;

export function routeGauge(count: number, limit = ZT_MAX_NETWORK_ROUTES): RouteGauge {
  const ratio = limit > 0 ? Math.min(1, count / limit) : 1;
  const level: GaugeLevel =
    count > limit ? 'over' : count === limit ? 'full' : count >= limit * WARN_RATIO ? 'warn' : 'ok';
  return { count, limit, ratio, level, label: `${count} of ${limit} routes` };
}

/** Distinct targets among the routes that are sent (aggregated ones are merged away). */
export function sentTargets(routes: readonly RouteView[]): number {
  return new Set(routes.filter((r) => r.status === 'active').map((r) => r.target)).size;
}
