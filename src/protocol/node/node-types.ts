// Public types of the node API (options, incoming packets, hooks).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Identity } from '../identity.ts';
import type { Verb } from '../packet.ts';
import type { NodeLimits, NodeTiming } from './constants.ts';
import type { PathAddress } from './path-address.ts';
import type { PeerView } from './peer-view.ts';
import type { BindOptions } from './udp-transport.ts';

/** A root of the planet (same shape as a World root). */
export interface RootPeer {
  identity: Identity;
  endpoints: PathAddress[];
}

export interface NodeOptions {
  /** Our identity, with its private key. */
  identity: Identity;
  /** UDP port, 0 = ephemeral. */
  port: number;
  /** Default: both families on all interfaces. Tests use `{ ipv4: '127.0.0.1', ipv6: false }`. */
  bind?: BindOptions;
  /** The planet's roots (our own identity among them is ignored). Trusted without validation: they come from a signed planet. */
  roots?: RootPeer[];
  /** We are one of the roots: answer WHOIS for everyone, relay, send RENDEZVOUS. */
  isRoot?: boolean;
  /** Advertised in HELLO / OK(HELLO); default 1.14.1. The protocol is always 11. */
  version?: { major: number; minor: number; rev: number };
  /**
   * The planet we serve or follow: its id and timestamp go into our HELLOs; a root that has the
   * planet's bytes (`serialized`) sends them in OK(HELLO) to peers whose planet is older.
   */
  planet?: { id: bigint; timestamp: bigint; serialized?: Uint8Array };
  /** Default: the identity worker pool (cached; rejects with IdentityPoolBusyError when full). */
  validateIdentity?: (identity: Identity) => Promise<boolean>;
  clock?: () => number;
  logger?: Logger;
  /** Counters are registered here (reused when already registered by another node). */
  registry?: Registry;
  /** Largest datagram we send; bigger packets are fragmented (default 1432). */
  mtu?: number;
  /** Relayed packets are dropped at this hop count (default 3 = ZT_RELAY_MAX_HOPS; the field allows 7). */
  relayMaxHops?: number;
  timing?: Partial<NodeTiming>;
  limits?: Partial<NodeLimits>;
}

export interface IncomingPacket {
  source: string;
  peer: PeerView;
  packetId: bigint;
  verb: Verb;
  /** After the verb byte, decompressed. */
  payload: Uint8Array;
  /** The physical address the datagram came from (a relay's when hops > 0). */
  path: PathAddress;
  hops: number;
}

export interface IncomingOk extends IncomingPacket {
  inReVerb: number;
  inRePacketId: bigint;
  /** The verb of our packet it answers (NETWORK_CONFIG pushes are acknowledged by OK "in re ECHO"). */
  requestVerb: number;
  /** What follows the in-re fields. */
  body: Uint8Array;
}

export interface IncomingError extends IncomingPacket {
  inReVerb: number;
  inRePacketId: bigint;
  code: number;
  /** What follows the error code (for NETWORK_CONFIG_REQUEST errors: the network id, then optional data). */
  body: Uint8Array;
  /** Whether it answers a packet we sent with expectReply (ZeroTier does not require that for ERROR). */
  expected: boolean;
}

export interface SendOptions {
  /** Accept OKs answering this packet for `timing.expectReplyTimeout` (default 30 s). */
  expectReply?: boolean;
  /** Send over this physical path instead of the peer's preferred one. */
  path?: PathAddress;
  /** `payload` is already an LZ4 block: the packet goes out with the verb's compression flag (0x80). */
  compressed?: boolean;
}

/** Decides whether `candidate` may be named to `requester` in a gather answer for network `nwid`. */
export type GatherFilter = (nwid: string, requester: string, candidate: string) => boolean;

/**
 * The public identity (`addr:0:pub`) we knew for an address before this process started (e.g. the
 * store's member records), or undefined. Used by a root, which has nobody to ask with WHOIS.
 */
export type IdentityLookup = (address: string) => Promise<string | undefined>;
