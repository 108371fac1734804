// A ZeroTier member in TypeScript that behaves like zerotier-one 1.14.1 where a controller can tell
// (node/Network.cpp, node/IncomingPacket.cpp, node/Node.cpp, service/OneService.cpp; facts only):
//
// * join → NETWORK_CONFIG_REQUEST with the metadata a 1.14.1 client sends, our current config's
//   revision and timestamp, expecting OKs; repeated while there is no config (every
//   `retryInterval`, the client's 5 s background tick) and once the config is `requestInterval`
//   old (ZT_NETWORK_AUTOCONF_DELAY, 60 s) — and then every tick until a config arrives again.
// * OK(NETWORK_CONFIG_REQUEST) and NETWORK_CONFIG chunks are verified against the controller's
//   identity and assembled by update id; a complete NETWORK_CONFIG is acknowledged with
//   OK(in-re ECHO) `<nwid><configUpdateId>` answering the push's packet id (replies are not acked).
// * ERROR(NETWORK_CONFIG_REQUEST) from the network's controller: OBJ_NOT_FOUND or
//   UNSUPPORTED_OPERATION → NOT_FOUND, NETWORK_ACCESS_DENIED → ACCESS_DENIED. The last config and
//   with it the member's IPs and routes stay in place (PROTOCOL-NOTES §5).
// * A simulated kernel routing table per network (managed-routes.ts) applies each config exactly
//   as the client installs managed IPs and routes.
//
// One deliberate shortcut: when the controller first answers our HELLO, networks still waiting for
// their first config are requested at once instead of on the next tick, so tests are not slowed by
// the client's timers. Nothing a controller sees differs except that timing.
import pino, { type Logger } from 'pino';
import { toHex } from '../../src/protocol/bytes.ts';
import { Identity } from '../../src/protocol/identity.ts';
import { generateIdentity } from '../../src/protocol/identity-pool.ts';
import { ConfigChunkAssembler, MAX_INCOMING_UPDATES } from '../../src/protocol/netconf/config-chunks.ts';
import { encodeConfigAck } from '../../src/protocol/netconf/config-messages.ts';
import {
  parseNetworkConfig,
  type ParsedNetworkConfig,
} from '../../src/protocol/netconf/network-config-parse.ts';
import {
  clientRequestMetadata,
  encodeNetworkConfigRequest,
} from '../../src/protocol/netconf/network-config-request.ts';
import {
  type IncomingError,
  type IncomingOk,
  type IncomingPacket,
  type NodeTiming,
  type RootPeer,
  ZeroTierNode,
} from '../../src/protocol/node/index.ts';
import { ErrorCode, Verb } from '../../src/protocol/packet.ts';
import {
  DEFAULT_MANAGED_SETTINGS,
  emptyManagedState,
  kernelRoutes,
  removalSteps,
  syncManaged,
  type KernelRoute,
  type ManagedSettings,
  type ManagedState,
  type RouteDecision,
} from './managed-routes.ts';

export type { KernelRoute, ManagedSettings, RouteDecision } from './managed-routes.ts';

/** ZT_VirtualNetworkStatus as `zerotier-cli listnetworks` prints it (PORT_ERROR cannot happen here). */
export type NetworkStatus =
  'REQUESTING_CONFIGURATION' | 'OK' | 'ACCESS_DENIED' | 'NOT_FOUND' | 'AUTHENTICATION_REQUIRED';

/** ZT_NETWORK_AUTOCONF_DELAY */
export const CLIENT_REQUEST_INTERVAL = 60_000;
/** ZT_PING_CHECK_INTERVAL: the client's background tick, which re-requests a missing config. */
export const CLIENT_RETRY_INTERVAL = 5_000;

