// A ZeroTier node (protocol 11, Salsa20/12 + Poly1305 only) over UDP: the receive pipeline
// (size checks, fragments, relay, authentication, replay and decompression), the verbs every node
// answers itself, and the send path the controller and test members build on. PROTOCOL-NOTES §2.
import pino, { type Logger } from 'pino';
import { Identity } from '../identity.ts';
import { IdentityPoolBusyError, validateIdentity as poolValidateIdentity } from '../identity-pool.ts';
import { armor, dearmor } from '../packet-armor.ts';
import { random64 } from '../random-ids.ts';
import {
  Cipher,
  ErrorCode,
  FLAG_FRAGMENTED,
  IDX_FLAGS,
  IDX_VERB,
  MAX_PACKET_LENGTH,
  MIN_PACKET_LENGTH,
  VERB_FLAG_COMPRESSED,
  Verb,
  buildPacket,
  cipher as cipherOf,
  destination as destinationOf,
  hops as hopsOf,
  isFragment,
  isFragmented,
  packetId as packetIdOf,
  payload as payloadOf,
  setHops,
  source as sourceOf,
  uncompressPacket,
  verb as verbOf,
  verbName,
} from '../packet.ts';
import {
  DEFAULT_LIMITS,
  DEFAULT_PHYSICAL_MTU,
  DEFAULT_TIMING,
  DEFAULT_VERSION,
  FRAGMENT_HEADER_LENGTH,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  RELAY_MAX_HOPS,
  type NodeLimits,
  type NodeTiming,
} from './constants.ts';
import { ExpectedReplies } from './expected-replies.ts';
import {
  FragmentReassembler,
  IDX_FRAGMENT_HOPS,
  type ReassemblyResult,
  splitIntoFragments,
} from './fragments.ts';
import { HandlerRegistry, type Handler } from './handler-registry.ts';
import { HeldPackets } from './held-packets.ts';
import {
  buildHelloPacket,
  encodeOkHello,
  parseHello,
  parseOkHello,
  type HelloFields,
} from './hello-codec.ts';
import { encodeOkMulticastGather, parseMulticastGather, parseMulticastLike } from './multicast-codec.ts';
import { MulticastSubscriptions } from './multicast-subscriptions.ts';
import { type DropReason, NodeMetrics, type NodeStats } from './node-metrics.ts';
import type {
  GatherFilter,
  IdentityLookup,
  IncomingError,
  IncomingOk,
  IncomingPacket,
  NodeOptions,
  RootPeer,
  SendOptions,
} from './node-types.ts';
import { type PathAddress, pathFamily, pathKey, toInetAddress } from './path-address.ts';
import { Peer, type PeerRole } from './peer.ts';
import { PeerTable } from './peer-table.ts';
import { type PeerView, type ViewContext, peerView } from './peer-view.ts';
import { RateGate } from './rate-gate.ts';
import { encodeRendezvous, parseRendezvous } from './rendezvous-codec.ts';
import { encodeError, encodeOk, parseError, parseOk } from './reply-codec.ts';
import { type BindOptions, UdpTransport } from './udp-transport.ts';
import { WhoisLookups } from './whois-lookups.ts';
import { encodeOkWhois, encodeWhois, parseOkWhois, parseWhois } from './whois-codec.ts';

/** Identity lookups for recontact: a burst, then one per this many ms (about what one worker validates). */
const LOOKUP_BURST = 64;
const LOOKUP_INTERVAL_MS = 20;

interface RootState {
  identity: Identity;
  endpoints: PathAddress[];
  lastHelloSent: number;
  lastHelloOk: number;
}

interface HeldReceive {
  peer: string;
  queued: number;
  packet: Uint8Array;
  from: PathAddress;
}

interface HeldSend {
  peer: string;
  queued: number;
  verb: number;
  payload: Uint8Array;
  packetId: bigint;
  options: SendOptions;
}

const KNOWN_VERBS = new Set<number>(Object.values(Verb));
const IDENTITY_BINARY_LENGTH = 5 + 1 + 64 + 1;
/** Room for answers in one packet: header, in-re verb and packet id. */
const REPLY_ROOM = MAX_PACKET_LENGTH - MIN_PACKET_LENGTH - 9;

/** ZeroTier rate-limits identity checks per /24 (IPv4) or /48 (IPv6) network. */
function sourceNetwork(ip: string): string {
  return ip.includes(':') ? ip.split(':').slice(0, 3).join(':') : ip.split('.').slice(0, 3).join('.');
}

/** Thrown by `send` for a peer we do not know when there is no root to ask (e.g. on a root). */
export class UnknownPeerError extends Error {
  constructor(readonly address: string) {
    super(`unknown peer ${address} and no root to ask who it is`);
    this.name = 'UnknownPeerError';
  }
}

function randomPacketId(): bigint {
  return random64();
}

/** Sets the fragmented flag when the packet will not fit one datagram (before armor: the flag is part of the key). */
function armorForMtu(packet: Uint8Array, key: Uint8Array, suite: 0 | 1, mtu: number): void {
  if (packet.length > mtu) packet[IDX_FLAGS] = packet[IDX_FLAGS]! | FLAG_FRAGMENTED;
  armor(packet, key, suite);
}

export class ZeroTierNode {
  readonly identity: Identity;
  readonly address: string;
  readonly isRoot: boolean;

