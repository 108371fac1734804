// Turns a network and a member into the signed config a member receives: the netconf dictionary,
// signed chunk by chunk by the controller identity and ready to send. Like stock, the packet
// payload is LZ4-compressed when that makes it smaller (a typical 1.3 KB config goes out as one
// ~850-byte packet: one chunk signature and one datagram instead of two); a config is only split
// into more chunks when one compressed packet would not fit a datagram, so nothing is ever
// fragmented.
import { createHash } from 'node:crypto';
import type { MemberRecord } from '../../core/member/member-types.ts';
import type { ManagedRoute, NetworkRecord } from '../../core/network/network-types.ts';
import { Identity } from '../identity.ts';
import { lz4CompressBlock } from '../lz4-compress.ts';
import type { CredentialCache } from '../netconf/credential-cache.ts';
import { CHUNK_OVERHEAD, randomUpdateId, splitSignedChunks } from '../netconf/config-chunks.ts';
import { credentialWindow, planNetworkConfig, type NetworkConfigPlan } from '../netconf/network-config.ts';
import type { ConfigTemplates } from './config-templates.ts';
import { MIN_PACKET_LENGTH } from '../packet.ts';
import { DEFAULT_PHYSICAL_MTU } from '../node/constants.ts';

export interface BuiltConfig {
  updateId: bigint;
  chunks: Uint8Array[];
  plan: NetworkConfigPlan;
  bytes: number;
}

export interface BuildRequest {
  network: NetworkRecord;
  member: MemberRecord;
  routes: readonly ManagedRoute[];
  /** Routes that give assigned IPs their prefix length (see NetworkConfigInput.addressRoutes). */
  addressRoutes?: readonly ManagedRoute[];
  activeBridges: readonly string[];
  rulesEngineSupported: boolean;
  now: number;
  /** Push (NETWORK_CONFIG) sets fast-propagate so the member applies it at once. */
  flags?: number;
  /** Default: a random non-zero id (given in tests, and by the worker pool's caller). */
  updateId?: bigint;
}

/** ZeroTier's ZT_MAX_NETWORK_ROUTES: members ignore routes past it. */
export const MAX_ROUTES_PER_MEMBER = 128;

/** Bytes before a chunk in OK(NETWORK_CONFIG_REQUEST): `<1 in-re verb><8 in-re packet id>`. */
const OK_PREFIX_LENGTH = 9;

const identityCache = new Map<string, Identity>();

function memberIdentity(member: MemberRecord): Identity {
  if (member.identity === undefined) {
    throw new Error(`member ${member.address} has no known identity`);
  }
  let identity = identityCache.get(member.identity);
  if (!identity) {
    identity = Identity.parse(member.identity);
    if (identityCache.size > 100_000) identityCache.clear();
    identityCache.set(member.identity, identity);
  }
  return identity;
}

function encodeDictionary(
  controller: Identity,
  request: BuildRequest,
  credentials?: CredentialCache,
): { plan: NetworkConfigPlan; dict: Uint8Array } {
  const plan = planNetworkConfig({
    network: request.network,
    member: request.member,
    memberIdentity: memberIdentity(request.member),
    controller,
    now: request.now,
    routes: request.routes.slice(0, MAX_ROUTES_PER_MEMBER),
    addressRoutes: request.addressRoutes,
    activeBridges: request.activeBridges,
    rulesEngineSupported: request.rulesEngineSupported,
    credentials,
  });
  return { plan, dict: plan.dictionary.encode() };
}

/** The config as signed chunks of at most `maxChunkBytes` dictionary bytes each, uncompressed. */
export function buildSignedConfig(
  controller: Identity,
  request: BuildRequest,
  maxChunkBytes = 1100,
): BuiltConfig {
  const { plan, dict } = encodeDictionary(controller, request);
  const updateId = request.updateId ?? randomUpdateId();
  const chunks = splitSignedChunks(dict, {
    networkId: request.network.id,
    controller,
    updateId,
    flags: request.flags ?? 0,
    maxChunkBytes,
  });
  return { updateId, chunks, plan, bytes: dict.length };
}

/** How the chunks travel: as OK(NETWORK_CONFIG_REQUEST) answering a request, or as a NETWORK_CONFIG push. */
export type ConfigFrame = { kind: 'reply'; inRePacketId: bigint } | { kind: 'push' };

export interface ConfigPacket {
  /** The verb payload: for a reply the OK payload (in-re fields + chunk), for a push the chunk. */
  payload: Uint8Array;
  /** `payload` is an LZ4 block: send it with the verb's compression flag. */
  compressed: boolean;
}

export interface BuiltConfigPackets {
  updateId: bigint;
  /** Dictionary bytes. */
  bytes: number;
  packets: ConfigPacket[];
}

export interface PacketOptions {
  /** Largest datagram (default 1432, ZeroTier's physical MTU): every packet fits one. */
  mtu?: number;
  /** Off: never compress (chunks are then cut to fit uncompressed). */
  compress?: boolean;
}

/**
 * What a builder keeps between configs: young signed credentials per member (credential-cache.ts)
 * and, with them, each member's last dictionary (config-templates.ts).
 */
export interface BuilderState {
  credentials?: CredentialCache;
  templates?: ConfigTemplates;
  /**
   * A digest of the JSON of network records this builder holds and never changes (a worker's own
   * copies), so the content key neither serializes nor hashes the same network again for every member.
   */
  networkKeys?: WeakMap<NetworkRecord, string>;
  /**
   * The last content key per member record, with the other objects it was computed from; the same
   * promise (records and arrays never change) lets a repeat request skip the digest entirely.
   */
  requestKeys?: WeakMap<MemberRecord, RequestKey>;
}