export interface TsMemberOptions {
  /** With its private key. `TsMember.create` generates one when absent. */
  identity: Identity;
  /** The planet's roots; in tests the controller alone (see controllerRoot in recorded-identities.ts). */
  roots: RootPeer[];
  /** Re-request a config this long after the last one arrived (default 60 s, like the client). */
  requestInterval?: number;
  /** Re-request this often while the config is missing or overdue (default 5 s, at most requestInterval). */
  retryInterval?: number;
  /** allowManaged / allowGlobal / allowDefault (client defaults: true, false, false). */
  managed?: Partial<ManagedSettings>;
  /**
   * As zerotier-one 1.14.1 on Linux: a config first removes the managed routes it no longer has,
   * each taking this long (a netlink delete waits out its receive timeout, ~1 s), and adds its new
   * routes only after them; a config arriving meanwhile waits its turn (FINDINGS §9). Default 0:
   * configs reach the simulated kernel at once.
   */
  routeRemovalMs?: number;
  /** `o` in the request metadata (default linux/x86_64). */
  osArch?: string;
  /** Local UDP address; default 127.0.0.1 only. */
  bindIpv4?: string;
  /** Node timing overrides (e.g. a shorter rootHelloRetry after a flood of HELLOs). */
  timing?: Partial<NodeTiming>;
  logger?: Logger;
}

/** One complete, verified and parsed config. */
export interface ConfigEvent {
  networkId: string;
  /** Date.now() when it was applied. */
  at: number;
  /** `push`: NETWORK_CONFIG (acknowledged); `reply`: OK to our request. */
  source: 'push' | 'reply';
  updateId: bigint;
  revision: number;
  /** Chunks it arrived in. */
  chunks: number;
  config: ParsedNetworkConfig;
}

export interface MemberCounters {
  requestsSent: number;
  /** Complete, verified, parsed configs (replies and pushes). */
  configsReceived: number;
  /** Of those, pushes. */
  pushesReceived: number;
  /** OK(ECHO) acknowledgements of pushes. */
  acksSent: number;
  accessDenied: number;
  notFound: number;
  /** Chunks refused (bad signature, wrong network, inconsistent) or configs that failed to parse. */
  rejected: number;
}

interface NetworkState {
  networkId: string;
  controller: string;
  status: NetworkStatus;
  config?: ParsedNetworkConfig;
  lastConfigAt: number;
  lastRequestAt: number;
  assembler?: ConfigChunkAssembler;
  chunkCounts: Map<bigint, number>;
  managed: ManagedState;
  decisions: RouteDecision[];
  history: ConfigEvent[];
  timer?: NodeJS.Timeout;
  /** Kernel syncs run one after another (with routeRemovalMs, each takes time). */
  syncing: Promise<void>;
  /** Every state of the simulated kernel table, oldest first (bounded). */
  kernelLog: KernelMoment[];
}

/** The simulated kernel table of a network's interface from `at` on. */
export interface KernelMoment {
  at: number;
  routes: KernelRoute[];
}

const NETWORK_ID = /^[0-9a-f]{16}$/;

const HISTORY_LIMIT = 200;

function nwidOf(payload: Uint8Array): string | undefined {
  if (payload.length < 8) return undefined;
  return toHex(payload.subarray(0, 8));
}

export class TsMember {
  readonly identity: Identity;
  readonly address: string;
  readonly node: ZeroTierNode;
  readonly counters: MemberCounters = {
    requestsSent: 0,
    configsReceived: 0,
    pushesReceived: 0,
    acksSent: 0,
    accessDenied: 0,
    notFound: 0,
    rejected: 0,
  };

  private readonly requestInterval: number;
  private readonly retryInterval: number;
  private readonly settings: ManagedSettings;
  private readonly routeRemovalMs: number;
  private readonly osArch: string | undefined;
  private readonly networks = new Map<string, NetworkState>();
  private readonly listeners = new Set<() => void>();
  private readonly rootAddresses: Set<string>;
  private running = false;

