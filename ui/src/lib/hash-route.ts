// The dashboard's addresses live in the URL's fragment (`/ui/#/networks/<id>/members`): the server
// serves one page, links can be shared and bookmarked, and Back works. Never a token in there.

export type NetworkTab = 'members' | 'routes' | 'picture' | 'events' | 'settings';
export const NETWORK_TABS: readonly NetworkTab[] = ['members', 'routes', 'picture', 'events', 'settings'];

export type Route =
  | { page: 'networks' }
  | { page: 'network'; networkId: string; tab: NetworkTab; member?: string }
  | { page: 'ipam' }
  | { page: 'events' }
  | { page: 'not-found'; path: string };

const NWID = /^[0-9a-f]{16}$/;
const ADDRESS = /^[0-9a-f]{10}$/;

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+|\/+$/g, '');
  const parts = path === '' ? [] : path.split('/').map((p) => decodeURIComponent(p).toLowerCase());
  const [head, id, tab, address] = parts;
  if (parts.length === 0 || (head === 'networks' && parts.length === 1)) return { page: 'networks' };
  if (head === 'ipam' && parts.length === 1) return { page: 'ipam' };
  if (head === 'events' && parts.length === 1) return { page: 'events' };
  if (head === 'networks' && id !== undefined && NWID.test(id)) {
    if (parts.length === 2) return { page: 'network', networkId: id, tab: 'members' };
    if ((NETWORK_TABS as readonly string[]).includes(tab!)) {
      if (parts.length === 3) return { page: 'network', networkId: id, tab: tab as NetworkTab };
      if (parts.length === 4 && tab === 'members' && ADDRESS.test(address!))
        return { page: 'network', networkId: id, tab: 'members', member: address };
    }
  }
  return { page: 'not-found', path: `/${path}` };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'networks':
      return '#/networks';
    case 'ipam':
      return '#/ipam';
    case 'events':
      return '#/events';
    case 'network':
      return `#/networks/${route.networkId}/${route.tab}${route.member ? `/${route.member}` : ''}`;
    case 'not-found':
      return `#${route.path}`;
  }
}

export const networkHref = (networkId: string, tab: NetworkTab = 'members', member?: string) =>
  hrefOf({ page: 'network', networkId, tab, member });