  private readonly version: { major: number; minor: number; rev: number };
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly validate: (identity: Identity) => Promise<boolean>;
  private readonly timing: NodeTiming;
  private readonly limits: NodeLimits;
  private readonly mtu: number;
  private readonly relayMaxHops: number;
  private readonly planet?: { id: bigint; timestamp: bigint; serialized?: Uint8Array };
  private readonly port: number;
  private readonly bindOptions: BindOptions;

  private readonly transport: UdpTransport;
  private readonly metrics: NodeMetrics;
  private readonly peerTable: PeerTable;
  private readonly roots = new Map<string, RootState>();
  private readonly expected: ExpectedReplies;
  private readonly reassembler: FragmentReassembler;
  private readonly multicast: MulticastSubscriptions;
  private readonly lookups: WhoisLookups;
  private readonly heldReceive: HeldPackets<HeldReceive>;
  private readonly heldSend: HeldPackets<HeldSend>;
  private readonly pendingValidations = new Set<string>();
  private readonly identityGate: RateGate;
  private readonly uniteGate: RateGate;
  private readonly whoisAnswerGate: RateGate;
  /** One HELLO per peer we cannot understand per recontactInterval (see recontact). */
  private readonly recontactGate: RateGate;
  /** Identity lookups for recontact, over all addresses: spoofed sources cannot flood the store. */
  private readonly lookupGate = new RateGate(LOOKUP_BURST, LOOKUP_INTERVAL_MS, 1);
  private identityLookup?: IdentityLookup;
  private readonly verbHandlers = new HandlerRegistry<IncomingPacket>();
  private readonly okHandlers = new HandlerRegistry<IncomingOk>();
  private readonly errorHandlers = new HandlerRegistry<IncomingError>();
  private gatherFilter?: GatherFilter;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(options: NodeOptions) {
    if (!options.identity.hasPrivate())
      throw new Error(`node identity ${options.identity.address} needs its private key`);
    this.identity = options.identity;
    this.address = options.identity.address;
    this.isRoot = options.isRoot ?? false;
    this.version = options.version ?? { ...DEFAULT_VERSION };
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.validate = options.validateIdentity ?? poolValidateIdentity;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.mtu = options.mtu ?? DEFAULT_PHYSICAL_MTU;
    this.relayMaxHops = Math.min(7, options.relayMaxHops ?? RELAY_MAX_HOPS);
    if (options.planet) this.planet = options.planet;
    this.port = options.port;
    this.bindOptions = options.bind ?? {};

    const { timing, limits } = this;
    this.peerTable = new PeerTable(limits.maxPeers);
    this.metrics = new NodeMetrics(options.registry, () => this.peerTable.size);
    this.expected = new ExpectedReplies(timing.expectReplyTimeout, limits.maxExpectedReplies);
    this.reassembler = new FragmentReassembler(limits.maxReassemblies, timing.fragmentTimeout, (r) =>
      this.drop(r),
    );
    this.multicast = new MulticastSubscriptions(
      timing.multicastLikeExpire,
      limits.maxMulticastSubscriptions,
      limits.maxMulticastSubscriptionsPerMember,
    );
    this.lookups = new WhoisLookups({
      retry: timing.whoisRetry,
      timeout: timing.whoisTimeout,
      max: limits.maxPendingWhois,
      clock: this.clock,
      request: (address) => this.sendWhoisRequest(address),
      finished: (address) => this.releaseHeld(address),
    });
    this.heldReceive = new HeldPackets(limits.maxQueuedReceive, limits.maxQueuedReceivePerSource);
    this.heldSend = new HeldPackets(limits.maxQueuedSend, limits.maxQueuedSend);
    this.identityGate = new RateGate(
      limits.identityValidationBurst,
      timing.identityValidationInterval,
      limits.maxRateGateKeys,
    );
    this.uniteGate = new RateGate(1, timing.uniteInterval, limits.maxRateGateKeys);
    this.whoisAnswerGate = new RateGate(1, timing.whoisAnswerInterval, limits.maxRateGateKeys);
    this.recontactGate = new RateGate(1, timing.recontactInterval, limits.maxRateGateKeys);
    this.transport = new UdpTransport({
      message: (data, from) => this.onDatagram(data, from),
      sendError: (error, to) => {
        this.metrics.sendError();
        this.logger.debug({ err: error, to: pathKey(to) }, 'UDP send failed');
      },
      socketError: (error, socket) => this.logger.warn({ err: error, socket }, 'UDP socket error'),
    });

    const now = this.clock();
    for (const root of options.roots ?? []) this.addRoot(root, now);
  }

  /** Ports actually bound (after start). */
  get boundPorts(): { ipv4?: number; ipv6?: number } {
    return { ...this.transport.ports };
  }

  /** Counters since construction (a copy). */
  get stats(): NodeStats {
    return this.metrics.snapshot();
  }

  /** Binds the sockets, starts housekeeping and says HELLO to the other roots. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.transport.bind(this.port, this.bindOptions);
    this.running = true;
    this.timer = setInterval(() => this.housekeeping(), this.timing.housekeepingInterval);
    this.timer.unref();
    const now = this.clock();
    for (const root of this.roots.values()) this.helloRoot(root, now);
  }

  /** Closes the sockets; pending lookups resolve undefined and held packets are discarded. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.lookups.finishAll();
    this.heldReceive.clear();
    this.heldSend.clear();
    await this.transport.close();
  }

  // ---- upper-layer hooks ------------------------------------------------------------------------

  /**
   * Called for every accepted packet of `verb`, after the built-in handling (HELLO has been
   * answered, etc.). OK and ERROR go to onOk / onError instead. Returns an unsubscribe function.
   */
  onVerb(verb: Verb, handler: Handler<IncomingPacket>): () => void {
    return this.verbHandlers.on(verb, handler);
  }

