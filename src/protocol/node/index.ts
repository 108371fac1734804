// The ZeroTier node: what the controller and test members use.
export { UnknownPeerError, ZeroTierNode } from './zerotier-node.ts';
export type {
  GatherFilter,
  IdentityLookup,
  IncomingError,
  IncomingOk,
  IncomingPacket,
  NodeOptions,
  RootPeer,
  SendOptions,
} from './node-types.ts';
export {
  peerJsonFromSightings,
  toPeerJson,
  type PathView,
  type PeerJson,
  type PeerPathJson,
  type PeerView,
} from './peer-view.ts';
export type { PeerRole, RemoteVersion } from './peer.ts';
export type { PathAddress } from './path-address.ts';
export type { DropReason, NodeStats } from './node-metrics.ts';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMING,
  PROTOCOL_VERSION,
  type NodeLimits,
  type NodeTiming,
} from './constants.ts';
export * from './hello-codec.ts';
export * from './multicast-codec.ts';
export * from './rendezvous-codec.ts';
export * from './reply-codec.ts';
export * from './whois-codec.ts';
