// Many simulated ZeroTier members multiplexed over a few UDP sockets, speaking the protocol with the
// project's codecs (no socket and no ZeroTierNode per member). Each member says HELLO once (the
// controller must know a peer before it accepts its NETWORK_CONFIG_REQUEST), then requests its
// config at the pace the swarm is given; the latency of a request runs from sending it to the last
// chunk of its reply. Nothing here is specific to Routeplane: it works against any controller
// whose address and identity it is given.
//
// Like zerotier-one, every member answers ECHO with OK(ECHO), and accepts NETWORK_CONFIG pushes:
// chunks are verified against the controller's identity and assembled by update id, and a complete
// config is acknowledged with OK(in re ECHO) `<nwid><configUpdateId>` answering the push's packet id.
// With `onConfig` set, every complete config (pushes, and replies to requests too) is parsed and
// handed over, so a benchmark can follow what each member holds.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { Identity, IdentityWithPrivate } from '../../src/protocol/identity.ts';
import { lz4CompressBlock } from '../../src/protocol/lz4-compress.ts';
import { ConfigChunkAssembler, parseConfigChunk } from '../../src/protocol/netconf/config-chunks.ts';
import { encodeConfigAck } from '../../src/protocol/netconf/config-messages.ts';
import {
  parseNetworkConfig,
  type ParsedNetworkConfig,
} from '../../src/protocol/netconf/network-config-parse.ts';
import {
  clientRequestMetadata,
  encodeNetworkConfigRequest,
} from '../../src/protocol/netconf/network-config-request.ts';
import { FragmentReassembler } from '../../src/protocol/node/fragments.ts';
import { buildHelloPacket } from '../../src/protocol/node/hello-codec.ts';
import { encodeOk } from '../../src/protocol/node/reply-codec.ts';
import { armor, dearmor } from '../../src/protocol/packet-armor.ts';
import {
  Cipher,
  FLAG_FRAGMENTED,
  IDX_FLAGS,
  IDX_PAYLOAD,
  IDX_VERB,
  VERB_FLAG_COMPRESSED,
  Verb,
  isFragment,
  uncompressPacket,
} from '../../src/protocol/packet.ts';

/** We advertise protocol 11 so that a stock controller never answers with AES-GMAC-SIV. */
const HELLO_PROTOCOL = 11;
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface SwarmOptions {
  controller: { identity: Identity; ip: string; port: number };
  networkId: string;
  identities: readonly IdentityWithPrivate[];
  /** Shared sockets the config requests go out on (and replies come back to). */
  sockets: number;
  /** Source address of those sockets (a loopback address). */
  localIp: string;
  /**
   * Controllers rate-limit new identities per source /24 (Routeplane: a burst of 8, then one per
   * 2 s; zerotier-one: one per 2 s), so members say HELLO from sockets bound to distinct 127.x.y.1
   * addresses, this many members per /24.
   */
  membersPerJoinSubnet: number;
  /** Second octet of the first join subnet (127.<base>.0.1, then upwards). */
  joinSubnetBase: number;
  /** Verify the signatures of every n-th completed reply (0: never). */
  verifyEvery: number;
  /** A request unanswered for this long counts as timed out. */
  timeoutMs: number;
  /**
   * Every complete, verified config a member receives, parsed: pushes (acknowledged) and replies.
   * Without it replies are only timed, not parsed (the load generator's CPU goes to offering load).
   */
  onConfig?: (event: SwarmConfigEvent) => void;
}

export interface SwarmConfigEvent {
  /** Index of the member in `identities`. */
  member: number;
  source: 'push' | 'reply';
  updateId: bigint;
  config: ParsedNetworkConfig;
  /** performance.now() when the last chunk arrived (for a push: when the ack went out). */
  at: number;
}

/** What the members did besides requesting configs (counted over the swarm's life). */
export interface SwarmCounters {
  echoesAnswered: number;
  pushChunks: number;
  /** Complete pushed configs, each acknowledged with OK(ECHO). */
  pushesAcked: number;
  /** Complete configs from replies (counted only with `onConfig`). */
  repliesParsed: number;
  /** Chunks refused (bad signature, wrong network) or configs that failed to parse. */
  rejected: number;
}

