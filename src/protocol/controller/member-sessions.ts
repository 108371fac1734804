// Which members are online (a config request within the last 120 s, as the stock controller counts
// it) and what they told us in their last request, so a change can be pushed to them at once and
// each push's acknowledgement can be matched.

export const ONLINE_WINDOW_MS = 120_000;

/** The last config sent to a member, as a reply or a push. */
export interface PushRecord {
  updateId: bigint;
  sentAt: number;
  ackedAt?: number;
  networkRevision: number;
  memberRevision: number;
  /** Packet ids of a push's chunks (the member acks the last one it needed); empty for replies. */
  packetIds: bigint[];
}

export interface MemberSession {
  networkId: string;
  address: string;
  lastRequestAt: number;
  rulesEngineSupported: boolean;
  authorized: boolean;
  lastPush?: PushRecord;
  /**
   * The revisions of a reply being built for the member's own request: a push queued by the change
   * that request made is then redundant (the reply carries the same config).
   */
  replying?: { networkRevision: number; memberRevision: number };
}

export class MemberSessions {
  private readonly byNetwork = new Map<string, Map<string, MemberSession>>();

  constructor(private readonly maxSessions = 1_000_000) {}

  get size(): number {
    let total = 0;
    for (const members of this.byNetwork.values()) total += members.size;
    return total;
  }

  record(session: Omit<MemberSession, 'lastPush' | 'replying'>): MemberSession {
    let members = this.byNetwork.get(session.networkId);
    if (!members) {
      members = new Map();
      this.byNetwork.set(session.networkId, members);
    }
    const existing = members.get(session.address);
    if (existing) {
      existing.lastRequestAt = session.lastRequestAt;
      existing.rulesEngineSupported = session.rulesEngineSupported;
      existing.authorized = session.authorized;
      return existing;
    }
    if (this.size >= this.maxSessions) this.expire(session.lastRequestAt);
    const created: MemberSession = { ...session };
    members.set(session.address, created);
    return created;
  }

  get(networkId: string, address: string): MemberSession | undefined {
    return this.byNetwork.get(networkId)?.get(address);
  }

  isOnline(session: MemberSession | undefined, now: number): session is MemberSession {
    return session !== undefined && now - session.lastRequestAt <= ONLINE_WINDOW_MS;
  }

  /** Sessions online now, over all networks. */
  onlineCount(now: number): number {
    let count = 0;
    for (const members of this.byNetwork.values()) {
      for (const session of members.values()) if (this.isOnline(session, now)) count++;
    }
    return count;
  }

  /** Online sessions of a network (authorized or not). */
  online(networkId: string, now: number): MemberSession[] {
    const members = this.byNetwork.get(networkId);
    if (!members) return [];
    return [...members.values()].filter((s) => this.isOnline(s, now));
  }

  forget(networkId: string, address?: string): void {
    if (address === undefined) this.byNetwork.delete(networkId);
    else this.byNetwork.get(networkId)?.delete(address);
  }

  /** Drops sessions that have been offline for a long time; bounded memory. */
  expire(now: number, olderThan = 10 * ONLINE_WINDOW_MS): number {
    let removed = 0;
    for (const [networkId, members] of this.byNetwork) {
      for (const [address, session] of members) {
        if (now - session.lastRequestAt > olderThan) {
          members.delete(address);
          removed++;
        }
      }
      if (members.size === 0) this.byNetwork.delete(networkId);
    }
    return removed;
  }
}
