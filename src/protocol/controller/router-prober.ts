// Liveness probes for subnet routers: an ECHO every `intervalMs` to each router the service names;
// an OK(ECHO) answering it within `timeoutMs` is an answer, silence is a miss, two misses in a row
// are down. A probe still unanswered after a few of the router's round trips is suspicious: a
// second probe goes out then, so the two misses that make a router down arrive one grace apart
// (timeout + grace after the first unanswered probe, not timeout + timeout), while a single lost
// packet still costs nothing (the other probe answers). Detection from a router's death is thus at
// most interval + grace + timeout (about 3.05 s with the defaults on a LAN). After a miss with no
// probe left in flight, the next one goes out at once. Both unmodified zerotier-one and
// Routeplane's own node answer ECHO, so routers need no agent.
import { randomBytes } from 'node:crypto';
import type { IncomingOk, ZeroTierNode } from '../node/index.ts';
import { Verb } from '../packet.ts';

export interface ProbeResult {
  address: string;
  answered: boolean;
  /** When the answer arrived or the timeout ran out (ms). */
  at: number;
  /** Round trip in ms, for answers. */
  rttMs?: number;
}

export interface RouterProberOptions {
  node: ZeroTierNode;
  /** Router addresses to probe now (read before every round). */
  targets: () => Iterable<string>;
  onResult: (result: ProbeResult) => void;
  intervalMs?: number;
  timeoutMs?: number;
  clock?: () => number;
}

export const DEFAULT_PROBE_INTERVAL_MS = 2000;
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;
/** The confirming probe waits this many of the router's round trips, within the bounds below. */
const GRACE_ROUND_TRIPS = 4;
export const MIN_GRACE_MS = 50;
const MAX_GRACE_MS = 500;

interface Outstanding {
  address: string;
  sentAt: number;
  timer: NodeJS.Timeout;
}

/** Probes in flight to one router: the regular one and at most one confirming probe. */
interface InFlight {
  packetIds: Set<bigint>;
  confirm?: NodeJS.Timeout;
}

export class RouterProber {
  private readonly outstanding = new Map<bigint, Outstanding>();
  /** Routers with probes in flight, so a slow answer never doubles the probe rate. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Last round trip per router (ms), for the confirming probe's grace. */
  private readonly rtt = new Map<string, number>();
  private round: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private stopped = true;

  constructor(private readonly options: RouterProberOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.node.onOk(Verb.ECHO, (packet) => this.onAnswer(packet));
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.round) clearTimeout(this.round);
    this.round = undefined;
    this.unsubscribe?.();
    for (const probe of this.outstanding.values()) clearTimeout(probe.timer);
    for (const flight of this.inFlight.values()) clearTimeout(flight.confirm);
    this.outstanding.clear();
    this.inFlight.clear();
  }

  /** Probes `address` now (e.g. a router that just advertised), unless a probe is in flight. */
  probeNow(address: string): void {
    if (!this.stopped) this.probe(address);
  }

  private tick(): void {
    if (this.stopped) return;
    for (const address of this.options.targets()) this.probe(address);
    this.round = setTimeout(() => this.tick(), this.intervalMs);
    this.round.unref();
  }

  private probe(address: string): void {
    if (this.inFlight.has(address)) return;
    const flight: InFlight = { packetIds: new Set() };
    if (!this.send(address, flight)) return;
    this.inFlight.set(address, flight);
    const grace = Math.min(
      MAX_GRACE_MS,
      Math.max(MIN_GRACE_MS, GRACE_ROUND_TRIPS * (this.rtt.get(address) ?? MAX_GRACE_MS)),
    );
    if (grace < this.timeoutMs) {
      flight.confirm = setTimeout(() => {
        flight.confirm = undefined;
        if (this.inFlight.get(address) === flight && flight.packetIds.size > 0) this.send(address, flight);
      }, grace);
      flight.confirm.unref();
    }
  }

  /** One ECHO to `address`, tracked under `flight`; false (and a miss reported) when it cannot go. */
  private send(address: string, flight: InFlight): boolean {
    let packetId: bigint;
    try {
      packetId = this.options.node.send(address, Verb.ECHO, randomBytes(8), { expectReply: true });
    } catch {
      // Unknown peer and no root to ask: that is a miss like any other.
      this.report({ address, answered: false, at: this.clock() });
      return false;
    }
    const timer = setTimeout(() => this.onTimeout(packetId), this.timeoutMs);
    timer.unref();
    this.outstanding.set(packetId, { address, sentAt: this.clock(), timer });
    flight.packetIds.add(packetId);
    return true;
  }

  private onAnswer(packet: IncomingOk): void {
    const probe = this.outstanding.get(packet.inRePacketId);
    if (!probe || probe.address !== packet.source) return;
    const at = this.clock();
    this.rtt.set(probe.address, at - probe.sentAt);
    // Any probe answered settles the round: the other one is no longer awaited.
    const flight = this.inFlight.get(probe.address);
    for (const packetId of flight?.packetIds ?? [packet.inRePacketId]) {
      const p = this.outstanding.get(packetId);
      if (p) clearTimeout(p.timer);
      this.outstanding.delete(packetId);
    }
    if (flight) clearTimeout(flight.confirm);
    this.inFlight.delete(probe.address);
    this.report({ address: probe.address, answered: true, at, rttMs: at - probe.sentAt });
  }

  private onTimeout(packetId: bigint): void {
    const probe = this.outstanding.get(packetId);
    if (!probe) return;
    this.outstanding.delete(packetId);
    const flight = this.inFlight.get(probe.address);
    flight?.packetIds.delete(packetId);
    const last = !flight || flight.packetIds.size === 0;
    if (last) {
      if (flight) clearTimeout(flight.confirm);
      this.inFlight.delete(probe.address);
    }
    this.report({ address: probe.address, answered: false, at: this.clock() });
    // Confirm or clear the suspicion at once rather than at the next round.
    if (last && !this.stopped) this.probe(probe.address);
  }

  private report(result: ProbeResult): void {
    try {
      this.options.onResult(result);
    } catch {
      /* the listener reports its own errors */
    }
  }
}