  /** OKs answering a packet we sent with expectReply, by the verb they say they answer. */
  onOk(inReVerb: Verb, handler: Handler<IncomingOk>): () => void {
    return this.okHandlers.on(inReVerb, handler);
  }

  /** ERRORs by the verb they answer (not gated by expectReply, as in ZeroTier: see `expected`). */
  onError(inReVerb: Verb, handler: Handler<IncomingError>): () => void {
    return this.errorHandlers.on(inReVerb, handler);
  }

  /** Restricts MULTICAST_GATHER answers, e.g. to authorized members of the network. */
  setGatherFilter(filter: GatherFilter | undefined): void {
    this.gatherFilter = filter;
  }

  /**
   * Where a root (which has nobody to ask with WHOIS) finds identities it knew before this process
   * started, so a node that keeps talking to it after a restart or a takeover gets a HELLO.
   */
  setIdentityLookup(lookup: IdentityLookup | undefined): void {
    this.identityLookup = lookup;
  }

  // ---- sending ----------------------------------------------------------------------------------

  /**
   * Sends `verb` + `payload` to `to` with cipher 1, over `options.path`, the peer's preferred path,
   * or relayed by a root; packets larger than the MTU are fragmented. A peer we do not know is
   * looked up with WHOIS first (the packet waits, bounded). Returns the packet id. Throws for our
   * own address, an oversized payload, or (UnknownPeerError) an unknown peer when there is no root to ask.
   */
  send(to: string, verb: Verb, payload: Uint8Array, options: SendOptions = {}): bigint {
    if (to === this.address) throw new Error('cannot send a packet to ourselves');
    if (payload.length > MAX_PACKET_LENGTH - MIN_PACKET_LENGTH)
      throw new RangeError(
        `payload of ${payload.length} bytes exceeds the ${MAX_PACKET_LENGTH}-byte packet limit`,
      );
    const packetId = randomPacketId();
    const peer = this.peerTable.get(to);
    if (peer) {
      this.transmit(peer, verb, payload, packetId, options);
      return packetId;
    }
    if (this.roots.size === 0) throw new UnknownPeerError(to);
    const held = { peer: to, queued: this.clock(), verb, payload: payload.slice(), packetId, options };
    if (!this.heldSend.hold(held)) this.drop('send_queue_full');
    else void this.whois(to);
    return packetId;
  }

  sendOk(to: string, inReVerb: Verb, inRePacketId: bigint, payload: Uint8Array = new Uint8Array(0)): void {
    this.send(to, Verb.OK, encodeOk(inReVerb, inRePacketId, payload));
  }

  sendError(to: string, inReVerb: Verb, inRePacketId: bigint, code: ErrorCode, payload?: Uint8Array): void {
    this.send(to, Verb.ERROR, encodeError(inReVerb, inRePacketId, code, payload));
  }

  /**
   * HELLO (cipher 0, always expecting OK(HELLO)) to a known peer, or to a root given as RootPeer
   * (which is learned). Without `path`: a root's live path or all its endpoints, else the peer's
   * preferred path, else via a root. Returns the id of the (first) HELLO.
   */
  hello(to: string | RootPeer, path?: PathAddress): bigint {
    const now = this.clock();
    const address = typeof to === 'string' ? to : to.identity.address;
    if (address === this.address) throw new Error('cannot HELLO ourselves');
    if (typeof to !== 'string') this.addRoot(to, now);
    const peer = this.peerTable.get(address);
    if (!peer) throw new Error(`unknown peer ${address}: its identity is needed to say HELLO`);
    const root = this.roots.get(address);
    if (!path && root) return this.helloRoot(root, now) ?? this.sendHello(peer, undefined, now);
    return this.sendHello(peer, path, now);
  }

  /**
   * Says HELLO to a member at a physical address it was last seen at, learning it as a peer first.
   * For a controller taking over from another process: `identity` must be one that passed
   * validation before (it is not checked again here).
   */
  contact(identity: Identity, path: PathAddress): bigint {
    const now = this.clock();
    if (identity.address === this.address) throw new Error('cannot contact ourselves');
    const known = this.peerTable.get(identity.address);
    if (known && !known.identity.equals(identity))
      throw new Error(`peer ${identity.address} is known with another identity`);
    const peer = known ?? this.newPeer(identity.withoutPrivate(), this.identity.agree(identity), now);
    return this.sendHello(peer, path, now);
  }

  /**
   * The identity of `address`: at once for known peers, else asked of the roots (only a root's
   * OK(WHOIS) is trusted, and the identity is validated before use). Undefined when nobody answers
   * within `timing.whoisTimeout`, or when there is no root to ask.
   */
  whois(address: string): Promise<Identity | undefined> {
    if (address === this.address) return Promise.resolve(this.identity.withoutPrivate());
    const known = this.peerTable.get(address);
    if (known) return Promise.resolve(known.identity);
    if (!this.running || this.roots.size === 0) return Promise.resolve(undefined);
    return this.lookups.start(address) ?? Promise.resolve(undefined);
  }

  peers(): PeerView[] {
    const ctx = this.viewContext();
    return [...this.peerTable.values()].map((p) => peerView(p, ctx));
  }

  peer(address: string): PeerView | undefined {
    const p = this.peerTable.get(address);
    return p ? peerView(p, this.viewContext()) : undefined;
  }

