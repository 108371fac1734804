// What a node remembers about one authenticated peer: identity and agreed key, physical paths,
// advertised version, latency, and recent packet ids (to drop replayed datagrams).
import type { Identity } from '../identity.ts';
import { type PathAddress, pathFamily, pathKey } from './path-address.ts';

export type PeerRole = 'LEAF' | 'PLANET' | 'MOON';

export interface RemoteVersion {
  protocol: number;
  major: number;
  minor: number;
  rev: number;
}

export interface PathState {
  address: PathAddress;
  lastReceive: number;
  lastSend: number;
  /** Round trip of the last OK(HELLO) over this path, ms. */
  latency?: number;
}

export class Peer {
  readonly address: string;
  readonly paths = new Map<string, PathState>();
  version?: RemoteVersion;
  /** Last authenticated packet from this peer (any path, relayed or not). */
  lastReceive: number;
  private readonly seen = new Set<bigint>();
  private readonly seenOrder: bigint[] = [];
  private seenNext = 0;

  constructor(
    readonly identity: Identity,
    /** The 48-byte agreed key; armor uses its first 32 bytes. */
    readonly key: Uint8Array,
    public role: PeerRole,
    now: number,
    private readonly replayWindow: number,
    private readonly maxPaths: number,
  ) {
    this.address = identity.address;
    this.lastReceive = now;
  }

  /** False when `packetId` was already received recently: a replay (or a network duplicate). */
  markSeen(packetId: bigint): boolean {
    if (this.seen.has(packetId)) return false;
    if (this.replayWindow <= 0) return true;
    if (this.seenOrder.length < this.replayWindow) this.seenOrder.push(packetId);
    else {
      this.seen.delete(this.seenOrder[this.seenNext]!);
      this.seenOrder[this.seenNext] = packetId;
      this.seenNext = (this.seenNext + 1) % this.replayWindow;
    }
    this.seen.add(packetId);
    return true;
  }

  /** Records an authenticated packet; only direct ones (0 hops) teach a path. */
  received(path: PathAddress, hops: number, now: number): void {
    this.lastReceive = now;
    if (hops !== 0) return;
    const state = this.touchPath(path, now);
    state.lastReceive = now;
  }

  sent(path: PathAddress, now: number): void {
    const state = this.paths.get(pathKey(path));
    if (state) state.lastSend = now;
  }

  /** Alive paths first, then the most recently heard; undefined without any path. */
  bestPath(now: number, aliveFor: number, family?: 4 | 6): PathState | undefined {
    let best: PathState | undefined;
    let bestScore = -Infinity;
    for (const p of this.paths.values()) {
      if (family !== undefined && pathFamily(p.address) !== family) continue;
      const alive = now - p.lastReceive < aliveFor;
      const score = (alive ? 1e15 : 0) + p.lastReceive - (p.latency ?? 0);
      if (score > bestScore) {
        best = p;
        bestScore = score;
      }
    }
    return best;
  }

  /** The latency of the preferred path, undefined when unknown. */
  latency(now: number, aliveFor: number): number | undefined {
    return this.bestPath(now, aliveFor)?.latency;
  }

  /** Forgets paths unheard for `expiration` ms. */
  expirePaths(now: number, expiration: number): void {
    for (const [key, p] of this.paths) if (now - p.lastReceive >= expiration) this.paths.delete(key);
  }

  private touchPath(path: PathAddress, now: number): PathState {
    const key = pathKey(path);
    let state = this.paths.get(key);
    if (!state) {
      if (this.paths.size >= this.maxPaths) {
        let oldest: string | undefined;
        let oldestAt = Infinity;
        for (const [k, p] of this.paths) {
          if (p.lastReceive < oldestAt) {
            oldest = k;
            oldestAt = p.lastReceive;
          }
        }
        if (oldest !== undefined) this.paths.delete(oldest);
      }
      state = { address: { ip: path.ip, port: path.port }, lastReceive: now, lastSend: 0 };
      this.paths.set(key, state);
    }
    return state;
  }
}
