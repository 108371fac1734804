// What a committed write tells the other controller processes on the same database (PostgreSQL):
// the change events its own listeners got, plus which in-memory state it replaced. Receivers drop
// that state (it reloads on next use) and replay the events to their own listeners, so the process
// serving the members pushes configs for a change written through any process's API.
import type { ChangeEvent } from './change-events.ts';
import type { RoutingScope } from './network-routing.ts';

export interface ChangeAnnouncement {
  events: ChangeEvent[];
  /** Networks whose route planner the write replaced (or may have made stale). */
  planners: string[];
  /** Networks whose subnet-router rows or selection the write replaced. */
  routers: string[];
  /** Routers whose drain state the write set (the process probing them must keep it). */
  drains?: Array<{ address: string; draining: boolean }>;
  /** Heartbeats an agent sent to a process that does not probe (the probing one judges health). */
  heartbeats?: Array<{ address: string; at: number }>;
  ipam: boolean;
  tokens: boolean;
}

export function announcementOf(
  events: readonly ChangeEvent[],
  scope: RoutingScope | undefined,
  extra: Partial<ChangeAnnouncement> = {},
): ChangeAnnouncement | undefined {
  const announcement: ChangeAnnouncement = {
    events: [...events],
    planners: scope ? [...scope.networks] : [],
    routers: scope ? [...scope.routerNetworks] : [],
    ipam: scope?.ipam ?? false,
    tokens: false,
    ...extra,
  };
  const empty =
    announcement.events.length === 0 &&
    announcement.planners.length === 0 &&
    announcement.routers.length === 0 &&
    (announcement.drains?.length ?? 0) === 0 &&
    (announcement.heartbeats?.length ?? 0) === 0 &&
    !announcement.ipam &&
    !announcement.tokens;
  return empty ? undefined : announcement;
}

/** Undefined for anything that is not an announcement of this format (the caller then resyncs fully). */
export function parseAnnouncement(payload: string): ChangeAnnouncement | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const a = value as Partial<ChangeAnnouncement>;
  const strings = (list: unknown): list is string[] =>
    Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (!Array.isArray(a.events) || !strings(a.planners) || !strings(a.routers)) return undefined;
  if (typeof a.ipam !== 'boolean' || typeof a.tokens !== 'boolean') return undefined;
  if (!a.events.every(isChangeEvent)) return undefined;
  if (a.drains !== undefined && !Array.isArray(a.drains)) return undefined;
  if (a.heartbeats !== undefined && !Array.isArray(a.heartbeats)) return undefined;
  return a as ChangeAnnouncement;
}

function isChangeEvent(event: unknown): event is ChangeEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  if (typeof e.networkId !== 'string') return false;
  switch (e.kind) {
    case 'network-changed':
      return typeof e.revision === 'number';
    case 'network-deleted':
      return true;
    case 'member-changed':
      return (
        typeof e.address === 'string' &&
        typeof e.revision === 'number' &&
        typeof e.authorized === 'boolean' &&
        typeof e.wasAuthorized === 'boolean'
      );
    case 'member-deleted':
      return typeof e.address === 'string';
    default:
      return false;
  }
}