  /** Current subscribers of a multicast group (diagnostics, tests). */
  multicastSubscribers(nwid: string, mac: string, adi: number): string[] {
    return this.multicast.members({ nwid, mac, adi }, this.clock());
  }

  // ---- receive pipeline -------------------------------------------------------------------------

  /** Every datagram enters here; nothing it contains can make this throw. */
  private onDatagram(data: Uint8Array, from: PathAddress): void {
    try {
      const now = this.clock();
      if (data.length > MAX_PACKET_LENGTH) return this.drop('too_long');
      if (isFragment(data)) {
        if (data.length <= FRAGMENT_HEADER_LENGTH) return this.drop('too_short');
        if (destinationOf(data) !== this.address) return this.relay(data, true, now);
        return this.assembled(this.reassembler.addFragment(data, now), from, now);
      }
      if (data.length < MIN_PACKET_LENGTH) return this.drop('too_short');
      if (sourceOf(data) === this.address) return this.drop('own_source');
      if (destinationOf(data) !== this.address) return this.relay(data, false, now);
      if (isFragmented(data)) return this.assembled(this.reassembler.addHead(data, now), from, now);
      this.handlePacket(data, from, now);
    } catch (error) {
      this.drop('internal_error');
      this.logger.error({ err: error, from: pathKey(from) }, 'unexpected error handling a datagram');
    }
  }

  private assembled(result: ReassemblyResult, from: PathAddress, now: number): void {
    if (result.kind === 'dropped') this.drop(result.reason);
    else if (result.kind === 'complete') this.handlePacket(result.packet, from, now);
  }

  /** A whole packet addressed to us, still armored. */
  private handlePacket(packet: Uint8Array, from: PathAddress, now: number): void {
    const source = sourceOf(packet);
    if (source === this.address) return this.drop('own_source');
    const suite = cipherOf(packet);
    // HELLO is the only packet sent with cipher 0, and the only one accepted from strangers.
    if (suite === Cipher.POLY1305_NONE && (packet[IDX_VERB]! & 0x1f) === Verb.HELLO)
      return this.helloUnauthenticated(packet, source, from, now);
    const peer = this.peerTable.get(source);
    if (!peer) return this.unknownSource(packet, source, from, now);
    if (suite !== Cipher.POLY1305_NONE && suite !== Cipher.POLY1305_SALSA2012) {
      this.drop('unsupported_cipher');
      // It took us for a node with AES-GMAC-SIV (a zerotier-one that held our identity before us):
      // our HELLO tells it our protocol version, and it falls back to Salsa20/12.
      if (this.recontactGate.allow(source, now)) this.sendHello(peer, from, now);
      return;
    }
    if (!dearmor(packet, peer.key)) return this.drop('bad_mac');
    this.authenticated(peer, packet, from, now);
  }

  /** After the MAC check: replay check, decompression, built-in handling, then the hooks. */
  private authenticated(peer: Peer, packet: Uint8Array, from: PathAddress, now: number): void {
    if (!peer.markSeen(packetIdOf(packet))) return this.drop('replayed');
    let plain: Uint8Array;
    try {
      plain = uncompressPacket(packet);
    } catch {
      return this.drop('decompress_failed');
    }
    const verb = verbOf(plain);
    if (!KNOWN_VERBS.has(verb)) return this.drop('unknown_verb');
    const hops = hopsOf(plain);
    peer.received(from, hops, now);
    const incoming: IncomingPacket = {
      source: peer.address,
      get peer() {
        return view();
      },
      packetId: packetIdOf(plain),
      verb: verb as Verb,
      payload: payloadOf(plain),
      path: from,
      hops,
    };
    let cachedView: PeerView | undefined;
    const view = () => (cachedView ??= peerView(peer, this.viewContext(now)));
    let accepted: boolean;
    try {
      accepted = this.builtIn(peer, incoming, now);
    } catch (error) {
      this.logger.debug({ err: error, verb: verbName(verb), source: peer.address }, 'malformed packet');
      return this.drop('malformed');
    }
    if (!accepted) return;
    this.metrics.received(verb);
    if (verb === Verb.OK || verb === Verb.ERROR) return; // dispatched by their own handlers
    this.verbHandlers.dispatch(verb, () => incoming, this.handlerFailed);
  }

  /** What the node itself does with a verb. False when the packet was dropped (and counted). Throws when malformed. */
  private builtIn(peer: Peer, p: IncomingPacket, now: number): boolean {
    switch (p.verb) {
      case Verb.HELLO:
        return this.answerHello(peer, p);
      case Verb.OK:
        return this.handleOk(peer, p, now);
      case Verb.ERROR:
        return this.handleError(p, now);
      case Verb.WHOIS:
        return this.answerWhois(peer, p, now);
      case Verb.RENDEZVOUS:
        return this.handleRendezvous(peer, p);
      case Verb.ECHO:
        this.transmit(peer, Verb.OK, encodeOk(Verb.ECHO, p.packetId, p.payload), randomPacketId(), {
          path: p.path,
        });
        return true;
      case Verb.MULTICAST_LIKE:
        for (const group of parseMulticastLike(p.payload)) {
          if (!this.multicast.add(group, peer.address, now)) {
            this.drop('multicast_table_full');
            break;
          }
        }
        return true;
      case Verb.MULTICAST_GATHER:
        this.answerGather(peer, p, now);
        return true;
      case Verb.NETWORK_CONFIG_REQUEST:
        // Nobody serves networks here: say so, as a node without a controller does.
        if (!this.verbHandlers.has(Verb.NETWORK_CONFIG_REQUEST)) {
          const nwid = p.payload.slice(0, Math.min(8, p.payload.length));
          const refusal = encodeError(
            Verb.NETWORK_CONFIG_REQUEST,
            p.packetId,
            ErrorCode.UNSUPPORTED_OPERATION,
            nwid,
          );
          this.transmit(peer, Verb.ERROR, refusal, randomPacketId(), { path: p.path });
        }
        return true;
      default:
        return true; // FRAME, credentials, ACK, …: only for registered handlers
    }
  }

