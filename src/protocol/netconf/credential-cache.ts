// Signed credentials (COM, COO, capabilities, tags) kept per member and handed out again while they
// are young, so a member's periodic config request (every 60 s for a ZeroTier client) costs one chunk
// signature instead of three or more. A credential is re-issued when what it certifies changed (the
// caller's content key: member revision, addresses, rules …) or when it is older than a quarter of the
// network's credential window: members accept each other's credentials only while their timestamps
// are within that window of each other, so a quarter leaves three quarters of slack. A deauthorized
// member's revocation (threshold = its deauthorization time) never meets a cached credential issued
// before it: deauthorizing bumps the member revision, which is part of every content key.

export type CredentialKind = 'com' | 'coo' | 'cap' | 'tag';

interface Issued {
  contentKey: string;
  issuedAt: number;
  bytes: Uint8Array;
}

export interface CredentialCacheOptions {
  /** Members remembered at most (~0.5 KB each); the least recently issued go first (default 100,000). */
  maxMembers?: number;
  /** Reuse for at most this share of the credential window (default 1/4). */
  reuseFraction?: number;
}

export class CredentialCache {
  private readonly members = new Map<string, Partial<Record<CredentialKind, Issued>>>();
  private readonly maxMembers: number;
  private readonly reuseFraction: number;
  issued = 0;
  reused = 0;

  constructor(options: CredentialCacheOptions = {}) {
    this.maxMembers = options.maxMembers ?? 100_000;
    this.reuseFraction = options.reuseFraction ?? 0.25;
    if (!(this.reuseFraction >= 0 && this.reuseFraction <= 0.5))
      throw new RangeError(`reuseFraction ${this.reuseFraction} must be between 0 and 0.5`);
  }

  get size(): number {
    return this.members.size;
  }

  /**
   * Until when everything held for the member may be handed out again (the oldest credential's
   * limit); -Infinity when nothing is held. A config built from them is good as long.
   */
  reusableUntil(member: string, window: number): number {
    const held = this.members.get(member);
    let oldest = Infinity;
    for (const issued of Object.values(held ?? {})) oldest = Math.min(oldest, issued.issuedAt);
    return oldest === Infinity ? -Infinity : oldest + window * this.reuseFraction;
  }

  /**
   * The encoded credential of `kind` for the member: the cached one when its content key matches and
   * it was issued less than `window × reuseFraction` ago (and not in the future: a clock step back
   * re-issues), otherwise `issue(now)`, remembered.
   */
  credential(
    member: string,
    kind: CredentialKind,
    contentKey: string,
    now: number,
    window: number,
    issue: (timestamp: number) => Uint8Array,
  ): Uint8Array {
    const held = this.members.get(member);
    const cached = held?.[kind];
    if (
      cached !== undefined &&
      cached.contentKey === contentKey &&
      now >= cached.issuedAt &&
      now - cached.issuedAt < window * this.reuseFraction
    ) {
      this.reused++;
      return cached.bytes;
    }
    const bytes = issue(now);
    this.issued++;
    const entry = held ?? {};
    entry[kind] = { contentKey, issuedAt: now, bytes };
    // Re-inserted so the map's order is least recently issued first.
    if (held !== undefined) this.members.delete(member);
    this.members.set(member, entry);
    if (this.members.size > this.maxMembers) {
      const oldest = this.members.keys().next();
      if (oldest.done !== true) this.members.delete(oldest.value);
    }
    return bytes;
  }
}