  constructor(options: TsMemberOptions) {
    if (!options.identity.hasPrivate())
      throw new Error(`member identity ${options.identity.address} needs its secret`);
    this.identity = options.identity;
    this.address = options.identity.address;
    this.requestInterval = options.requestInterval ?? CLIENT_REQUEST_INTERVAL;
    this.retryInterval = Math.min(options.retryInterval ?? CLIENT_RETRY_INTERVAL, this.requestInterval);
    this.settings = { ...DEFAULT_MANAGED_SETTINGS, ...options.managed };
    this.routeRemovalMs = options.routeRemovalMs ?? 0;
    this.osArch = options.osArch;
    this.rootAddresses = new Set(options.roots.map((r) => r.identity.address));
    this.node = new ZeroTierNode({
      identity: options.identity,
      port: 0,
      bind: { ipv4: options.bindIpv4 ?? '127.0.0.1', ipv6: false },
      roots: options.roots,
      logger: options.logger ?? pino({ level: 'silent' }),
      ...(options.timing ? { timing: options.timing } : {}),
    });
    this.node.onOk(Verb.NETWORK_CONFIG_REQUEST, (ok) => this.onConfigReply(ok));
    this.node.onVerb(Verb.NETWORK_CONFIG, (packet) => this.onConfigPush(packet));
    this.node.onError(Verb.NETWORK_CONFIG_REQUEST, (error) => this.onConfigError(error));
    this.node.onOk(Verb.HELLO, (ok) => this.onHelloAnswered(ok));
  }

  /** A started member; generates an identity (worker pool, ~0.3–1.5 s) unless one is given. */
  static async create(
    options: Omit<TsMemberOptions, 'identity'> & { identity?: Identity },
  ): Promise<TsMember> {
    const identity = options.identity ?? (await generateIdentity());
    const member = new TsMember({ ...options, identity });
    await member.start();
    return member;
  }

  /** Binds the UDP socket and says HELLO to the roots; networks joined before start are requested now. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.node.start();
    this.running = true;
    for (const n of this.networks.values()) this.request(n);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const n of this.networks.values()) clearTimeout(n.timer);
    await this.node.stop();
    this.changed();
  }

  /** The UDP port the member sends from (what the controller sees as its physical address). */
  get port(): number | undefined {
    return this.node.boundPorts.ipv4;
  }

  // ---- networks ------------------------------------------------------------------------------

  /** `zerotier-cli join`: requests the config at once, then on the client's schedule. */
  join(networkId: string): void {
    const nwid = networkId.toLowerCase();
    if (!NETWORK_ID.test(nwid)) throw new Error(`"${networkId}" is not a 16-digit hex network ID`);
    if (this.networks.has(nwid)) return;
    const n: NetworkState = {
      networkId: nwid,
      controller: nwid.slice(0, 10),
      status: 'REQUESTING_CONFIGURATION',
      lastConfigAt: 0,
      lastRequestAt: Number.NEGATIVE_INFINITY,
      chunkCounts: new Map(),
      managed: emptyManagedState(),
      syncing: Promise.resolve(),
      kernelLog: [],
      decisions: [],
      history: [],
    };
    this.networks.set(nwid, n);
    if (this.running) this.request(n);
    this.changed();
  }

  /** `zerotier-cli leave`: stops requesting; the interface goes away with its IPs and routes. */
  leave(networkId: string): void {
    const n = this.networks.get(networkId.toLowerCase());
    if (!n) return;
    clearTimeout(n.timer);
    this.networks.delete(n.networkId);
    this.changed();
  }

  joined(): string[] {
    return [...this.networks.keys()];
  }

  /** Undefined for a network not joined. */
  status(networkId: string): NetworkStatus | undefined {
    return this.networks.get(networkId.toLowerCase())?.status;
  }

  /** The last config applied (kept after ACCESS_DENIED / NOT_FOUND, like the client). */
  config(networkId: string): ParsedNetworkConfig | undefined {
    return this.networks.get(networkId.toLowerCase())?.config;
  }

  /** The config's static IPs (`ip/bits`), as `listnetworks` shows them in assignedAddresses. */
  assignedAddresses(networkId: string): string[] {
    return [...(this.config(networkId)?.staticIps ?? [])];
  }

