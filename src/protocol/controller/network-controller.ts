// The controller's protocol duties (PROTOCOL-NOTES §2.5, §3): answer NETWORK_CONFIG_REQUEST with a
// signed config or an ERROR, push a new config to every online member after each committed change
// of its network or member record, and track the members' acknowledgements of those pushes.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ErrorCodes, RpError } from '../../core/errors.ts';
import type { ChangeEvent } from '../../service/change-events.ts';
import type { ControllerService } from '../../service/controller-service.ts';
import { Identity, type IdentityWithPrivate } from '../identity.ts';
import { parsePathKey } from '../node/path-address.ts';
import { randomUpdateId } from '../netconf/config-chunks.ts';
import { NcrErrorCode, decodeConfigAck } from '../netconf/config-messages.ts';
import { encodeRevocationCredentials, issueRevocation } from '../netconf/revocation.ts';
import {
  decodeNetworkConfigRequest,
  RequestMetadataCache,
  supportsRulesEngine,
  type NetworkConfigRequest,
} from '../netconf/network-config-request.ts';
import { Verb, type ErrorCode } from '../packet.ts';
import type { IncomingOk, IncomingPacket, ZeroTierNode } from '../node/index.ts';
import { ConfigAdmission, type ShedReason } from './config-admission.ts';
import { ConfigDecisionCache } from './config-decision-cache.ts';
import { registerConfigLoadMetrics } from './config-load-metrics.ts';
import { ConfigWorkerPool } from './config-worker-pool.ts';
import { MemberSessions, ONLINE_WINDOW_MS, type MemberSession } from './member-sessions.ts';

export interface NetworkControllerOptions {
  node: ZeroTierNode;
  service: ControllerService;
  identity: Identity;
  clock?: () => number;
  logger?: Logger;
  registry?: Registry;
  /** Stock ignores a repeated request from the same member within this window. */
  repeatRequestWindowMs?: number;
  /** Pushes of a burst of changes are coalesced for this long. */
  pushDelayMs?: number;
  /** Threads that build and sign configs (default: CPUs − 1; 0 = on the event loop). */
  configWorkers?: number;
  /** How long a store decision may answer repeated requests (default 5 min; 0: ask the store each time). */
  decisionCacheMs?: number;
  /** Bounds on config requests in progress and waiting (see config-admission.ts). */
  admission?: { maxActive?: number; maxQueued?: number; maxWaitMs?: number };
}

const ACTIVE_BRIDGES_MAX_AGE_MS = 1000;

/** A config request accepted for service, waiting for its turn. */
interface QueuedRequest {
  packet: IncomingPacket;
  request: NetworkConfigRequest;
  receivedAt: number;
}

interface Metrics {
  requests: Counter<'outcome'>;
  revocations: Counter<'result'>;
  pushes: Counter<'result'>;
  acks: Counter;
  ackDelay: Histogram;
  online: Gauge;
}

