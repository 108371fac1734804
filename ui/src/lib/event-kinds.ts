// How an event of the log reads in the timeline: a short title from its type and data, a tone
// (failovers and lost prefixes stand out), and a category to filter on. The event's own reason is
// shown under the title, so the title need not repeat it.
import type { EventJson } from './api-types.ts';

export type EventCategory = 'routers' | 'routes' | 'members' | 'networks' | 'ipam' | 'other';
export type EventTone = 'bad' | 'warn' | 'good' | 'info';

export const CATEGORY_LABELS: Record<EventCategory, string> = {
  routers: 'Routers and failover',
  routes: 'Routes',
  members: 'Members',
  networks: 'Networks',
  ipam: 'IPAM',
  other: 'Other',
};

export interface EventView {
  title: string;
  tone: EventTone;
  category: EventCategory;
}

const text = (value: unknown, fallback = '?') =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;

function routeText(data: Record<string, unknown>): string {
  const via = data.via;
  return typeof via === 'string' ? `${text(data.target)} via ${via}` : text(data.target);
}

const subnetPrefix = (data: Record<string, unknown>) =>
  text((data.subnet as Record<string, unknown> | undefined)?.prefix);

const PRIMARY_CHANGES = ['route.initial', 'route.failover', 'route.failback', 'route.drain', 'route.lost'];

export function categoryOf(type: string): EventCategory {
  if (type.startsWith('router.') || PRIMARY_CHANGES.includes(type)) return 'routers';
  if (type.startsWith('route.')) return 'routes';
  if (type.startsWith('member.')) return 'members';
  if (type.startsWith('network.')) return 'networks';
  if (type.startsWith('ipam.')) return 'ipam';
  return 'other';
}

export function describeEvent(event: EventJson): EventView {
  const d = event.data;
  const member = event.memberAddress ?? '?';
  const category = categoryOf(event.type);
  const view = (title: string, tone: EventTone = 'info'): EventView => ({ title, tone, category });
  switch (event.type) {
    case 'route.failover':
      return view(
        `Failover: ${text(d.prefix)} moved from ${text(d.from, 'none')} to ${text(d.to, 'none')}`,
        'bad',
      );
    case 'route.lost':
      return view(`${text(d.prefix)} lost its last healthy router`, 'bad');
    case 'route.failback':
      return view(`Failback: ${text(d.prefix)} back to ${text(d.to)}`, 'warn');
    case 'route.drain':
      return view(`Drain: ${text(d.prefix)} moved to ${text(d.to, 'none')}`, 'warn');
    case 'route.initial':
      return view(`${text(d.prefix)}: primary router ${text(d.to)}`, 'good');
    case 'route.added':
      return view(`Route added: ${routeText(d)} (${text(d.source)})`);
    case 'route.removed':
      return view(`Route removed: ${routeText(d)} (${text(d.source)})`, 'warn');
    case 'route.aggregated':
      return view(`Routes aggregated: ${text(d.before)} → ${text(d.after)}`, 'warn');
    case 'route.deaggregated':
      return view('Routes sent unmerged again');
    case 'route.limit-rejected':
      return view('Change refused: over the 128-route limit', 'bad');
    case 'router.advertised':
      return view(`${member} advertises ${text(d.prefix, 'a prefix')}`);
    case 'router.withdrawn':
      return view(`${member} withdrew ${text(d.prefix, 'a prefix')}`, 'warn');
    case 'router.approved':
    case 'router.auto-approved':
      return view(`${text(d.prefix, 'Route')} approved for ${member}`, 'good');
    case 'router.rejected':
      return view(`${text(d.prefix, 'Route')} rejected for ${member}`, 'warn');
    case 'router.metric-changed':
      return view(`${member} metric changed`);
    case 'router.health': {
      const state = text(d.state, 'unknown');
      return view(
        `Router ${member} is ${state}`,
        state === 'down' ? 'bad' : state === 'healthy' ? 'good' : 'warn',
      );
    }
    case 'router.draining':
      return view(`Router ${member} draining`, 'warn');
    case 'router.undrained':
      return view(`Router ${member} back in service`, 'good');
    case 'member.created':
      return view(`Member ${member} joined`);
    case 'member.authorized':
      return view(`Member ${member} authorised`, 'good');
    case 'member.deauthorized':
      return view(`Member ${member} deauthorised`, 'warn');
    case 'member.ips-changed':
      return view(`Member ${member} addresses changed`);
    case 'member.deleted':
      return view(`Member ${member} deleted`, 'warn');
    case 'network.created':
      return view('Network created', 'good');
    case 'network.updated':
      return view(
        Array.isArray(d.changed) && d.changed.length > 0
          ? `Network updated: ${d.changed.join(', ')}`
          : 'Network updated',
      );
    case 'network.deleted':
      return view('Network deleted', 'warn');
    case 'ipam.subnet-created':
      return view(`Subnet added: ${subnetPrefix(d)}`);
    case 'ipam.subnet-updated':
      return view(`Subnet changed: ${subnetPrefix(d)}`);
    case 'ipam.subnet-deleted':
      return view(`Subnet removed: ${subnetPrefix(d)}`, 'warn');
    default:
      return view(event.type);
  }
}

/** Events matching a category ('all' for any) and every word of a free-text query. */
export function filterEvents(
  events: readonly EventJson[],
  category: EventCategory | 'all',
  query: string,
): EventJson[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  return events.filter((event) => {
    if (category !== 'all' && categoryOf(event.type) !== category) return false;
    if (terms.length === 0) return true;
    const haystack =
      `${event.type} ${event.reason} ${event.actor} ${event.memberAddress ?? ''} ${describeEvent(event).title}`.toLowerCase();
    return terms.every((term) => haystack.includes(term));
  });
}

/** Adds events to a newest-first list: no duplicates (a reconnect may repeat), capped in length. */
export function mergeEvents(
  current: readonly EventJson[],
  incoming: readonly EventJson[],
  cap = 2000,
): EventJson[] {
  if (incoming.length === 0) return current as EventJson[];
  const seen = new Set(current.map((e) => e.id));
  const fresh = incoming.filter((e) => !seen.has(e.id));
  if (fresh.length === 0) return current as EventJson[];
  return [...fresh, ...current].sort((a, b) => b.id - a.id).slice(0, cap);
}
