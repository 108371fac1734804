// The health of one subnet router as the controller sees it, as a pure state machine. Inputs are
// probe results (the controller ECHOes each router every probe interval; no answer within the
// timeout is a miss), protocol activity and agent heartbeats (proof of life), and drain requests.
// One miss makes a router `suspect` (kept as primary: one lost datagram must not move traffic),
// `missesForDown` misses in a row make it `down`; any answer makes it `healthy` again.

export type HealthState = 'healthy' | 'suspect' | 'down' | 'draining';

export interface RouterHealthRecord {
  /** Liveness alone; `draining` is a separate flag an operator sets. */
  liveness: 'healthy' | 'suspect' | 'down';
  draining: boolean;
  /** Misses in a row since the last answer. */
  misses: number;
  /** When the router last became healthy (ms), null while it is not. */
  healthySince: number | null;
  /** When `liveness` last changed. */
  since: number;
  /** Last answer, activity or heartbeat (ms). */
  lastHeard: number | null;
}

export type HealthInput =
  | { kind: 'answer'; at: number }
  | { kind: 'miss'; at: number }
  | { kind: 'drain'; draining: boolean; at: number };

export interface HealthSettings {
  /** Misses in a row that make a router down (default 2). */
  missesForDown: number;
}

export const DEFAULT_HEALTH_SETTINGS: HealthSettings = { missesForDown: 2 };

/** What a router is shown as: draining wins over liveness unless it is down. */
export function healthState(record: RouterHealthRecord): HealthState {
  if (record.liveness === 'down') return 'down';
  return record.draining ? 'draining' : record.liveness;
}

/** A router the controller has no verdict on yet: healthy until probes say otherwise (no flap on restart). */
export function initialHealth(
  at: number,
  persisted?: { state: string | null; since: number | null },
): RouterHealthRecord {
  const draining = persisted?.state === 'draining';
  if (persisted?.state === 'down') {
    return {
      liveness: 'down',
      draining: false,
      misses: DEFAULT_HEALTH_SETTINGS.missesForDown,
      healthySince: null,
      since: persisted.since ?? at,
      lastHeard: null,
    };
  }
  return {
    liveness: 'healthy',
    draining,
    misses: 0,
    healthySince: persisted?.since ?? at,
    since: persisted?.since ?? at,
    lastHeard: null,
  };
}

export function nextHealth(
  record: RouterHealthRecord,
  input: HealthInput,
  settings: HealthSettings = DEFAULT_HEALTH_SETTINGS,
): RouterHealthRecord {
  switch (input.kind) {
    case 'answer': {
      if (record.liveness === 'healthy' && record.misses === 0) return { ...record, lastHeard: input.at };
      return {
        ...record,
        liveness: 'healthy',
        misses: 0,
        healthySince:
          record.liveness === 'healthy' || record.liveness === 'suspect'
            ? (record.healthySince ?? input.at)
            : input.at,
        since: record.liveness === 'healthy' ? record.since : input.at,
        lastHeard: input.at,
      };
    }
    case 'miss': {
      const misses = record.misses + 1;
      const liveness = misses >= settings.missesForDown ? 'down' : 'suspect';
      return {
        ...record,
        misses,
        liveness,
        healthySince: liveness === 'down' ? null : record.healthySince,
        since: liveness === record.liveness ? record.since : input.at,
      };
    }
    case 'drain':
      return { ...record, draining: input.draining };
  }
}
