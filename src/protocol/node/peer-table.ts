// The bounded set of known peers. Entries exist only for authenticated identities (a valid HELLO,
// an OK(WHOIS) from a root, or a configured root); idle non-roots expire, and when the table is
// full the least recently heard non-root makes room.
import { Peer } from './peer.ts';

export class PeerTable {
  private readonly peers = new Map<string, Peer>();

  constructor(private readonly maxPeers: number) {}

  get(address: string): Peer | undefined {
    return this.peers.get(address);
  }

  /** Adds `peer` (replacing nothing: the caller checks for an existing entry first). */
  add(peer: Peer): void {
    if (!this.peers.has(peer.address) && this.peers.size >= this.maxPeers) this.evictOne();
    this.peers.set(peer.address, peer);
  }

  delete(address: string): void {
    this.peers.delete(address);
  }

  values(): IterableIterator<Peer> {
    return this.peers.values();
  }

  get size(): number {
    return this.peers.size;
  }

  /** Drops paths older than `pathExpiration` and non-root peers idle for `activityTimeout`. */
  expire(now: number, pathExpiration: number, activityTimeout: number): void {
    for (const [address, peer] of this.peers) {
      peer.expirePaths(now, pathExpiration);
      if (peer.role === 'LEAF' && now - peer.lastReceive >= activityTimeout) this.peers.delete(address);
    }
  }

  private evictOne(): void {
    let victim: Peer | undefined;
    for (const peer of this.peers.values()) {
      if (peer.role !== 'LEAF') continue;
      if (!victim || peer.lastReceive < victim.lastReceive) victim = peer;
    }
    if (victim) this.peers.delete(victim.address);
  }
}