  private readonly handlerFailed = (error: unknown): void => {
    this.drop('handler_error');
    this.logger.error({ err: error }, 'packet handler threw');
  };

  // ---- HELLO ------------------------------------------------------------------------------------

  /** A cipher-0 HELLO: from a known peer it is checked with its key; from a stranger it may teach us a new peer. */
  private helloUnauthenticated(packet: Uint8Array, source: string, from: PathAddress, now: number): void {
    let hello: HelloFields;
    try {
      hello = parseHello(packet);
    } catch {
      return this.drop('malformed');
    }
    if (hello.protocol < MIN_PROTOCOL_VERSION) return this.drop('hello_protocol_too_old');
    if (hello.identity.address !== source) return this.drop('hello_address_mismatch');
    const known = this.peerTable.get(source);
    if (known) {
      if (!known.identity.equals(hello.identity))
        return this.identityCollision(packet, hello.identity, from, now);
      if (!dearmor(packet, known.key)) return this.drop('bad_mac');
      return this.authenticated(known, packet, from, now);
    }
    if (this.pendingValidations.has(source)) return this.drop('identity_validation_pending');
    if (this.pendingValidations.size >= this.limits.maxPendingValidations) {
      this.metrics.validation('busy');
      return this.drop('identity_validation_busy');
    }
    if (!this.identityGate.allow(sourceNetwork(from.ip), now)) return this.drop('identity_rate_limited');
    let key: Uint8Array;
    try {
      key = this.identity.agree(hello.identity);
    } catch {
      return this.drop('identity_invalid');
    }
    // The MAC costs microseconds, the memory-hard check ~100 ms: filter forgeries first.
    if (!dearmor(packet, key)) return this.drop('bad_mac');
    this.pendingValidations.add(source);
    this.validated(hello.identity)
      .then((valid) => {
        if (!valid || !this.running) return;
        const later = this.clock();
        const peer = this.peerTable.get(source) ?? this.newPeer(hello.identity, key, later);
        if (!peer.identity.equals(hello.identity)) return this.drop('identity_collision');
        this.authenticated(peer, packet, from, later);
        this.releaseHeld(source);
      })
      .catch((error: unknown) => {
        this.drop('internal_error');
        this.logger.error({ err: error, address: source }, 'learning a peer from HELLO failed');
      })
      .finally(() => this.pendingValidations.delete(source));
  }

  /** Runs the identity check, counting the outcome; busy or broken validators count as not valid. */
  private async validated(identity: Identity): Promise<boolean> {
    try {
      const valid = await this.validate(identity);
      this.metrics.validation(valid ? 'ok' : 'failed');
      if (!valid) this.drop('identity_invalid');
      return valid;
    } catch (error) {
      if (error instanceof IdentityPoolBusyError) {
        this.metrics.validation('busy');
        this.drop('identity_validation_busy');
      } else {
        this.metrics.validation('failed');
        this.drop('internal_error');
        this.logger.error({ err: error, address: identity.address }, 'identity validation failed to run');
      }
      return false;
    }
  }

  /** Someone claims an address we know, with another key: if the HELLO is authentic, tell them. */
  private identityCollision(packet: Uint8Array, claimed: Identity, from: PathAddress, now: number): void {
    this.drop('identity_collision');
    if (!this.identityGate.allow(sourceNetwork(from.ip), now)) return;
    let key: Uint8Array;
    try {
      key = this.identity.agree(claimed);
    } catch {
      return;
    }
    if (!dearmor(packet, key)) return;
    const reply = buildPacket({
      destination: claimed.address,
      source: this.address,
      verb: Verb.ERROR,
      payload: encodeError(Verb.HELLO, packetIdOf(packet), ErrorCode.IDENTITY_COLLISION),
    });
    armor(reply, key, Cipher.POLY1305_SALSA2012);
    if (this.transport.send(reply, from)) this.metrics.sent(Verb.ERROR);
  }

  /** Records the peer's version and answers OK(HELLO) over the path the HELLO came from. */
  private answerHello(peer: Peer, p: IncomingPacket): boolean {
    const packet = new Uint8Array(IDX_VERB + 1 + p.payload.length);
    packet.set(readPacketIdBytes(p.packetId)); // the moon list's stream is keyed by the packet id
    packet.set(p.payload, IDX_VERB + 1);
    const hello = parseHello(packet, peer.key);
    if (hello.protocol < MIN_PROTOCOL_VERSION) {
      this.drop('hello_protocol_too_old');
      return false;
    }
    peer.version = { protocol: hello.protocol, major: hello.major, minor: hello.minor, rev: hello.revision };
    const planet = this.planet;
    const planetIsNewer =
      planet?.serialized !== undefined &&
      hello.planetId === planet.id &&
      hello.planetTimestamp !== undefined &&
      hello.planetTimestamp < planet.timestamp;
    const reply = encodeOkHello(p.packetId, {
      timestamp: hello.timestamp,
      protocol: PROTOCOL_VERSION,
      major: this.version.major,
      minor: this.version.minor,
      revision: this.version.rev,
      observed: toInetAddress(p.path),
      worlds: planetIsNewer ? planet.serialized : undefined,
    });
    this.transmit(peer, Verb.OK, reply, randomPacketId(), { path: p.path });
    return true;
  }

