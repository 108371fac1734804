// A token bucket per key (source IP, peer pair…) with a bounded number of keys, so rate limiting
// itself cannot be used to grow memory: the least recently used key is forgotten first.

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateGate {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param burst events allowed back to back for one key
   * @param interval ms to earn one more event (up to `burst`)
   */
  constructor(
    private readonly burst: number,
    private readonly interval: number,
    private readonly maxKeys: number,
  ) {}

  /** True (and one token spent) when `key` may act now. */
  allow(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: most recently used last
      const earned = this.interval > 0 ? (now - bucket.updated) / this.interval : Infinity;
      bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, earned));
      bucket.updated = now;
    } else {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      bucket = { tokens: this.burst, updated: now };
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }
}
