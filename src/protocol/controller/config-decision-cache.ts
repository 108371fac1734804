// Remembers the store's answer to a member's config request (authorized, with the network and member
// records it was built from), so a member that asks again — every 60 s for a ZeroTier client, to
// refresh its credentials — is answered without a database transaction. The answer can only change
// through a committed change, and every committed change is published on the service's change feed:
// a network change drops every answer for that network, a member change that member's answer. Only
// authorized answers are kept, only for the same identity and client version (a different one goes
// to the store, which records it), and never longer than `maxAgeMs`.
import type { MemberRecord } from '../../core/member/member-types.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import type { ChangeEvent } from '../../service/change-events.ts';

export interface CachedDecision {
  network: NetworkRecord;
  member: MemberRecord;
}

interface Entry {
  decision: CachedDecision;
  identity: string;
  version: string;
  networkGeneration: number;
  at: number;
}

/** What the cache looked like when the store was asked (see `token`). */
export interface ReadToken {
  epoch: number;
  network: number;
  member: number;
}

const MAX_MEMBER_GENERATIONS = 100_000;

export interface DecisionCacheOptions {
  /** An answer is asked of the store again after this long (default 5 min; 0 disables the cache). */
  maxAgeMs?: number;
  /** Answers kept at most; the least recently used go first (default 200,000). */
  maxEntries?: number;
}

export class ConfigDecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly networkGenerations = new Map<string, number>();
  private readonly memberGenerations = new Map<string, number>();
  /** Bumped when the member counters are forgotten: every older token is then void. */
  private epoch = 0;
  /** One shared network record per network revision, so entries do not each hold a copy. */
  private readonly networks = new Map<string, NetworkRecord>();
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(options: DecisionCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 200_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(
    networkId: string,
    address: string,
    identity: string,
    version: string,
    now: number,
  ): CachedDecision | undefined {
    const key = `${networkId}/${address}`;
    const entry = this.entries.get(key);
    if (
      !entry ||
      entry.identity !== identity ||
      entry.version !== version ||
      entry.networkGeneration !== this.generation(networkId) ||
      now - entry.at >= this.maxAgeMs
    ) {
      if (entry) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.decision;
  }

  /** Take before asking the store; `set` keeps the answer only if no change came in between. */
  token(networkId: string, address: string): ReadToken {
    return {
      epoch: this.epoch,
      network: this.generation(networkId),
      member: this.memberGenerations.get(`${networkId}/${address}`) ?? 0,
    };
  }

  /**
   * Remembers an authorized answer read from the store after `token` was taken. Returns the answer
   * as later hits will give it (with the network record shared per revision), so the caller can use
   * those very objects from the first request on.
   */
  set(
    decision: CachedDecision,
    identity: string,
    version: string,
    token: ReadToken,
    now: number,
  ): CachedDecision {
    const { network, member } = decision;
    const key = `${network.id}/${member.address}`;
    if (
      this.maxAgeMs <= 0 ||
      token.epoch !== this.epoch ||
      token.network !== this.generation(network.id) ||
      token.member !== (this.memberGenerations.get(key) ?? 0)
    )
      return decision;
    let shared = this.networks.get(network.id);
    if (!shared || shared.revision !== network.revision) {
      shared = network;
      this.networks.set(network.id, network);
    }
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const kept = { network: shared, member };
    this.entries.set(key, { decision: kept, identity, version, networkGeneration: token.network, at: now });
    return kept;
  }

  /** Counter bumped by every change to the network (or to any of its members). */
  generation(networkId: string): number {
    return this.networkGenerations.get(networkId) ?? 0;
  }

  /** Drops what a committed change makes stale. */
  onChange(event: ChangeEvent): void {
    if (event.kind === 'network-changed' || event.kind === 'network-deleted') {
      this.networkGenerations.set(event.networkId, this.generation(event.networkId) + 1);
      this.networks.delete(event.networkId);
    } else {
      const key = `${event.networkId}/${event.address}`;
      this.entries.delete(key);
      if (this.memberGenerations.size >= MAX_MEMBER_GENERATIONS && !this.memberGenerations.has(key)) {
        // Forgetting member counters could let an old token match again: void every token.
        this.memberGenerations.clear();
        this.epoch++;
        this.entries.clear();
      }
      this.memberGenerations.set(key, (this.memberGenerations.get(key) ?? 0) + 1);
    }
  }
}