  private sendHello(peer: Peer, path: PathAddress | undefined, now: number): bigint {
    const packetId = randomPacketId();
    const route = path ?? this.route(peer, now);
    const direct =
      route !== undefined &&
      (path !== undefined || peer.paths.has(pathKey(route)) || this.roots.has(peer.address));
    const packet = buildHelloPacket({
      destination: peer.address,
      key: peer.key,
      packetId,
      fields: {
        protocol: PROTOCOL_VERSION,
        major: this.version.major,
        minor: this.version.minor,
        revision: this.version.rev,
        timestamp: BigInt(Math.max(0, Math.floor(now))),
        identity: this.identity,
        sentTo: direct ? toInetAddress(route) : null,
        planetId: this.planet?.id ?? 0n,
        planetTimestamp: this.planet?.timestamp ?? 0n,
        moons: [],
      },
    });
    armor(packet, peer.key, Cipher.POLY1305_NONE);
    this.expected.expect(packetId, peer.address, Verb.HELLO, now);
    if (!route) this.drop('no_path');
    else this.sendDatagrams(peer, packet, route, Verb.HELLO, now);
    return packetId;
  }

  /** HELLO a root over its live path, else to every endpoint we have a socket for. */
  private helloRoot(root: RootState, now: number): bigint | undefined {
    const peer = this.peerTable.get(root.identity.address);
    if (!this.running || !peer) return undefined;
    root.lastHelloSent = now;
    const live = peer.bestPath(now, this.timing.pathAlive);
    if (live && now - live.lastReceive < this.timing.pathAlive)
      return this.sendHello(peer, live.address, now);
    let first: bigint | undefined;
    for (const endpoint of root.endpoints) {
      if (!this.transport.hasFamily(pathFamily(endpoint))) continue;
      const id = this.sendHello(peer, endpoint, now);
      first ??= id;
    }
    return first;
  }

  // ---- OK / ERROR -------------------------------------------------------------------------------

  private handleOk(peer: Peer, p: IncomingPacket, now: number): boolean {
    const reply = parseOk(p.payload);
    const requestVerb = this.expected.match(reply.inRePacketId, peer.address, now);
    if (requestVerb === undefined) {
      this.drop('unexpected_ok');
      return false;
    }
    if (reply.inReVerb === Verb.HELLO) {
      const ok = parseOkHello(reply.body);
      if (ok.protocol < MIN_PROTOCOL_VERSION) {
        this.drop('hello_protocol_too_old');
        return false;
      }
      peer.version = { protocol: ok.protocol, major: ok.major, minor: ok.minor, rev: ok.revision };
      const path = p.hops === 0 ? peer.paths.get(pathKey(p.path)) : undefined;
      const rtt = now - Number(ok.timestamp);
      if (path && rtt >= 0 && rtt < 0xffff) path.latency = rtt;
      const root = this.roots.get(peer.address);
      if (root) root.lastHelloOk = now;
    } else if (reply.inReVerb === Verb.WHOIS) {
      if (!this.roots.has(peer.address)) {
        this.drop('untrusted_reply');
        return false;
      }
      this.learnFromWhois(parseOkWhois(reply.body));
    }
    this.okHandlers.dispatch(reply.inReVerb, () => ({ ...p, ...reply, requestVerb }), this.handlerFailed);
    return true;
  }

  private handleError(p: IncomingPacket, now: number): boolean {
    const error = parseError(p.payload);
    const expected = this.expected.match(error.inRePacketId, p.source, now) !== undefined;
    this.errorHandlers.dispatch(error.inReVerb, () => ({ ...p, ...error, expected }), this.handlerFailed);
    return true;
  }

  // ---- WHOIS ------------------------------------------------------------------------------------

  /** Roots answer for every identity they know; other nodes only for themselves, rate limited. */
  private answerWhois(peer: Peer, p: IncomingPacket, now: number): boolean {
    if (!this.isRoot && !this.whoisAnswerGate.allow(peer.address, now)) {
      this.drop('rate_limited');
      return false;
    }
    const found: Identity[] = [];
    for (const address of parseWhois(p.payload)) {
      if ((found.length + 1) * IDENTITY_BINARY_LENGTH > REPLY_ROOM) break;
      if (address === this.address) found.push(this.identity.withoutPrivate());
      else if (this.isRoot) {
        const known = this.peerTable.get(address);
        if (known) found.push(known.identity);
      }
    }
    if (found.length > 0)
      this.transmit(peer, Verb.OK, encodeOkWhois(p.packetId, found), randomPacketId(), { path: p.path });
    return true;
  }

  private sendWhoisRequest(address: string): void {
    if (!this.running) return;
    const now = this.clock();
    for (const root of this.roots.values()) {
      const peer = this.peerTable.get(root.identity.address);
      if (peer && this.route(peer, now))
        this.transmit(peer, Verb.WHOIS, encodeWhois([address]), randomPacketId(), { expectReply: true });
    }
  }