/** Counters for requests sent during one phase. */
export class PhaseStats {
  sent = 0;
  /** Requests answered by a complete config, whenever the reply came. */
  answered = 0;
  /** Replies completed while this phase was running (for the rate). */
  completedInWindow = 0;
  timeouts = 0;
  errors = new Map<number, number>();
  packets = 0;
  fragmentedPackets = 0;
  compressedPackets = 0;
  chunks = 0;
  bytes = 0;
  verified = 0;
  verifyFailures = 0;
  latencies: number[] = [];
  startedAt = 0;
  endedAt = 0;

  constructor(readonly name: string) {}

  get seconds(): number {
    return ((this.endedAt || performance.now()) - this.startedAt) / 1000;
  }
}

interface Pending {
  member: number;
  sentAt: number;
  phase: PhaseStats;
  have: number;
}

export class MemberSwarm {
  private readonly ids: readonly IdentityWithPrivate[];
  private readonly keys: Uint8Array[];
  private readonly headers: Uint8Array[];
  private readonly byAddress = new Map<number, number>();
  private readonly joined: Uint8Array;
  private readonly sockets: Socket[] = [];
  private readonly pending = new Map<bigint, Pending>();
  private readonly helloWaiters = new Map<bigint, () => void>();
  private readonly reassembler = new FragmentReassembler(4096, 2000);
  private readonly ncrPayload: Uint8Array;
  private readonly ncrCompressed: boolean;
  private idCounter: bigint;
  private cursor = 0;
  private rate = 0;
  private rateStart = 0;
  private sentAtRate = 0;
  private phase: PhaseStats = new PhaseStats('idle');
  private tickTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private completions = 0;
  private readonly assemblers = new Map<number, ConfigChunkAssembler>();
  readonly unexpected = new Map<string, number>();
  readonly counters: SwarmCounters = {
    echoesAnswered: 0,
    pushChunks: 0,
    pushesAcked: 0,
    repliesParsed: 0,
    rejected: 0,
  };

  constructor(private readonly options: SwarmOptions) {
    this.ids = options.identities;
    const controller = options.controller.identity;
    const controllerBytes = controller.addressBytes();
    this.keys = this.ids.map((id) => id.agree(controller));
    this.headers = this.ids.map((id, index) => {
      const header = new Uint8Array(IDX_PAYLOAD);
      header.set(controllerBytes, 8);
      header.set(id.addressBytes(), 13);
      this.byAddress.set(addressNumber(header, 13), index);
      return header;
    });
    this.joined = new Uint8Array(this.ids.length);
    // Members compress their requests (PROTOCOL-NOTES §2.2.6); every member asks the same thing.
    const plain = encodeNetworkConfigRequest({
      networkId: options.networkId,
      metadata: clientRequestMetadata(),
    });
    const compressed = lz4CompressBlock(plain);
    this.ncrCompressed = compressed.length < plain.length;
    this.ncrPayload = this.ncrCompressed ? compressed : plain;
    this.idCounter = randomBytes(8).readBigUInt64BE(0) & 0xffffffff00000000n;
  }

