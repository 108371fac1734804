// When each member was last seen and from where. Every config request and HELLO updates it, so it
// lives in memory and reaches the database in batches (one transaction every few seconds) instead of
// one write per packet; reads merge the fresh in-memory values over the stored ones.

export interface PresenceEntry {
  networkId: string;
  address: string;
  lastSeen: number;
  physicalAddress: string;
}

export type PresenceWriter = (entries: PresenceEntry[]) => Promise<void>;

export class MemberPresence {
  private pending = new Map<string, PresenceEntry>();
  private readonly latest = new Map<string, PresenceEntry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: PresenceWriter,
    private readonly flushIntervalMs = 5000,
    private readonly maxTracked = 2_000_000,
  ) {}

  note(entry: PresenceEntry): void {
    const key = `${entry.networkId}/${entry.address}`;
    this.pending.set(key, entry);
    if (this.latest.size >= this.maxTracked && !this.latest.has(key)) this.latest.clear();
    this.latest.set(key, entry);
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref();
  }

  get(networkId: string, address: string): PresenceEntry | undefined {
    return this.latest.get(`${networkId}/${address}`);
  }

  forget(networkId: string, address?: string): void {
    const prefix = `${networkId}/`;
    for (const map of [this.pending, this.latest]) {
      for (const key of map.keys()) {
        if (address === undefined ? key.startsWith(prefix) : key === `${prefix}${address}`) map.delete(key);
      }
    }
  }

  /** Writes what is pending; also called on shutdown. Failures keep the entries for the next try. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.size === 0) return this.flushing;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      try {
        await this.write([...batch.values()]);
      } catch {
        for (const [key, entry] of batch) if (!this.pending.has(key)) this.pending.set(key, entry);
        this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref();
      }
    });
    return this.flushing;
  }
}