  /** Identities a root sent: only those being looked up are validated and learned. */
  private learnFromWhois(identities: Identity[]): void {
    for (const identity of identities) {
      const address = identity.address;
      const existing = this.peerTable.get(address);
      if (existing) {
        this.lookups.finish(address, existing.identity);
        continue;
      }
      if (!this.lookups.claimAnswer(address)) continue;
      void this.validated(identity).then((valid) => {
        if (!valid) {
          this.lookups.releaseAnswer(address); // the next retry may bring a better answer
          return;
        }
        if (!this.running) return;
        let key: Uint8Array;
        try {
          key = this.identity.agree(identity);
        } catch {
          this.drop('identity_invalid');
          return this.lookups.finish(address, undefined);
        }
        const peer = this.peerTable.get(address) ?? this.newPeer(identity, key, this.clock());
        this.lookups.finish(address, peer.identity);
      });
    }
  }

  /** A packet from a peer we do not know: hold it while the roots are asked who it is. */
  private unknownSource(packet: Uint8Array, source: string, from: PathAddress, now: number): void {
    if (!this.running) return this.drop('unknown_peer');
    if (this.roots.size === 0) {
      this.drop('unknown_peer');
      return this.recontact(source, from, now);
    }
    if (!this.heldReceive.hold({ peer: source, queued: now, packet, from }))
      return this.drop('receive_queue_full');
    void this.whois(source);
  }

  /**
   * A node sends us packets, but we have no root to ask who it is. If we knew it before (the
   * lookup; then validated like any identity), we say HELLO at the path it used: it answers, and
   * its next packets are understood. Without this it stays unheard until its own next HELLO to us,
   * which a client sends its roots only every ~4 minutes.
   */
  private recontact(address: string, from: PathAddress, now: number): void {
    const lookup = this.identityLookup;
    if (!lookup || !this.recontactGate.allow(address, now) || !this.lookupGate.allow('', now)) return;
    void lookup(address)
      .then(async (text) => {
        if (text === undefined || !this.running || this.peerTable.get(address)) return;
        let identity: Identity;
        try {
          identity = Identity.parse(text).withoutPrivate();
        } catch {
          return;
        }
        if (identity.address !== address || !(await this.validated(identity))) return;
        if (!this.running || this.peerTable.get(address)) return;
        this.contact(identity, from);
        this.logger.debug({ address, path: pathKey(from) }, 'said HELLO to a node we could not understand');
      })
      .catch((error: unknown) => this.logger.debug({ err: error, address }, 'identity lookup failed'));
  }

  /** A peer became known (or its lookup failed): process what waited for it. */
  private releaseHeld(address: string): void {
    const peer = this.peerTable.get(address);
    for (const q of this.heldReceive.take(address)) {
      if (peer) this.handlePacket(q.packet, q.from, this.clock());
      else this.drop('unknown_peer');
    }
    for (const q of this.heldSend.take(address)) {
      if (peer) this.transmit(peer, q.verb, q.payload, q.packetId, q.options);
      else this.drop('unknown_peer');
    }
  }

  // ---- RENDEZVOUS and relaying ------------------------------------------------------------------

  /** A root tells us where a peer can be reached directly: say HELLO there. */
  private handleRendezvous(peer: Peer, p: IncomingPacket): boolean {
    if (this.isRoot) return true; // roots introduce, they are not introduced
    if (!this.roots.has(peer.address)) {
      this.drop('untrusted_reply');
      return false;
    }
    const r = parseRendezvous(p.payload);
    if (!r) throw new Error('malformed RENDEZVOUS');
    const path = { ip: r.ip, port: r.port };
    if (r.address === this.address || !this.transport.hasFamily(pathFamily(path))) return true;
    void this.whois(r.address).then((identity) => {
      if (identity && this.running && this.peerTable.get(r.address)) this.hello(r.address, path);
    });
    return true;
  }

  /** Forwards a datagram addressed to someone else (roots only), then introduces the two peers. */
  private relay(data: Uint8Array, fragment: boolean, now: number): void {
    if (!this.isRoot) return this.drop('not_for_us');
    const hops = fragment ? data[IDX_FRAGMENT_HOPS]! & 0x07 : hopsOf(data);
    if (hops >= this.relayMaxHops) return this.drop('relay_hops');
    const target = this.peerTable.get(destinationOf(data));
    const path = target?.bestPath(now, this.timing.pathAlive);
    if (!target || !path) return this.drop('relay_no_path');
    if (fragment) data[IDX_FRAGMENT_HOPS] = hops + 1;
    else setHops(data, hops + 1); // the MAC does not cover hops
    if (!this.transport.send(data, path.address)) return this.drop('relay_no_path');
    target.sent(path.address, now);
    this.metrics.relayed();
    if (!fragment) this.introduce(sourceOf(data), target, path.address, now);
  }

  /** RENDEZVOUS to both sides of a relayed conversation, at most once per pair per uniteInterval. */
  private introduce(sourceAddress: string, target: Peer, targetPath: PathAddress, now: number): void {
    const source = this.peerTable.get(sourceAddress);
    const sourcePath = source?.bestPath(now, this.timing.pathAlive, pathFamily(targetPath));
    if (!source || !sourcePath) return;
    const pair =
      source.address < target.address ? source.address + target.address : target.address + source.address;
    if (!this.uniteGate.allow(pair, now)) return;
    const toTarget = encodeRendezvous({ address: source.address, ...sourcePath.address });
    const toSource = encodeRendezvous({ address: target.address, ...targetPath });
    this.transmit(target, Verb.RENDEZVOUS, toTarget, randomPacketId(), { path: targetPath });
    this.transmit(source, Verb.RENDEZVOUS, toSource, randomPacketId(), { path: sourcePath.address });
  }