  get size(): number {
    return this.ids.length;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  async open(): Promise<void> {
    for (let i = 0; i < this.options.sockets; i++) {
      this.sockets.push(await this.bind(this.options.localIp));
    }
    this.sweepTimer = setInterval(() => this.sweep(), 100);
  }

  async close(): Promise<void> {
    this.setRate(0);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.all(this.sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  // ---- join ---------------------------------------------------------------------------------

  /**
   * Every member says HELLO from its join subnet until the controller answers OK(HELLO), at most
   * `maxInFlight` HELLOs waiting at once. Returns how many members joined.
   */
  async join(
    maxInFlight: number,
    progress: (joined: number) => void,
    attempts = 4,
    waitMs = 3000,
  ): Promise<number> {
    const per = this.options.membersPerJoinSubnet;
    const groups = Math.ceil(this.ids.length / per);
    let nextGroup = 0;
    let joinedCount = 0;
    let running = 0;
    const runGroup = async (group: number) => {
      const socket = await this.bind(joinAddress(group, this.options.joinSubnetBase));
      try {
        const members: number[] = [];
        for (let i = group * per; i < Math.min(this.ids.length, (group + 1) * per); i++) members.push(i);
        for (let attempt = 0; attempt < attempts && members.some((m) => !this.joined[m]); attempt++) {
          await Promise.all(
            members
              .filter((m) => !this.joined[m])
              .map(
                (m) =>
                  new Promise<void>((resolve) => {
                    const id = this.sendHello(m, socket);
                    const timer = setTimeout(() => {
                      this.helloWaiters.delete(id);
                      resolve();
                    }, waitMs);
                    this.helloWaiters.set(id, () => {
                      clearTimeout(timer);
                      this.helloWaiters.delete(id);
                      if (!this.joined[m]) {
                        this.joined[m] = 1;
                        joinedCount++;
                        progress(joinedCount);
                      }
                      resolve();
                    });
                  }),
              ),
          );
        }
      } finally {
        await new Promise<void>((r) => socket.close(() => r()));
      }
    };
    const groupsAtOnce = Math.max(1, Math.floor(maxInFlight / per));
    await new Promise<void>((resolve, reject) => {
      const launch = () => {
        if (nextGroup >= groups && running === 0) return resolve();
        while (running < groupsAtOnce && nextGroup < groups) {
          running++;
          runGroup(nextGroup++).then(
            () => {
              running--;
              launch();
            },
            (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
          );
        }
      };
      launch();
    });
    return joinedCount;
  }

  private sendHello(member: number, socket: Socket): bigint {
    const id = this.nextPacketId();
    const key = this.keys[member]!;
    const { controller } = this.options;
    const packet = buildHelloPacket({
      destination: controller.identity.address,
      key,
      packetId: id,
      fields: {
        protocol: HELLO_PROTOCOL,
        major: 1,
        minor: 14,
        revision: 1,
        timestamp: BigInt(Date.now()),
        identity: this.ids[member]!,
        sentTo: { family: 4, ip: controller.ip, port: controller.port },
        planetId: 0n,
        planetTimestamp: 0n,
        moons: [],
      },
    });
    armor(packet, key, Cipher.POLY1305_NONE);
    socket.send(packet, controller.port, controller.ip);
    return id;
  }

  // ---- offered load -------------------------------------------------------------------------

  /** Starts counting into a new phase (requests sent from now on belong to it). */
  startPhase(name: string): PhaseStats {
    this.phase.endedAt ||= performance.now();
    this.phase = new PhaseStats(name);
    this.phase.startedAt = performance.now();
    return this.phase;
  }

  endPhase(): PhaseStats {
    this.phase.endedAt = performance.now();
    const ended = this.phase;
    this.phase = new PhaseStats('between phases');
    this.phase.startedAt = performance.now();
    return ended;
  }

  /**
   * Config requests per second across the swarm: members take turns, so each one asks every
   * `size / rate` seconds (keep that above the controller's 1 s repeat window).
   */
  setRate(rate: number): void {
    this.rate = rate;
    this.rateStart = performance.now();
    this.sentAtRate = 0;
    if (rate > 0 && !this.tickTimer) this.tickTimer = setInterval(() => this.tick(), 2);
    if (rate === 0 && this.tickTimer) {
      clearInterval(this.tickTimer);
      this.tickTimer = undefined;
    }
  }

  private tick(): void {
    const now = performance.now();
    const due = Math.floor(((now - this.rateStart) * this.rate) / 1000) - this.sentAtRate;
    // After a stall, catch up at most 50 ms of requests at once (open loop, bounded burst).
    const count = Math.min(due, Math.ceil(this.rate / 20));
    for (let i = 0; i < count; i++) {
      const member = this.nextJoinedMember();
      if (member < 0) return;
      this.sendRequest(member, now);
    }
    this.sentAtRate += Math.max(0, due);
  }

  private nextJoinedMember(): number {
    for (let tries = 0; tries < this.ids.length; tries++) {
      const m = this.cursor;
      this.cursor = (this.cursor + 1) % this.ids.length;
      if (this.joined[m]) return m;
    }
    return -1;
  }

  private sendRequest(member: number, now: number): void {
    const id = this.nextPacketId();
    const packet = new Uint8Array(IDX_PAYLOAD + this.ncrPayload.length);
    packet.set(this.headers[member]!);
    writeId(packet, id);
    packet[IDX_VERB] = Verb.NETWORK_CONFIG_REQUEST | (this.ncrCompressed ? VERB_FLAG_COMPRESSED : 0);
    packet.set(this.ncrPayload, IDX_PAYLOAD);
    armor(packet, this.keys[member]!, Cipher.POLY1305_SALSA2012);
    const socket = this.sockets[member % this.sockets.length]!;
    const { controller } = this.options;
    socket.send(packet, controller.port, controller.ip);
    this.pending.set(id, { member, sentAt: now, phase: this.phase, have: 0 });
    this.phase.sent++;
  }

  private sweep(): void {
    const limit = performance.now() - this.options.timeoutMs;
    for (const [id, p] of this.pending) {
      if (p.sentAt >= limit) break; // insertion order = send order
      p.phase.timeouts++;
      this.pending.delete(id);
    }
    this.reassembler.prune(performance.now());
  }

  // ---- receiving ----------------------------------------------------------------------------

  private async bind(address: string): Promise<Socket> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
    socket.on('message', (msg) => this.onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length)));
    socket.on('error', () => this.count('socket-error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port: 0 }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  }

  private count(what: string): void {
    this.unexpected.set(what, (this.unexpected.get(what) ?? 0) + 1);
  }

  private onDatagram(data: Uint8Array): void {
    const now = performance.now();
    let packet = data;
    if (isFragment(data)) {
      const r = this.reassembler.addFragment(data, now);
      if (r.kind !== 'complete') return;
      packet = r.packet;
    } else if (data.length >= IDX_PAYLOAD && (data[IDX_FLAGS]! & FLAG_FRAGMENTED) !== 0) {
      const r = this.reassembler.addHead(data, now);
      if (r.kind !== 'complete') return;
      packet = r.packet;
    }
    if (packet.length < IDX_PAYLOAD) return this.count('short');
    const member = this.byAddress.get(addressNumber(packet, 8));
    if (member === undefined) return this.count('not-for-a-member');
    const fragmented = packet !== data;
    if (!dearmor(packet, this.keys[member]!)) return this.count('bad-mac');
    const compressed = (packet[IDX_VERB]! & VERB_FLAG_COMPRESSED) !== 0;
    let plain: Uint8Array;
    try {
      plain = uncompressPacket(packet);
    } catch {
      return this.count('decompress-failed');
    }
    const verb = plain[IDX_VERB]! & 0x1f;
    const body = plain.subarray(IDX_PAYLOAD);
    if (verb === Verb.ECHO) {
      this.counters.echoesAnswered++;
      this.sendPacket(member, Verb.OK, encodeOk(Verb.ECHO, readId(plain, 0), body));
      return;
    }
    if (verb === Verb.NETWORK_CONFIG) return this.onPush(member, readId(plain, 0), body, now);
    if (verb === Verb.OK && body.length >= 9) {
      const inReVerb = body[0]!;
      const inRe = readId(body, 1);
      if (inReVerb === Verb.HELLO) {
        this.helloWaiters.get(inRe)?.();
        return;
      }
      if (inReVerb === Verb.NETWORK_CONFIG_REQUEST) {
        return this.onConfigChunk(member, inRe, body.subarray(9), now, {
          fragmented,
          compressed,
          bytes: data.length,
        });
      }
      return this.count(`ok-in-re-${inReVerb}`);
    }
    if (verb === Verb.ERROR && body.length >= 10) {
      const inRe = readId(body, 1);
      const p = this.pending.get(inRe);
      if (p) {
        p.phase.errors.set(body[9]!, (p.phase.errors.get(body[9]!) ?? 0) + 1);
        this.pending.delete(inRe);
      } else this.count(`error-${body[9]}`);
      return;
    }
    this.count(`verb-${verb}`);
  }

  private onConfigChunk(
    member: number,
    inRe: bigint,
    chunk: Uint8Array,
    now: number,
    wire: { fragmented: boolean; compressed: boolean; bytes: number },
  ): void {
    if (this.options.onConfig) this.assemble(member, chunk, 'reply', now);
    const p = this.pending.get(inRe);
    if (!p || p.member !== member) return this.count('late-or-unknown-reply');
    const phase = p.phase;
    phase.packets++;
    phase.chunks++;
    phase.bytes += wire.bytes;
    if (wire.fragmented) phase.fragmentedPackets++;
    if (wire.compressed) phase.compressedPackets++;
    // <8 nwid><2 chunkLen><chunk><1 flags><8 updateId><4 totalLen><4 index>…
    if (chunk.length < 10) return this.count('short-chunk');
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const length = view.getUint16(8);
    const signed = chunk.length >= 10 + length + 17;
    const total = signed ? view.getUint32(10 + length + 9) : length;
    p.have += length;
    const verify = this.options.verifyEvery > 0 && this.completions % this.options.verifyEvery === 0;
    if (verify) {
      try {
        const parsed = parseConfigChunk(chunk);
        const ok =
          parsed.signed !== undefined &&
          parsed.networkId === this.options.networkId &&
          this.options.controller.identity.verify(parsed.signed.signedBytes, parsed.signed.signature);
        if (ok) phase.verified++;
        else phase.verifyFailures++;
      } catch {
        phase.verifyFailures++;
      }
    }
    if (p.have < total) return;
    this.pending.delete(inRe);
    this.completions++;
    phase.answered++;
    phase.latencies.push(now - p.sentAt);
    this.phase.completedInWindow++;
  }

  // ---- pushes and ECHO ---------------------------------------------------------------------

  /** A NETWORK_CONFIG chunk: assembled, and a complete config acknowledged (as zerotier-one does). */
  private onPush(member: number, packetId: bigint, chunk: Uint8Array, now: number): void {
    this.counters.pushChunks++;
    const done = this.assemble(member, chunk, 'push', now);
    if (!done) return;
    const ack = encodeConfigAck({
      inRePacketId: packetId,
      networkId: this.options.networkId,
      updateId: done,
    });
    this.sendPacket(member, Verb.OK, ack);
    this.counters.pushesAcked++;
  }

  /** Feeds one chunk of `member`; returns the update id when it completed a config. */
  private assemble(
    member: number,
    chunk: Uint8Array,
    source: 'push' | 'reply',
    now: number,
  ): bigint | undefined {
    let assembler = this.assemblers.get(member);
    if (!assembler) {
      assembler = new ConfigChunkAssembler({
        networkId: this.options.networkId,
        controller: this.options.controller.identity,
      });
      this.assemblers.set(member, assembler);
    }
    const result = assembler.accept(chunk, true);
    if (result.status === 'rejected') {
      this.counters.rejected++;
      this.count(`${source}-chunk-rejected`);
      return undefined;
    }
    if (result.status !== 'complete') return undefined;
    if (source === 'reply') this.counters.repliesParsed++;
    const onConfig = this.options.onConfig;
    if (onConfig) {
      let config: ParsedNetworkConfig;
      try {
        config = parseNetworkConfig(result.dictionary);
      } catch {
        this.counters.rejected++;
        this.count(`${source}-config-unparsable`);
        return undefined; // the client neither applies nor acknowledges a config it cannot read
      }
      if (config.issuedTo === this.ids[member]!.address && config.networkId === this.options.networkId)
        onConfig({ member, source, updateId: result.updateId, config, at: now });
      else this.count(`${source}-config-not-for-member`);
    }
    return result.updateId;
  }

  /** One packet from `member` to the controller over the member's shared socket. */
  private sendPacket(member: number, verb: number, payload: Uint8Array): void {
    const packet = new Uint8Array(IDX_PAYLOAD + payload.length);
    packet.set(this.headers[member]!);
    writeId(packet, this.nextPacketId());
    packet[IDX_VERB] = verb;
    packet.set(payload, IDX_PAYLOAD);
    armor(packet, this.keys[member]!, Cipher.POLY1305_SALSA2012);
    const socket = this.sockets[member % this.sockets.length];
    if (!socket) return;
    const { controller } = this.options;
    socket.send(packet, controller.port, controller.ip);
  }

  private nextPacketId(): bigint {
    this.idCounter = (this.idCounter + 1n) & 0xffffffffffffffffn;
    return this.idCounter;
  }
}

/** 127.<base + n / 65536>.<n / 256>.<n % 256 + 1>: one /24 per join group. */
function joinAddress(group: number, base: number): string {
  const second = base + Math.floor(group / 256);
  if (second > 255) throw new Error('too many join subnets for 127.0.0.0/8; raise --members-per-subnet');
  return `127.${second}.${group % 256}.1`;
}

function addressNumber(bytes: Uint8Array, at: number): number {
  return (
    bytes[at]! * 2 ** 32 +
    ((bytes[at + 1]! << 24) >>> 0) +
    (bytes[at + 2]! << 16) +
    (bytes[at + 3]! << 8) +
    bytes[at + 4]!
  );
}

function writeId(packet: Uint8Array, id: bigint): void {
  new DataView(packet.buffer, packet.byteOffset, 8).setBigUint64(0, id);
}

function readId(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0);
}
