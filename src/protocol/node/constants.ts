// Protocol and timing constants of the node. Timing defaults are the stock 1.14.1 values
// (node/Constants.hpp, include/ZeroTierOne.h); tests shrink them through `NodeOptions.timing`.

/** We advertise protocol 11 so peers never choose AES-GMAC-SIV (they need ≥ 12 from us). */
export const PROTOCOL_VERSION = 11;
/** HELLOs from older peers are ignored (ZT_PROTO_VERSION_MIN). */
export const MIN_PROTOCOL_VERSION = 4;
/** Advertised software version when none is given: the release the vectors were recorded with. */
export const DEFAULT_VERSION = { major: 1, minor: 14, rev: 1 } as const;

export const DEFAULT_PORT = 9993;
/** UDP payload per datagram before we fragment (ZT_DEFAULT_PHYSMTU). */
export const DEFAULT_PHYSICAL_MTU = 1432;
/** ZT_MAX_PACKET_FRAGMENTS: a packet is a head plus at most six more fragments. */
export const MAX_FRAGMENTS = 7;
/** Fragment header: packet id, destination, 0xff indicator, total|number, hops. */
export const FRAGMENT_HEADER_LENGTH = 16;
/** ZT_RELAY_MAX_HOPS: stock roots stop relaying at 3 hops although the field allows 7. */
export const RELAY_MAX_HOPS = 3;

export interface NodeTiming {
  /** Housekeeping tick: expiry, keepalive, retries (ZT_PING_CHECK_INTERVAL). */
  housekeepingInterval: number;
  /** HELLO to each root this often (ZT_PEER_PING_PERIOD). */
  rootHelloInterval: number;
  /** Re-HELLO a root this soon when the previous HELLO got no OK (path loss, root restart). */
  rootHelloRetry: number;
  /** A path unheard for this long is forgotten (ZT_PEER_PATH_EXPIRATION = 4 × ping + 3 s). */
  pathExpiration: number;
  /** A path heard within this long is "alive" and preferred (ZT_PATH_HEARTBEAT_PERIOD + 5 s). */
  pathAlive: number;
  /** A non-root peer unheard for this long is dropped from the table (ZT_PEER_ACTIVITY_TIMEOUT). */
  peerActivityTimeout: number;
  /** OKs are accepted for packets we sent this recently with expectReply. */
  expectReplyTimeout: number;
  /** Incomplete fragmented packets are discarded after this long. */
  fragmentTimeout: number;
  /** WHOIS is retried this often while unanswered (ZT_WHOIS_RETRY_DELAY is 500). */
  whoisRetry: number;
  /** A WHOIS gives up (resolves undefined) after this long. */
  whoisTimeout: number;
  /** Packets from an unknown source wait this long for its WHOIS (ZT_RECEIVE_QUEUE_TIMEOUT). */
  receiveQueueTimeout: number;
  /** Root sends RENDEZVOUS for one pair of peers at most this often (ZT_MIN_UNITE_INTERVAL). */
  uniteInterval: number;
  /** Multicast subscriptions expire unless renewed (ZT_MULTICAST_LIKE_EXPIRE). */
  multicastLikeExpire: number;
  /** One identity validation per source IP this often, after a small burst (ZT_IDENTITY_VALIDATION_SOURCE_RATE_LIMIT). */
  identityValidationInterval: number;
  /** Non-roots answer WHOIS from one peer at most this often (ZT_PEER_WHOIS_RATE_LIMIT). */
  whoisAnswerInterval: number;
  /**
   * A node that talks to us but cannot be understood (unknown to a root after a restart or a
   * takeover, or encrypting with AES-GMAC-SIV) gets at most one HELLO from us this often.
   */
  recontactInterval: number;
}

export const DEFAULT_TIMING: NodeTiming = {
  housekeepingInterval: 5_000,
  rootHelloInterval: 60_000,
  rootHelloRetry: 5_000,
  pathExpiration: 60_000 * 4 + 3_000,
  pathAlive: 14_000 + 5_000,
  peerActivityTimeout: 500_000,
  expectReplyTimeout: 30_000,
  fragmentTimeout: 1_000,
  whoisRetry: 1_000,
  whoisTimeout: 5_000,
  receiveQueueTimeout: 5_000,
  uniteInterval: 30_000,
  multicastLikeExpire: 600_000,
  identityValidationInterval: 2_000,
  whoisAnswerInterval: 100,
  recontactInterval: 10_000,
};

export interface NodeLimits {
  /** Peers in the table; the least recently heard non-root is evicted beyond this. */
  maxPeers: number;
  /** Physical paths remembered per peer. */
  maxPathsPerPeer: number;
  /** Packets being reassembled at once (ZT_RX_QUEUE_SIZE is 32). */
  maxReassemblies: number;
  /** Outstanding expectReply packet ids. */
  maxExpectedReplies: number;
  /** Packet ids remembered per peer to drop replays. */
  replayWindow: number;
  /** Datagrams held while their unknown source is looked up, in total and per source. */
  maxQueuedReceive: number;
  maxQueuedReceivePerSource: number;
  /** Outgoing packets held while their unknown destination is looked up. */
  maxQueuedSend: number;
  /** Addresses looked up at once. */
  maxPendingWhois: number;
  /** HELLO identities waiting for validation at once. */
  maxPendingValidations: number;
  /** Identity validations a source IP may burst before the interval applies. */
  identityValidationBurst: number;
  /** Source IPs (and pairs, for RENDEZVOUS) remembered by rate gates. */
  maxRateGateKeys: number;
  /** (network, group, member) multicast subscriptions in total, and per member. */
  maxMulticastSubscriptions: number;
  maxMulticastSubscriptionsPerMember: number;
}

export const DEFAULT_LIMITS: NodeLimits = {
  maxPeers: 100_000,
  maxPathsPerPeer: 16,
  maxReassemblies: 64,
  maxExpectedReplies: 65_536,
  replayWindow: 256,
  maxQueuedReceive: 64,
  maxQueuedReceivePerSource: 8,
  maxQueuedSend: 256,
  maxPendingWhois: 1_024,
  maxPendingValidations: 256,
  identityValidationBurst: 8,
  maxRateGateKeys: 16_384,
  maxMulticastSubscriptions: 262_144,
  maxMulticastSubscriptionsPerMember: 1_024,
};
