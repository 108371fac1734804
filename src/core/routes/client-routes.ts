// Routes as a member's client must receive them to install them. zerotier-one 1.14.1 on Linux never
// installs an IPv4 route without a via (a netlink message bug: test/interop/FINDINGS.md §1), but it
// installs a route via 0.0.0.0 as an on-link route on the ZeroTier interface. So Linux members get
// their IPv4 on-link routes with via "0.0.0.0"; a route equal to a member's own subnet is skipped by
// the client either way. Other platforms (macOS, Windows, BSD) install via-less routes through
// their own route commands and were not tested with 0.0.0.0, so they get the routes as planned.
// IPv6 has no such trick (`::` is not installed either): IPv6 on-link routes stay via-less.
import type { PlannedRoute } from './route-types.ts';

export const ON_LINK_IPV4_VIA = '0.0.0.0';

/** True for the platform string a zerotier-one client reports on Linux (`o` = `linux/<arch>`). */
export function isLinuxClient(platform: string | undefined): boolean {
  return platform !== undefined && platform.toLowerCase().startsWith('linux/');
}

export function routesForClient(
  routes: readonly PlannedRoute[],
  platform: string | undefined,
): PlannedRoute[] {
  if (!isLinuxClient(platform)) return [...routes];
  return routes.map((r) => (r.via === null && !r.target.includes(':') ? { ...r, via: ON_LINK_IPV4_VIA } : r));
}
