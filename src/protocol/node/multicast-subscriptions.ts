// Who subscribed (MULTICAST_LIKE) to which multicast group, with expiry, so the node can answer
// MULTICAST_GATHER. Bounded in total and per member: beyond the limits new subscriptions are
// refused until old ones expire.
import { randomInt } from 'node:crypto';
import type { MulticastGroup } from './multicast-codec.ts';

function groupKey(g: MulticastGroup): string {
  return `${g.nwid}/${g.mac}/${g.adi >>> 0}`;
}

export class MulticastSubscriptions {
  /** group → (member address → expiry time) */
  private readonly groups = new Map<string, Map<string, number>>();
  private readonly perMember = new Map<string, number>();
  private count = 0;

  constructor(
    private readonly ttl: number,
    private readonly maxSubscriptions: number,
    private readonly maxPerMember = maxSubscriptions,
  ) {}

  /** False when a limit is reached and `member` was not already subscribed. */
  add(group: MulticastGroup, member: string, now: number): boolean {
    const key = groupKey(group);
    let members = this.groups.get(key);
    if (members?.has(member)) {
      members.set(member, now + this.ttl);
      return true;
    }
    const mine = this.perMember.get(member) ?? 0;
    if (this.count >= this.maxSubscriptions || mine >= this.maxPerMember) return false;
    if (!members) {
      members = new Map();
      this.groups.set(key, members);
    }
    members.set(member, now + this.ttl);
    this.perMember.set(member, mine + 1);
    this.count++;
    return true;
  }

  /** Current (unexpired) subscribers of `group`. */
  members(group: MulticastGroup, now: number): string[] {
    const members = this.groups.get(groupKey(group));
    if (!members) return [];
    const out: string[] = [];
    for (const [member, expires] of members) if (expires > now) out.push(member);
    return out;
  }

  /**
   * A gather answer: how many subscribers `allowed` admits (`totalKnown`, the requester included
   * as ZeroTier counts it) and a random subset of at most `limit` of them, the requester excluded,
   * so repeated gathers of a large group see everyone.
   */
  gather(
    group: MulticastGroup,
    requester: string,
    limit: number,
    now: number,
    allowed: (candidate: string) => boolean = () => true,
  ): { totalKnown: number; members: string[] } {
    const admitted = this.members(group, now).filter(allowed);
    const others = admitted.filter((m) => m !== requester);
    const count = Math.min(limit, others.length);
    for (let i = 0; i < count; i++) {
      const j = i + randomInt(others.length - i);
      [others[i], others[j]] = [others[j]!, others[i]!];
    }
    return { totalKnown: admitted.length, members: others.slice(0, count) };
  }

  /** Forgets subscriptions past their expiry. */
  expire(now: number): void {
    for (const [key, members] of this.groups) {
      for (const [member, expires] of members) {
        if (expires > now) continue;
        members.delete(member);
        this.count--;
        const left = (this.perMember.get(member) ?? 1) - 1;
        if (left > 0) this.perMember.set(member, left);
        else this.perMember.delete(member);
      }
      if (members.size === 0) this.groups.delete(key);
    }
  }

  get size(): number {
    return this.count;
  }
}
