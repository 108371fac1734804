// Network records by ID, kept in memory between changes: every config request and member read needs
// its network, and parsing it from the database each time dominated those paths. Entries are dropped
// on each committed change (and, with PostgreSQL, on each NOTIFY), and a read that raced with a change
// is not cached, so the cache never serves a record older than the last change it was told about.
import type { NetworkRecord } from '../core/network/network-types.ts';

export class NetworkCache {
  private readonly entries = new Map<string, NetworkRecord>();
  private generation = 0;

  constructor(
    private readonly load: (id: string) => Promise<NetworkRecord | undefined>,
    private readonly maxEntries = 10_000,
  ) {}

  async get(id: string): Promise<NetworkRecord | undefined> {
    const cached = this.entries.get(id);
    if (cached) return cached;
    const generation = this.generation;
    const loaded = await this.load(id);
    if (loaded && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(id, loaded);
    }
    return loaded;
  }

  invalidate(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }
}
