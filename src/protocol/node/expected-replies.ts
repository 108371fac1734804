// Packet ids we sent expecting an OK (HELLO, WHOIS, ECHO, config pushes…). ZeroTier drops any OK
// that does not answer such a packet; we also require the OK to come from the peer we asked.

interface Expectation {
  to: string;
  verb: number;
  expires: number;
}

export class ExpectedReplies {
  private readonly pending = new Map<bigint, Expectation>();

  constructor(
    private readonly timeout: number,
    private readonly maxEntries: number,
  ) {}

  expect(packetId: bigint, to: string, verb: number, now: number): void {
    this.prune(now);
    if (this.pending.size >= this.maxEntries) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
    }
    this.pending.delete(packetId);
    this.pending.set(packetId, { to, verb, expires: now + this.timeout });
  }

  /**
   * The verb of the packet `packetId` answered when `from` may answer it now, else undefined. The
   * entry stays until it expires: one request may get several OKs (config chunks).
   */
  match(packetId: bigint, from: string, now: number): number | undefined {
    const e = this.pending.get(packetId);
    if (!e || e.expires <= now || e.to !== from) return undefined;
    return e.verb;
  }

  prune(now: number): void {
    for (const [id, e] of this.pending) {
      if (e.expires > now) break; // same timeout for all: insertion order is expiry order
      this.pending.delete(id);
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
