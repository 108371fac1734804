// Packets waiting for a WHOIS answer (received from, or to be sent to, a peer we do not know yet).
// Bounded in total and per peer, and expired, so an unknown sender cannot grow it.

export interface Held {
  /** The unknown peer's address. */
  peer: string;
  queued: number;
}

export class HeldPackets<T extends Held> {
  private items: T[] = [];

  constructor(
    private readonly max: number,
    private readonly maxPerPeer: number,
  ) {}

  /** False (nothing held) when full overall or for this peer. */
  hold(item: T): boolean {
    if (this.items.length >= this.max) return false;
    let forPeer = 0;
    for (const i of this.items) if (i.peer === item.peer) forPeer++;
    if (forPeer >= this.maxPerPeer) return false;
    this.items.push(item);
    return true;
  }

  /** Removes and returns everything held for `peer`, oldest first. */
  take(peer: string): T[] {
    if (!this.items.some((i) => i.peer === peer)) return [];
    const taken = this.items.filter((i) => i.peer === peer);
    this.items = this.items.filter((i) => i.peer !== peer);
    return taken;
  }

  /** Removes entries older than `timeout`; returns how many. */
  expire(now: number, timeout: number): number {
    const before = this.items.length;
    this.items = this.items.filter((i) => now - i.queued < timeout);
    return before - this.items.length;
  }

  clear(): void {
    this.items = [];
  }

  get size(): number {
    return this.items.length;
  }
}