function createMetrics(
  registry: Registry | undefined,
  sessions: MemberSessions,
  clock: () => number,
): Metrics {
  const registers = registry ? [registry] : [];
  return {
    requests: new Counter({
      name: 'routeplane_config_requests_total',
      help: 'NETWORK_CONFIG_REQUESTs by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    revocations: new Counter({
      name: 'routeplane_revocations_total',
      help: 'Revocations sent to online members when a member is deauthorized',
      labelNames: ['result'],
      registers,
    }),
    pushes: new Counter({
      name: 'routeplane_config_pushes_total',
      help: 'NETWORK_CONFIG pushes to online members, by result (sent, already-current, superseded, router-down, failed)',
      labelNames: ['result'],
      registers,
    }),
    acks: new Counter({
      name: 'routeplane_config_push_acks_total',
      help: 'Pushes acknowledged by members',
      registers,
    }),
    ackDelay: new Histogram({
      name: 'routeplane_config_push_ack_seconds',
      help: 'Time from a push to the member acknowledging it',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
    online: new Gauge({
      name: 'routeplane_online_members',
      help: 'Members that requested a config in the last 120 s',
      registers,
      collect() {
        this.set(sessions.onlineCount(clock()));
      },
    }),
  };
}

/** Pushes of one flush in flight at once. */
const PUSH_CONCURRENCY = 16;

export class NetworkController {
  readonly sessions = new MemberSessions();
  private readonly node: ZeroTierNode;
  private readonly service: ControllerService;
  private readonly identity: IdentityWithPrivate;
  private readonly clock: () => number;
  private readonly logger?: Logger;
  private readonly metrics: Metrics;
  private readonly repeatWindow: number;
  private readonly pushDelay: number;
  private readonly lastRequest = new Map<string, number>();
  private readonly metadataCache = new RequestMetadataCache();
  private readonly pendingPushes = new Map<string, Set<string>>();
  private readonly pushPacketIds = new Map<bigint, MemberSession>();
  private pushTimer: NodeJS.Timeout | undefined;
  /** Networks whose pushes are being built and sent (see ControllerService.pushActivity). */
  private readonly sendingTo = new Map<string, number>();
  private readonly unsubscribers: Array<() => void> = [];
  private readonly admission: ConfigAdmission<QueuedRequest>;
  private readonly configWorkers: number | undefined;
  private builder: ConfigWorkerPool | undefined;
  /**
   * Active bridges per network, re-read at most once a second or after a change touching the
   * network: the query reads every member row of the network (~1 ms per 2,000 members).
   */
  private readonly decisions: ConfigDecisionCache;
  private readonly activeBridgeCache = new Map<string, { at: number; bridges: Promise<string[]> }>();

  constructor(options: NetworkControllerOptions) {
    this.node = options.node;
    this.service = options.service;
    if (!options.identity.hasPrivate())
      throw new Error(
        `controller identity ${options.identity.address} needs its private key to sign configs`,
      );
    this.identity = options.identity;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
    this.repeatWindow = options.repeatRequestWindowMs ?? 1000;
    this.pushDelay = options.pushDelayMs ?? 5;
    this.metrics = createMetrics(options.registry, this.sessions, this.clock);
    this.configWorkers = options.configWorkers;
    this.decisions = new ConfigDecisionCache({ maxAgeMs: options.decisionCacheMs });
    this.admission = new ConfigAdmission<QueuedRequest>({
      // Requests in service are mostly waiting for the config worker, which serves them in order. 32
      // let a 10 ms pause of that thread (a GC, a busy core) fill the slots and tip the queue into
      // LIFO, starving the oldest requests into being shed at 80 % load (bench:load: 0.7–1.8 %
      // unanswered); with 128, `bench:load -- --rate 4600` shed none. Overload is still bounded by
      // maxQueued and maxWaitMs.
      maxActive: options.admission?.maxActive ?? 128,
      maxQueued: options.admission?.maxQueued ?? 4096,
      maxWaitMs: options.admission?.maxWaitMs ?? 100,
      serve: (queued) =>
        // Detached from the receive loop: an escaped rejection would end the process.
        this.serveConfigRequest(queued).catch((error: unknown) => {
          this.metrics.requests.inc({ outcome: 'error' });
          this.logger?.error(
            { err: error, member: queued.packet.source },
            'answering a config request failed',
          );
        }),
      shed: (queued, reason) => this.onShed(queued, reason),
    });
    registerConfigLoadMetrics(options.registry, this.admission as ConfigAdmission<unknown>, this.decisions);
  }

  start(): void {
    this.configBuilder();
    this.service.pushActivity = (networkId) =>
      this.pendingPushes.has(networkId) || this.sendingTo.has(networkId);
    // Members that keep talking to us after a restart or a takeover get a HELLO (see the node).
    this.node.setIdentityLookup((address) => this.service.pinnedIdentity(address));
    this.unsubscribers.push(
      this.node.onVerb(Verb.NETWORK_CONFIG_REQUEST, (packet) => {
        // Detached from the receive loop: an escaped rejection would end the process.
        this.onConfigRequest(packet).catch((error: unknown) => {
          this.metrics.requests.inc({ outcome: 'error' });
          this.logger?.error({ err: error, member: packet.source }, 'answering a config request failed');
        });
      }),
      this.node.onOk(Verb.ECHO, (packet) => this.onPushAck(packet)),
      this.service.changes.subscribe((event) => this.onChange(event)),
    );
  }

  stop(): void {
    this.service.pushActivity = undefined;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.node.setIdentityLookup(undefined);
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    void this.builder?.close();
    this.builder = undefined;
  }

  /** The config builder: a worker pool (started with the controller, or on first use). */
  private configBuilder(): ConfigWorkerPool {
    this.builder ??= new ConfigWorkerPool({
      controller: this.identity,
      size: this.configWorkers,
      onWorkerError: (error) => this.logger?.error({ err: error }, 'config worker failed; restarted'),
    });
    return this.builder;
  }

  private activeBridges(networkId: string): Promise<string[]> {
    const now = this.clock();
    const cached = this.activeBridgeCache.get(networkId);
    if (cached && now - cached.at < ACTIVE_BRIDGES_MAX_AGE_MS) return cached.bridges;
    const entry = { at: now, bridges: this.service.activeBridges(networkId) };
    this.activeBridgeCache.set(networkId, entry);
    entry.bridges.catch(() => {
      if (this.activeBridgeCache.get(networkId) === entry) this.activeBridgeCache.delete(networkId);
    });
    return entry.bridges;
  }

  /** Members that requested a config recently, for the API's `online` field. */
  isOnline(networkId: string, address: string): boolean {
    return this.sessions.isOnline(this.sessions.get(networkId, address), this.clock());
  }

  // ---- requests ----------------------------------------------------------------------------

  /**
   * After taking over from another controller process: members seen in the last online window get
   * a HELLO at their last physical address and, when authorized, a push of their current config, so
   * they hear of changes at once rather than at their next request. Returns how many were contacted.
   */
  async resumeRecentMembers(): Promise<number> {
    const now = this.clock();
    let contacted = 0;
    for (const seen of await this.service.recentlySeen(now - ONLINE_WINDOW_MS)) {
      const path = parsePathKey(seen.physicalAddress);
      const text = await this.service.knownIdentity(seen.address);
      if (!path || text === undefined) continue;
      let member;
      try {
        member = await this.service.getMember(seen.networkId, seen.address);
        this.node.contact(Identity.parse(text), path);
      } catch (error) {
        this.logger?.debug({ err: error, member: seen.address }, 'member not resumed');
        continue;
      }
      contacted++;
      const session = this.sessions.record({
        networkId: seen.networkId,
        address: seen.address,
        lastRequestAt: seen.lastSeen,
        // Every client since 1.2 (2017) runs the rules engine; its next request says for sure.
        rulesEngineSupported: true,
        authorized: member.authorized,
      });
      if (member.authorized) this.queuePush(session);
    }
    return contacted;
  }

  private async onConfigRequest(packet: IncomingPacket): Promise<void> {
    const now = this.clock();
    let request;
    try {
      request = decodeNetworkConfigRequest(packet.payload, this.metadataCache);
    } catch (error) {
      this.metrics.requests.inc({ outcome: 'malformed' });
      this.logger?.debug({ err: error, from: packet.source }, 'malformed NETWORK_CONFIG_REQUEST');
      return;
    }
    const { networkId } = request;
    const key = `${networkId}/${packet.source}`;
    const previous = this.lastRequest.get(key);
    if (previous !== undefined && now - previous < this.repeatWindow) {
      this.metrics.requests.inc({ outcome: 'repeat-ignored' });
      return;
    }
    this.lastRequest.set(key, now);
    if (this.lastRequest.size > 200_000) this.pruneRequestTimes(now);

    if (networkId.slice(0, 10) !== this.identity.address) {
      this.replyError(packet, networkId, 'not-found', NcrErrorCode.NOT_FOUND);
      return;
    }
    // Bounded admission: members without a config first; too many waiting or waited too long → shed.
    const hasConfig = request.haveRevision !== null && request.haveRevision > 0n;
    this.admission.offer({ packet, request, receivedAt: now }, hasConfig ? 'refresh' : 'first');
  }

  private onShed(queued: QueuedRequest, reason: ShedReason): void {
    this.metrics.requests.inc({ outcome: `shed-${reason}` });
    // The member's next request is then not ignored as a repeat of one that got no answer.
    const key = `${queued.request.networkId}/${queued.packet.source}`;
    if (this.lastRequest.get(key) === queued.receivedAt) this.lastRequest.delete(key);
  }

  private async serveConfigRequest({ packet, request, receivedAt: now }: QueuedRequest): Promise<void> {
    const { networkId } = request;
    const metadata = request.fields;
    const version =
      metadata.majorVersion !== undefined &&
      metadata.minorVersion !== undefined &&
      metadata.revision !== undefined
        ? {
            major: metadata.majorVersion,
            minor: metadata.minorVersion,
            rev: metadata.revision,
            proto: metadata.protocolVersion ?? -1,
          }
        : undefined;

    // A repeated request with nothing changed since is answered from memory (see config-decision-cache.ts).
    const identity = packet.peer.identity.toString(false);
    const versionKey =
      (version ? `${version.major}.${version.minor}.${version.rev}.${version.proto}` : '') +
      `/${metadata.osArch ?? ''}`;
    const cached = this.decisions.get(networkId, packet.source, identity, versionKey, now);
    let outcome: Awaited<ReturnType<ControllerService['handleConfigRequest']>>;
    if (cached) outcome = { kind: 'authorized', ...cached };
    else {
      const token = this.decisions.token(networkId, packet.source);
      try {
        outcome = await this.service.handleConfigRequest({
          networkId,
          address: packet.source,
          identity,
          version,
          osArch: metadata.osArch,
        });
      } catch (error) {
        this.metrics.requests.inc({ outcome: 'error' });
        this.logger?.error({ err: error, networkId, member: packet.source }, 'config request failed');
        return;
      }
      if (outcome.kind === 'authorized')
        outcome = { kind: 'authorized', ...this.decisions.set(outcome, identity, versionKey, token, now) };
    }

    if (outcome.kind === 'not-found') {
      // No session or presence for a network that does not exist (they would only cost memory).
      this.replyError(packet, networkId, 'not-found', NcrErrorCode.NOT_FOUND);
      return;
    }
    this.service.notePresence(networkId, packet.source, now, formatPath(packet.path));
    const session = this.sessions.record({
      networkId,
      address: packet.source,
      lastRequestAt: now,
      rulesEngineSupported: supportsRulesEngine(metadata),
      authorized: outcome.kind === 'authorized',
    });
    if (outcome.kind === 'denied') {
      this.replyError(packet, networkId, `denied-${outcome.reason}`, NcrErrorCode.ACCESS_DENIED);
      return;
    }

    session.replying = { networkRevision: outcome.network.revision, memberRevision: outcome.member.revision };
    // Built and signed in a worker thread; one compressed packet for a typical config.
    const built = await this.configBuilder().build(
      {
        network: outcome.network,
        member: outcome.member,
        ...(await this.service.configRoutes(outcome.network, outcome.member)),
        activeBridges: await this.activeBridges(networkId),
        rulesEngineSupported: session.rulesEngineSupported,
        now: this.clock(),
        updateId: randomUpdateId(),
      },
      { kind: 'reply', inRePacketId: packet.packetId },
    );
    for (const reply of built.packets) {
      this.node.send(packet.source, Verb.OK, reply.payload, { compressed: reply.compressed });
    }
    this.recordSent(session, {
      updateId: built.updateId,
      sentAt: now,
      networkRevision: outcome.network.revision,
      memberRevision: outcome.member.revision,
      packetIds: [],
    });
    this.metrics.requests.inc({ outcome: 'config' });
  }

  // ---- pushes ------------------------------------------------------------------------------

  private onChange(event: ChangeEvent): void {
    const now = this.clock();
    this.activeBridgeCache.delete(event.networkId);
    this.decisions.onChange(event);
    switch (event.kind) {
      case 'network-deleted':
        this.sessions.forget(event.networkId);
        return;
      case 'member-deleted':
        this.sessions.forget(event.networkId, event.address);
        return;
      case 'network-changed':
        for (const session of this.sessions.online(event.networkId, now)) {
          if (session.authorized) this.queuePush(session);
        }
        return;
      case 'member-changed': {
        if (event.wasAuthorized && !event.authorized) this.revoke(event.networkId, event.address, now);
        const session = this.sessions.get(event.networkId, event.address);
        if (!this.sessions.isOnline(session, now)) return;
        session.authorized = event.authorized;
        // A deauthorized member gets no new config; its next request is denied (stock behaviour).
        if (event.authorized) this.queuePush(session);
      }
    }
  }

  /**
   * Tells every online member of the network that the deauthorized member's certificates issued
   * up to now are void, so they stop exchanging frames with it at once (stock does the same).
   */
  private revoke(networkId: string, target: string, now: number): void {
    const revocation = issueRevocation({
      id: randomBytes(4).readUInt32BE(0),
      networkId,
      target,
      threshold: now,
      controller: this.identity,
    });
    const payload = encodeRevocationCredentials([revocation]);
    for (const session of this.sessions.online(networkId, now)) {
      try {
        this.node.send(session.address, Verb.NETWORK_CREDENTIALS, payload);
        this.metrics.revocations.inc({ result: 'sent' });
      } catch (error) {
        this.metrics.revocations.inc({ result: 'failed' });
        this.logger?.debug({ err: error, networkId, member: session.address }, 'revocation not sent');
      }
    }
  }

  private queuePush(session: MemberSession): void {
    let members = this.pendingPushes.get(session.networkId);
    if (!members) {
      members = new Set();
      this.pendingPushes.set(session.networkId, members);
    }
    members.add(session.address);
    this.pushTimer ??= setTimeout(() => {
      this.flushPushes().catch((error: unknown) =>
        this.logger?.error({ err: error }, 'config pushes failed'),
      );
    }, this.pushDelay);
  }

  private async flushPushes(): Promise<void> {
    this.pushTimer = undefined;
    const batches = [...this.pendingPushes];
    this.pendingPushes.clear();
    // Counted: a flush may start while an earlier one still sends to the same network.
    for (const [networkId] of batches)
      this.sendingTo.set(networkId, (this.sendingTo.get(networkId) ?? 0) + 1);
    try {
      await this.sendBatches(batches);
    } finally {
      for (const [networkId] of batches) {
        const left = this.sendingTo.get(networkId)! - 1;
        if (left === 0) this.sendingTo.delete(networkId);
        else this.sendingTo.set(networkId, left);
      }
    }
  }

  private async sendBatches(batches: Array<[string, Set<string>]>): Promise<void> {
    for (const [networkId, addresses] of batches) {
      let network;
      let activeBridges;
      try {
        network = await this.service.getNetwork(networkId);
        activeBridges = await this.activeBridges(networkId);
      } catch (error) {
        // Deleted meanwhile, or the store failed: these members get the config on their next request.
        if (!(error instanceof RpError && error.code === ErrorCodes.NOT_FOUND)) {
          this.metrics.pushes.inc({ result: 'failed' }, addresses.size);
          this.logger?.warn({ err: error, networkId }, 'config pushes failed');
        }
        continue;
      }
      // Several pushes in flight: the main thread reads and plans the next members while the
      // config workers sign earlier ones (one at a time, the two took turns idling).
      const queue = [...addresses];
      const pushOne = async (address: string): Promise<void> => {
        const session = this.sessions.get(networkId, address);
        if (!session) return;
        // A router its probes found down does not answer; it gets its config when it asks again.
        if (this.service.routers.isDown(address)) {
          this.metrics.pushes.inc({ result: 'router-down' });
          return;
        }
        try {
          const member = await this.service.getMember(networkId, address);
          if (!member.authorized || member.identity === undefined) return;
          // The change that queued this push may be the one the member's own request just caused;
          // it already holds (or is being sent) this exact config (same network and member revisions).
          const current = (sent: { networkRevision: number; memberRevision: number } | undefined) =>
            sent !== undefined &&
            sent.networkRevision === network.revision &&
            sent.memberRevision === member.revision;
          if (current(session.lastPush) || current(session.replying)) {
            this.metrics.pushes.inc({ result: 'already-current' });
            return;
          }
          const now = this.clock();
          const built = await this.configBuilder().build(
            {
              network,
              member,
              ...(await this.service.configRoutes(network, member)),
              activeBridges,
              rulesEngineSupported: session.rulesEngineSupported,
              now,
              // No fast-propagate flag: stock never sets it, and real members then re-send every
              // chunk to each peer they talk to, flooding the network (test/interop FINDINGS §9).
              flags: 0,
              updateId: randomUpdateId(),
            },
            { kind: 'push' },
          );
          // Building took a while: a member changed meanwhile (deauthorized, say) gets the newer
          // push its change queued, never this one.
          const latest = await this.service.getMember(networkId, address);
          if (latest.revision !== member.revision || !latest.authorized) {
            this.metrics.pushes.inc({ result: 'superseded' });
            return;
          }
          const packetIds = built.packets.map((push) =>
            this.node.send(address, Verb.NETWORK_CONFIG, push.payload, {
              expectReply: true,
              compressed: push.compressed,
            }),
          );
          this.recordSent(session, {
            updateId: built.updateId,
            sentAt: now,
            networkRevision: network.revision,
            memberRevision: member.revision,
            packetIds,
          });
          for (const packetId of packetIds) this.pushPacketIds.set(packetId, session);
          this.metrics.pushes.inc({ result: 'sent' });
        } catch (error) {
          this.metrics.pushes.inc({ result: 'failed' });
          this.logger?.warn({ err: error, networkId, member: address }, 'config push failed');
        }
      };
      const lane = async () => {
        for (let address = queue.shift(); address !== undefined; address = queue.shift())
          await pushOne(address);
      };
      await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, queue.length) }, lane));
    }
  }

  /** Remembers the newest config sent to a session; an unacked older push stops being awaited. */
  private recordSent(session: MemberSession, sent: NonNullable<MemberSession['lastPush']>): void {
    const previous = session.lastPush;
    if (previous && previous.ackedAt === undefined) {
      for (const packetId of previous.packetIds) this.pushPacketIds.delete(packetId);
    }
    session.lastPush = sent;
  }

  private onPushAck(packet: IncomingOk): void {
    const ack = decodeConfigAck(concat(Verb.ECHO, packet.inRePacketId, packet.body));
    const session = this.pushPacketIds.get(packet.inRePacketId);
    if (!ack || !session || session.address !== packet.source) return;
    const push = session.lastPush;
    if (!push || push.updateId !== ack.updateId || push.ackedAt !== undefined) return;
    for (const packetId of push.packetIds) this.pushPacketIds.delete(packetId);
    push.ackedAt = this.clock();
    this.metrics.acks.inc();
    this.metrics.ackDelay.observe((push.ackedAt - push.sentAt) / 1000);
    // An acknowledged push is a sign of life like a request: a client that keeps receiving pushes
    // stops asking (it asks 60 s after its last config), and must stay online for the next push.
    session.lastRequestAt = push.ackedAt;
    this.service.notePresence(session.networkId, session.address, push.ackedAt, formatPath(packet.path));
  }

  /** ERROR(NETWORK_CONFIG_REQUEST) carrying the network id, counted under `outcome`. */
  private replyError(packet: IncomingPacket, networkId: string, outcome: string, code: ErrorCode): void {
    this.metrics.requests.inc({ outcome });
    this.node.sendError(
      packet.source,
      Verb.NETWORK_CONFIG_REQUEST,
      packet.packetId,
      code,
      networkIdBytes(networkId),
    );
  }

  private pruneRequestTimes(now: number): void {
    for (const [key, time] of this.lastRequest) {
      if (now - time > this.repeatWindow) this.lastRequest.delete(key);
    }
  }
}

function networkIdBytes(networkId: string): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(`0x${networkId}`));
  return bytes;
}

function formatPath(path: { ip: string; port: number }): string {
  return `${path.ip}/${path.port}`;
}

/** Rebuilds the OK payload `<verb><in-re id><body>` the ack decoder reads. */
function concat(verb: number, inRePacketId: bigint, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + body.length);
  out[0] = verb;
  new DataView(out.buffer).setBigUint64(1, inRePacketId);
  out.set(body, 9);
  return out;
}
