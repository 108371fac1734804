// When each member was last seen and from where. Every config request and HELLO updates it, so it
// lives in memory and reaches the database in batches (a flush every few seconds) instead of one
// write per packet; reads merge the fresh in-memory values over the stored ones.
//
// What the database holds only matters after a restart or to another controller process (takeover
// resumes the members seen in the last 120 s), so a member's time is written again only when it
// moved by `persistEveryMs` (or its physical address changed): a busy controller does not rewrite
// every member row every flush. A flush writes in transactions of `flushChunk` rows, one after the
// other, so the event loop keeps serving between them. `close()` writes every fresher value.

export interface PresenceEntry {
  networkId: string;
  address: string;
  lastSeen: number;
  physicalAddress: string;
}

export type PresenceWriter = (entries: PresenceEntry[]) => Promise<void>;

export interface MemberPresenceOptions {
  /** How often pending values are written (ms, default 5000). */
  flushIntervalMs?: number;
  /** A member's stored time is refreshed when it moved by this much (ms, default 30 s). */
  persistEveryMs?: number;
  /** Rows per write transaction (default 500). */
  flushChunk?: number;
  /** Members tracked at most; past it the in-memory values are dropped (default 2,000,000). */
  maxTracked?: number;
}

export class MemberPresence {
  private pending = new Map<string, PresenceEntry>();
  private readonly latest = new Map<string, PresenceEntry>();
  /** What the database holds, as far as this process wrote it. */
  private readonly stored = new Map<string, PresenceEntry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushIntervalMs: number;
  private readonly persistEveryMs: number;
  private readonly flushChunk: number;
  private readonly maxTracked: number;

  constructor(
    private readonly write: PresenceWriter,
    options: MemberPresenceOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.persistEveryMs = options.persistEveryMs ?? 30_000;
    this.flushChunk = Math.max(1, options.flushChunk ?? 500);
    this.maxTracked = options.maxTracked ?? 2_000_000;
  }

  note(entry: PresenceEntry): void {
    const key = `${entry.networkId}/${entry.address}`;
    if (this.latest.size >= this.maxTracked && !this.latest.has(key)) {
      this.latest.clear();
      this.stored.clear();
    }
    this.latest.set(key, entry);
    if (this.pending.has(key) || this.due(key, entry)) {
      this.pending.set(key, entry);
      this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref();
    }
  }

  get(networkId: string, address: string): PresenceEntry | undefined {
    return this.latest.get(`${networkId}/${address}`);
  }

  forget(networkId: string, address?: string): void {
    const prefix = `${networkId}/`;
    for (const map of [this.pending, this.latest, this.stored]) {
      for (const key of map.keys()) {
        if (address === undefined ? key.startsWith(prefix) : key === `${prefix}${address}`) map.delete(key);
      }
    }
  }

  /** Writes what is pending. Failures keep the entries for the next try. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.size === 0) return this.flushing;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => this.writeBatch(batch));
    return this.flushing;
  }

  /** Writes every value fresher than the stored one (shutdown: nothing seen is lost). */
  close(): Promise<void> {
    for (const [key, entry] of this.latest) {
      const stored = this.stored.get(key);
      if (stored === undefined || stored.lastSeen !== entry.lastSeen) this.pending.set(key, entry);
    }
    return this.flush();
  }

  private due(key: string, entry: PresenceEntry): boolean {
    const stored = this.stored.get(key);
    return (
      stored === undefined ||
      stored.physicalAddress !== entry.physicalAddress ||
      entry.lastSeen - stored.lastSeen >= this.persistEveryMs ||
      entry.lastSeen < stored.lastSeen
    );
  }

  private async writeBatch(batch: Map<string, PresenceEntry>): Promise<void> {
    const entries = [...batch];
    for (let from = 0; from < entries.length; from += this.flushChunk) {
      const chunk = entries.slice(from, from + this.flushChunk);
      try {
        await this.write(chunk.map(([, entry]) => entry));
      } catch {
        // This chunk and the rest wait for the next flush (unless a newer value is pending already).
        for (const [key, entry] of entries.slice(from))
          if (!this.pending.has(key)) this.pending.set(key, entry);
        this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref();
        return;
      }
      for (const [key, entry] of chunk) {
        if (this.latest.has(key)) this.stored.set(key, entry);
      }
    }
  }
}