interface RequestKey {
  network: NetworkRecord;
  routes: BuildRequest['routes'];
  addressRoutes: BuildRequest['addressRoutes'];
  activeBridges: BuildRequest['activeBridges'];
  rulesEngineSupported: boolean;
  key: string;
}

/** contentKey(), reused while the request is made of the very same objects as last time. */
function memoizedContentKey(request: BuildRequest, state: BuilderState): string {
  const last = state.requestKeys?.get(request.member);
  if (
    last !== undefined &&
    last.network === request.network &&
    last.routes === request.routes &&
    last.addressRoutes === request.addressRoutes &&
    last.activeBridges === request.activeBridges &&
    last.rulesEngineSupported === request.rulesEngineSupported
  )
    return last.key;
  const key = contentKey(request, state.networkKeys);
  state.requestKeys?.set(request.member, {
    network: request.network,
    routes: request.routes,
    addressRoutes: request.addressRoutes,
    activeBridges: request.activeBridges,
    rulesEngineSupported: request.rulesEngineSupported,
    key,
  });
  return key;
}

/**
 * A digest of everything the dictionary is built from but the time (presence fields are not in a
 * config): kept per member, so it is a hash rather than the JSON itself (kilobytes per member).
 */
function contentKey(request: BuildRequest, networkKeys?: WeakMap<NetworkRecord, string>): string {
  const { lastSeen: _lastSeen, physicalAddress: _physicalAddress, ...member } = request.member;
  let network = networkKeys?.get(request.network);
  if (network === undefined) {
    network = createHash('sha256').update(JSON.stringify(request.network)).digest('base64');
    networkKeys?.set(request.network, network);
  }
  const rest = JSON.stringify([
    member,
    request.routes,
    request.addressRoutes ?? null,
    request.activeBridges,
    request.rulesEngineSupported,
  ]);
  // Neither base64 nor JSON has a raw newline, so the two parts cannot run into each other.
  return createHash('sha256').update(network).update('\n').update(rest).digest('base64');
}

/** The encoded dictionary: from the member's template when it fits, else built (and remembered). */
function dictionaryBytes(controller: Identity, request: BuildRequest, state: BuilderState): Uint8Array {
  const { credentials, templates } = state;
  if (credentials === undefined || templates === undefined)
    return encodeDictionary(controller, request, credentials).dict;
  const member = `${request.network.id}/${request.member.address}`;
  const key = memoizedContentKey(request, state);
  const reused = templates.dictionary(member, key, request.now);
  if (reused !== undefined) return reused;
  const { dict } = encodeDictionary(controller, request, credentials);
  const validUntil = credentials.reusableUntil(member, credentialWindow(request.network));
  templates.remember(member, key, dict, request.now, validUntil);
  return dict;
}

function okPrefix(inRePacketId: bigint): Uint8Array {
  const prefix = new Uint8Array(OK_PREFIX_LENGTH);
  prefix[0] = 0x0b; // NETWORK_CONFIG_REQUEST
  new DataView(prefix.buffer).setBigUint64(1, inRePacketId);
  return prefix;
}

/**
 * The config as ready-to-send packet payloads, each fitting one datagram of `mtu` bytes: one
 * chunk when the compressed packet fits (the common case), otherwise as few chunks as fit.
 * Deterministic for a given request (with `updateId` set), frame and credential cache state.
 */
export function buildConfigPackets(
  controller: Identity,
  request: BuildRequest,
  frame: ConfigFrame,
  options: PacketOptions = {},
  state: BuilderState = {},
): BuiltConfigPackets {
  const dict = dictionaryBytes(controller, request, state);
  const updateId = request.updateId ?? randomUpdateId();
  const prefix = frame.kind === 'reply' ? okPrefix(frame.inRePacketId) : new Uint8Array(0);
  const room = (options.mtu ?? DEFAULT_PHYSICAL_MTU) - MIN_PACKET_LENGTH - prefix.length;
  const compress = options.compress ?? true;
  // Chunks that fit uncompressed whatever the data: the count at which the search below must stop.
  const plainChunkBytes = room - CHUNK_OVERHEAD;
  if (plainChunkBytes < 1) throw new RangeError(`MTU ${options.mtu} leaves no room for a config chunk`);
  const maxCount = Math.ceil(dict.length / plainChunkBytes);
  let count = compress ? 1 : maxCount;
  for (;;) {
    const chunkBytes = Math.ceil(dict.length / count);
    const chunks = splitSignedChunks(dict, {
      networkId: request.network.id,
      controller,
      updateId,
      flags: request.flags ?? 0,
      maxChunkBytes: chunkBytes,
      prefix,
    });
    const packets = chunks.map((payload) => toPacket(payload, compress));
    const largest = Math.max(...packets.map((p) => p.payload.length));
    if (largest <= room || count >= maxCount) return { updateId, bytes: dict.length, packets };
    // Too big even compressed: guess the count from how well this attempt compressed.
    const total = packets.reduce((sum, p) => sum + p.payload.length, 0);
    count = Math.min(maxCount, Math.max(count + 1, Math.ceil((total * 1.05) / room)));
  }
}

function toPacket(payload: Uint8Array, compress: boolean): ConfigPacket {
  if (!compress) return { payload, compressed: false };
  const packed = lz4CompressBlock(payload);
  return packed.length < payload.length
    ? { payload: packed, compressed: true }
    : { payload, compressed: false };
}