  /** The IPs actually put on the interface (allowed by allowManaged / allowGlobal). */
  interfaceAddresses(networkId: string): string[] {
    return [...(this.networks.get(networkId.toLowerCase())?.managed.managedIps ?? [])];
  }

  /** The simulated kernel routing table of the network's interface (`ip route show dev zt…`). */
  routes(networkId: string): KernelRoute[] {
    const n = this.networks.get(networkId.toLowerCase());
    return n ? kernelRoutes(n.managed) : [];
  }

  /** The installed route for `target`, if any (targets are compared canonically, e.g. `10.1.0.0/16`). */
  route(networkId: string, target: string): KernelRoute | undefined {
    return this.routes(networkId).find((r) => r.target === target);
  }

  /** Every state the network's kernel table went through, oldest first (bounded). */
  kernelLog(networkId: string): KernelMoment[] {
    return [...(this.networks.get(networkId.toLowerCase())?.kernelLog ?? [])];
  }

  /** What the last config did with each of its routes, in config order. */
  routeDecisions(networkId: string): RouteDecision[] {
    return [...(this.networks.get(networkId.toLowerCase())?.decisions ?? [])];
  }

  /** Every config applied, oldest first (bounded). */
  configEvents(networkId: string): ConfigEvent[] {
    return [...(this.networks.get(networkId.toLowerCase())?.history ?? [])];
  }

  // ---- waiting -------------------------------------------------------------------------------