  // ---- multicast ----------------------------------------------------------------------------------

  /** OK(MULTICAST_GATHER) naming up to `limit` other subscribers the filter admits; nothing when there are none. */
  private answerGather(peer: Peer, p: IncomingPacket, now: number): void {
    const gather = parseMulticastGather(p.payload);
    if (gather.limit === 0) return;
    const filter = this.gatherFilter;
    const room = Math.floor((REPLY_ROOM - 24) / 5);
    const result = this.multicast.gather(
      gather,
      peer.address,
      Math.min(gather.limit, room),
      now,
      (candidate) => (filter ? filter(gather.nwid, peer.address, candidate) : true),
    );
    if (result.members.length === 0) return;
    const reply = encodeOkMulticastGather(p.packetId, { ...gather, ...result });
    this.transmit(peer, Verb.OK, reply, randomPacketId(), { path: p.path });
  }

  // ---- transmit -----------------------------------------------------------------------------------

  /** Where a packet for `peer` goes: its preferred path, a root's endpoint, or a root to relay it. */
  private route(peer: Peer, now: number): PathAddress | undefined {
    const usable = (path: PathAddress | undefined) =>
      path !== undefined && this.transport.hasFamily(pathFamily(path)) ? path : undefined;
    const direct = usable(peer.bestPath(now, this.timing.pathAlive)?.address);
    if (direct) return direct;
    const root = this.roots.get(peer.address);
    if (root) return root.endpoints.find((e) => usable(e));
    if (this.isRoot) return undefined; // nobody above us to relay
    for (const r of this.roots.values()) {
      const via = usable(
        this.peerTable.get(r.identity.address)?.bestPath(now, this.timing.pathAlive)?.address,
      );
      if (via) return via;
    }
    return undefined;
  }

  private transmit(
    peer: Peer,
    verb: number,
    payload: Uint8Array,
    packetId: bigint,
    options: SendOptions,
  ): boolean {
    if (!this.running) return false;
    const now = this.clock();
    const packet = buildPacket({ destination: peer.address, source: this.address, verb, payload, packetId });
    if (options.compressed) packet[IDX_VERB] = packet[IDX_VERB]! | VERB_FLAG_COMPRESSED;
    if (options.expectReply) this.expected.expect(packetId, peer.address, verb, now);
    const route = options.path ?? this.route(peer, now);
    if (!route) {
      this.drop('no_path');
      return false;
    }
    armorForMtu(packet, peer.key, Cipher.POLY1305_SALSA2012, this.mtu);
    return this.sendDatagrams(peer, packet, route, verb, now);
  }

  private sendDatagrams(
    peer: Peer,
    packet: Uint8Array,
    route: PathAddress,
    verb: number,
    now: number,
  ): boolean {
    if (!this.running) return false;
    let sent = false;
    for (const datagram of splitIntoFragments(packet, this.mtu))
      sent = this.transport.send(datagram, route) || sent;
    if (!sent) {
      this.drop('no_path');
      return false;
    }
    peer.sent(route, now);
    this.metrics.sent(verb);
    return true;
  }

  // ---- bookkeeping --------------------------------------------------------------------------------

  private addRoot(root: RootPeer, now: number): void {
    if (root.identity.address === this.address) return;
    const state = this.roots.get(root.identity.address);
    if (state) state.endpoints = [...root.endpoints];
    else
      this.roots.set(root.identity.address, {
        identity: root.identity,
        endpoints: [...root.endpoints],
        lastHelloSent: 0,
        lastHelloOk: 0,
      });
    const existing = this.peerTable.get(root.identity.address);
    if (existing?.identity.equals(root.identity)) existing.role = 'PLANET';
    else this.newPeer(root.identity.withoutPrivate(), this.identity.agree(root.identity), now, 'PLANET');
  }

  private newPeer(identity: Identity, key: Uint8Array, now: number, role?: PeerRole): Peer {
    const peer = new Peer(
      identity,
      key,
      role ?? (this.roots.has(identity.address) ? 'PLANET' : 'LEAF'),
      now,
      this.limits.replayWindow,
      this.limits.maxPathsPerPeer,
    );
    this.peerTable.add(peer);
    return peer;
  }

  private housekeeping(): void {
    try {
      const now = this.clock();
      this.peerTable.expire(now, this.timing.pathExpiration, this.timing.peerActivityTimeout);
      this.expected.prune(now);
      this.reassembler.prune(now);
      this.multicast.expire(now);
      const stale = this.heldReceive.expire(now, this.timing.receiveQueueTimeout);
      for (let i = 0; i < stale; i++) this.drop('unknown_peer');
      this.heldSend.expire(now, this.timing.receiveQueueTimeout);
      for (const root of this.roots.values()) {
        const since = now - root.lastHelloSent;
        const unanswered = root.lastHelloOk < root.lastHelloSent;
        if (since >= this.timing.rootHelloInterval || (unanswered && since >= this.timing.rootHelloRetry))
          this.helloRoot(root, now);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'node housekeeping failed');
    }
  }

  private viewContext(now = this.clock()): ViewContext {
    return {
      now,
      pathAlive: this.timing.pathAlive,
      pathExpiration: this.timing.pathExpiration,
      ports: this.transport.ports,
    };
  }

  private drop(reason: DropReason): void {
    this.metrics.dropped(reason);
  }
}

function readPacketIdBytes(id: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, id, false);
  return out;
}
