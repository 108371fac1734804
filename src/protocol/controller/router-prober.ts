// Liveness probes for subnet routers: an ECHO every `intervalMs` to each router the service names;
// an OK(ECHO) answering it within `timeoutMs` is an answer, silence is a miss. After a miss the next
// probe goes out at once instead of waiting for the interval, so two misses (down) take
// timeout + timeout after the first unanswered probe, not interval + timeout. Both unmodified
// zerotier-one and Routeplane's own node answer ECHO, so routers need no agent.
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

interface Outstanding {
  address: string;
  sentAt: number;
  timer: NodeJS.Timeout;
}

export class RouterProber {
  private readonly outstanding = new Map<bigint, Outstanding>();
  /** Addresses with a probe in flight, so a slow answer never doubles the probe rate. */
  private readonly inFlight = new Set<string>();
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
    let packetId: bigint;
    try {
      packetId = this.options.node.send(address, Verb.ECHO, randomBytes(8), { expectReply: true });
    } catch {
      // Unknown peer and no root to ask: that is a miss like any other.
      this.report({ address, answered: false, at: this.clock() });
      return;
    }
    this.inFlight.add(address);
    const timer = setTimeout(() => this.onTimeout(packetId), this.timeoutMs);
    timer.unref();
    this.outstanding.set(packetId, { address, sentAt: this.clock(), timer });
  }

  private onAnswer(packet: IncomingOk): void {
    const probe = this.outstanding.get(packet.inRePacketId);
    if (!probe || probe.address !== packet.source) return;
    clearTimeout(probe.timer);
    this.outstanding.delete(packet.inRePacketId);
    this.inFlight.delete(probe.address);
    const at = this.clock();
    this.report({ address: probe.address, answered: true, at, rttMs: at - probe.sentAt });
  }

  private onTimeout(packetId: bigint): void {
    const probe = this.outstanding.get(packetId);
    if (!probe) return;
    this.outstanding.delete(packetId);
    this.inFlight.delete(probe.address);
    this.report({ address: probe.address, answered: false, at: this.clock() });
    // Confirm or clear the suspicion at once rather than at the next round.
    if (!this.stopped) this.probe(probe.address);
  }

  private report(result: ProbeResult): void {
    try {
      this.options.onResult(result);
    } catch {
      /* the listener reports its own errors */
    }
  }
}