  /**
   * Resolves with the first truthy value of `check`, evaluated now, after every change of the
   * member's state and every 50 ms; rejects after `timeoutMs` naming `what` and the member's state.
   */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (error?: Error, value?: T) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        clearInterval(poll);
        this.listeners.delete(evaluate);
        if (error) reject(error);
        else resolve(value as T);
      };
      const evaluate = () => {
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch (error) {
          return finish(error as Error);
        }
        if (value) finish(undefined, value);
      };
      const timeout = setTimeout(
        () =>
          finish(
            new Error(
              `member ${this.address}: timed out after ${timeoutMs} ms waiting for ${what}; ${this.describe()}`,
            ),
          ),
        timeoutMs,
      );
      const poll = setInterval(evaluate, 50);
      this.listeners.add(evaluate);
      evaluate();
    });
  }

  waitForStatus(networkId: string, status: NetworkStatus, timeoutMs = 5000): Promise<NetworkStatus> {
    return this.waitFor(
      () => this.status(networkId) === status && status,
      timeoutMs,
      `status ${status} on ${networkId}`,
    );
  }

  /**
   * Resolves when the kernel table has `target` — via `via` when given (null: a device route),
   * any via when omitted.
   */
  waitForRoute(
    networkId: string,
    target: string,
    via?: string | null,
    timeoutMs = 5000,
  ): Promise<KernelRoute> {
    return this.waitFor(
      () => {
        const r = this.route(networkId, target);
        return r && (via === undefined || r.via === via) ? r : undefined;
      },
      timeoutMs,
      `route ${target}${via === undefined ? '' : ` via ${via ?? '(device)'}`} on ${networkId}`,
    );
  }

  waitForNoRoute(networkId: string, target: string, timeoutMs = 5000): Promise<true> {
    return this.waitFor(
      () => this.route(networkId, target) === undefined,
      timeoutMs,
      `no route ${target} on ${networkId}`,
    );
  }

  /** Resolves with the current config once its revision is at least `revision`. */
  waitForConfig(networkId: string, revision = 0, timeoutMs = 5000): Promise<ParsedNetworkConfig> {
    return this.waitFor(
      () => {
        const c = this.config(networkId);
        return c && c.revision >= revision ? c : undefined;
      },
      timeoutMs,
      `a config of revision ≥ ${revision} on ${networkId}`,
    );
  }

  /**
   * The next config applied after this call (optionally only a push or only a reply). Call it
   * before the action that should cause the config, then await it.
   */
  nextConfig(
    networkId: string,
    options: { source?: 'push' | 'reply'; timeoutMs?: number } = {},
  ): Promise<ConfigEvent> {
    const seen = this.configEvents(networkId).length;
    return this.waitFor(
      () =>
        this.configEvents(networkId)
          .slice(seen)
          .find((e) => options.source === undefined || e.source === options.source),
      options.timeoutMs ?? 5000,
      `the next ${options.source ?? 'config'} on ${networkId}`,
    );
  }

  // ---- protocol ------------------------------------------------------------------------------

  private request(n: NetworkState): void {
    if (!this.running || this.networks.get(n.networkId) !== n) return;
    const payload = encodeNetworkConfigRequest({
      networkId: n.networkId,
      metadata: clientRequestMetadata(this.osArch === undefined ? {} : { osArch: this.osArch }),
      haveRevision: n.config ? BigInt(n.config.revision) : 0n,
      haveTimestamp: n.config ? BigInt(n.config.timestamp) : 0n,
    });
    try {
      this.node.send(n.controller, Verb.NETWORK_CONFIG_REQUEST, payload, { expectReply: true });
      this.counters.requestsSent++;
    } catch {
      // unknown controller and nobody to ask: try again on the next tick, as the client does
    }
    n.lastRequestAt = Date.now();
    this.schedule(n);
  }

  /** Next request: a tick after the last one, and not before the config is `requestInterval` old. */
  private schedule(n: NetworkState): void {
    clearTimeout(n.timer);
    if (!this.running) return;
    let due = n.lastRequestAt + this.retryInterval;
    if (n.config) due = Math.max(due, n.lastConfigAt + this.requestInterval);
    n.timer = setTimeout(() => this.request(n), Math.max(0, due - Date.now()));
    n.timer.unref();
  }

  private onHelloAnswered(ok: IncomingOk): void {
    if (!this.rootAddresses.has(ok.source)) return;
    for (const n of this.networks.values()) {
      if (!n.config && n.status === 'REQUESTING_CONFIGURATION') this.request(n);
    }
  }

  private onConfigReply(ok: IncomingOk): void {
    this.acceptChunk(ok.source, ok.body, 'reply');
  }

  private onConfigPush(packet: IncomingPacket): void {
    const done = this.acceptChunk(packet.source, packet.payload, 'push');
    if (!done) return;
    const ack = encodeConfigAck({
      inRePacketId: packet.packetId,
      networkId: done.networkId,
      updateId: done.updateId,
    });
    try {
      this.node.send(packet.source, Verb.OK, ack, { path: packet.path });
      this.counters.acksSent++;
    } catch {
      // the peer vanished meanwhile; the controller will count the push as unacknowledged
    }
    this.changed();
  }

  /** Feeds one chunk; returns the network and update id when it completed a config (acked for pushes). */
  private acceptChunk(
    source: string,
    chunk: Uint8Array,
    via: 'push' | 'reply',
  ): { networkId: string; updateId: bigint } | undefined {
    const nwid = nwidOf(chunk);
    const n = nwid === undefined ? undefined : this.networks.get(nwid);
    if (!n) return undefined; // not a network we are in: ignored, like the client
    if (!n.assembler) {
      const controller = this.node.peer(n.controller)?.identity;
      if (!controller) return undefined; // cannot verify yet
      n.assembler = new ConfigChunkAssembler({ networkId: n.networkId, controller });
    }
    const result = n.assembler.accept(chunk, source === n.controller);
    if (result.status === 'rejected') {
      this.counters.rejected++;
      return undefined;
    }
    if (result.status === 'duplicate') return undefined;
    n.chunkCounts.set(result.updateId, (n.chunkCounts.get(result.updateId) ?? 0) + 1);
    // Updates that never complete are forgotten by the assembler; forget their counts too.
    if (n.chunkCounts.size > MAX_INCOMING_UPDATES) n.chunkCounts.delete(n.chunkCounts.keys().next().value!);
    if (result.status === 'partial') return undefined;
    const chunks = n.chunkCounts.get(result.updateId) ?? 1;
    n.chunkCounts.delete(result.updateId);
    let config: ParsedNetworkConfig;
    try {
      config = parseNetworkConfig(result.dictionary);
    } catch {
      this.counters.rejected++;
      return undefined; // the client neither applies nor acknowledges a config it cannot read
    }
    this.counters.configsReceived++;
    if (via === 'push') this.counters.pushesReceived++;
    // Not for us or not for this network: ignored, but a push is still acknowledged (as the client does).
    if (config.issuedTo === this.address && config.networkId === n.networkId) {
      this.apply(n, config, { via, updateId: result.updateId, chunks });
    }
    if (via === 'reply') this.changed();
    return { networkId: n.networkId, updateId: result.updateId };
  }

  private apply(
    n: NetworkState,
    config: ParsedNetworkConfig,
    how: { via: 'push' | 'reply'; updateId: bigint; chunks: number },
  ): void {
    const now = Date.now();
    n.config = config;
    n.lastConfigAt = now;
    n.status = 'OK';
    this.syncKernel(n, config);
    n.history.push({
      networkId: n.networkId,
      at: now,
      source: how.via,
      updateId: how.updateId,
      revision: config.revision,
      chunks: how.chunks,
      config,
    });
    if (n.history.length > HISTORY_LIMIT) n.history.splice(0, n.history.length - HISTORY_LIMIT);
    this.schedule(n);
  }

  /** Applies a config to the simulated kernel: at once, or removals first, one per routeRemovalMs. */
  private syncKernel(n: NetworkState, config: ParsedNetworkConfig): void {
    const log = () => {
      n.kernelLog.push({ at: Date.now(), routes: kernelRoutes(n.managed) });
      if (n.kernelLog.length > HISTORY_LIMIT) n.kernelLog.splice(0, n.kernelLog.length - HISTORY_LIMIT);
      this.changed();
    };
    const sync = () => {
      const { state, decisions } = syncManaged(n.managed, config, this.settings);
      n.decisions = decisions;
      return state;
    };
    if (this.routeRemovalMs <= 0) {
      n.managed = sync();
      log();
      return;
    }
    n.syncing = n.syncing.then(async () => {
      const steps = removalSteps(n.managed, sync());
      // steps[0]: the new IPs; steps[1]: the first removal, at once; each later step (the next
      // removal, finally the additions) only after the previous removal's wait.
      for (const [i, state] of steps.entries()) {
        if (i >= 2) await new Promise((resolve) => setTimeout(resolve, this.routeRemovalMs).unref());
        n.managed = state;
        log();
      }
    });
  }

  private onConfigError(error: IncomingError): void {
    const nwid = nwidOf(error.body);
    const n = nwid === undefined ? undefined : this.networks.get(nwid);
    // Only the network's controller may say so.
    if (!n || error.source !== n.controller) return;
    switch (error.code) {
      case ErrorCode.OBJ_NOT_FOUND:
      case ErrorCode.UNSUPPORTED_OPERATION:
        n.status = 'NOT_FOUND';
        this.counters.notFound++;
        break;
      case ErrorCode.NETWORK_ACCESS_DENIED:
        n.status = 'ACCESS_DENIED';
        this.counters.accessDenied++;
        break;
      case ErrorCode.NETWORK_AUTHENTICATION_REQUIRED:
        n.status = 'AUTHENTICATION_REQUIRED';
        break;
      default:
        return;
    }
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private describe(): string {
    const parts = [...this.networks.values()].map((n) => {
      const routes = kernelRoutes(n.managed)
        .filter((r) => r.proto === 'static')
        .map((r) => `${r.target} via ${r.via}`);
      return `${n.networkId}: ${n.status}, revision ${n.config?.revision ?? '-'}, IPs [${n.managed.managedIps.join(', ')}], routes [${routes.join(', ')}]`;
    });
    const c = this.counters;
    return `${parts.join('; ') || 'no networks'}; sent ${c.requestsSent} requests, got ${c.configsReceived} configs (${c.pushesReceived} pushes), ${c.accessDenied} denials, ${c.notFound} not-found`;
  }
}
