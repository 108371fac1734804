// Read-only snapshots of peers for the API, and the exact JSON shape zerotier-one 1.14 returns
// from `GET /peer` (see shared/zerotier/run-baseline/*-peers.json).
import type { Identity } from '../identity.ts';
import type { Peer, PeerRole, RemoteVersion } from './peer.ts';
import { type PathAddress, pathFamily, pathKey } from './path-address.ts';

export interface PathView {
  address: PathAddress;
  lastReceive: number;
  lastSend: number;
  /** ms, when measured by an OK(HELLO) over this path. */
  latency?: number;
  /** Heard from recently enough to be used (ZeroTier's "alive"). */
  active: boolean;
  expired: boolean;
  preferred: boolean;
  /** Identifies our socket the path uses: 1 = IPv4, 2 = IPv6 (zerotier-one shows a pointer). */
  localSocket: number;
  localPort: number;
}

export interface PeerView {
  address: string;
  identity: Identity;
  role: PeerRole;
  /** ms of the preferred path, -1 when unknown (as zerotier-one reports it). */
  latency: number;
  /** From the peer's HELLO or OK(HELLO); undefined until one arrived. */
  version?: RemoteVersion;
  paths: PathView[];
  /** Last authenticated packet from the peer, ms (also counts relayed packets). */
  lastReceive: number;
}

export interface ViewContext {
  now: number;
  pathAlive: number;
  pathExpiration: number;
  ports: { ipv4?: number; ipv6?: number };
}

export function peerView(peer: Peer, ctx: ViewContext): PeerView {
  const best = peer.bestPath(ctx.now, ctx.pathAlive);
  const paths: PathView[] = [...peer.paths.values()].map((p) => {
    const v4 = pathFamily(p.address) === 4;
    const expired = ctx.now - p.lastReceive >= ctx.pathExpiration;
    const view: PathView = {
      address: { ...p.address },
      lastReceive: p.lastReceive,
      lastSend: p.lastSend,
      active: !expired,
      expired,
      preferred: p === best,
      localSocket: v4 ? 1 : 2,
      localPort: (v4 ? ctx.ports.ipv4 : ctx.ports.ipv6) ?? 0,
    };
    if (p.latency !== undefined) view.latency = p.latency;
    return view;
  });
  const view: PeerView = {
    address: peer.address,
    identity: peer.identity,
    role: peer.role,
    latency: best?.latency ?? -1,
    paths,
    lastReceive: peer.lastReceive,
  };
  if (peer.version) view.version = { ...peer.version };
  return view;
}

export interface PeerPathJson {
  active: boolean;
  address: string;
  expired: boolean;
  lastReceive: number;
  lastSend: number;
  localPort: number;
  localSocket: number;
  preferred: boolean;
  trustedPathId: number;
}

export interface PeerJson {
  address: string;
  isBonded: boolean;
  latency: number;
  paths: PeerPathJson[];
  role: PeerRole;
  tunneled: boolean;
  version: string;
  versionMajor: number;
  versionMinor: number;
  versionRev: number;
}

/** One element of zerotier-one's `GET /peer` array, keys in the same (sorted) order. */
export function toPeerJson(view: PeerView): PeerJson {
  const major = view.version?.major ?? -1;
  const minor = view.version?.minor ?? -1;
  const rev = view.version?.rev ?? -1;
  return {
    address: view.address,
    isBonded: false,
    latency: view.latency,
    paths: view.paths.map((p) => ({
      active: p.active,
      address: pathKey(p.address),
      expired: p.expired,
      lastReceive: Math.max(0, p.lastReceive),
      lastSend: Math.max(0, p.lastSend),
      localPort: p.localPort,
      localSocket: p.localSocket,
      preferred: p.preferred,
      trustedPathId: 0,
    })),
    role: view.role,
    tunneled: false,
    version: `${major}.${minor}.${rev}`,
    versionMajor: major,
    versionMinor: minor,
    versionRev: rev,
  };
}

/** What a controller process that does not serve UDP knows of a member: where and when it was last seen. */
export interface SeenMember {
  address: string;
  lastSeen: number;
  /** `ip/port` */
  physicalAddress: string;
}

/**
 * `GET /peer` elements for members the leading process saw (read from the database by a process that
 * follows), so UIs that show online status from /peer work against any process. Latency and version
 * are unknown there (-1); one entry per address, its newest sighting.
 */
export function peerJsonFromSightings(seen: readonly SeenMember[], localPort: number): PeerJson[] {
  const newest = new Map<string, SeenMember>();
  for (const s of seen) {
    const known = newest.get(s.address);
    if (!known || known.lastSeen < s.lastSeen) newest.set(s.address, s);
  }
  return [...newest.values()]
    .sort((a, b) => (a.address < b.address ? -1 : 1))
    .map((s) => ({
      address: s.address,
      isBonded: false,
      latency: -1,
      paths: [
        {
          active: true,
          address: s.physicalAddress,
          expired: false,
          lastReceive: s.lastSeen,
          lastSend: s.lastSeen,
          localPort,
          localSocket: 0,
          preferred: true,
          trustedPathId: 0,
        },
      ],
      role: 'LEAF' as const,
      tunneled: false,
      version: '-1.-1.-1',
      versionMajor: -1,
      versionMinor: -1,
      versionRev: -1,
    }));
}
