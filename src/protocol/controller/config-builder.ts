// Turns a network and a member into the signed config chunks the member receives: the netconf
// dictionary, cut into chunks small enough that each packet fits one UDP datagram (no fragmentation
// needed), each signed by the controller identity.
import type { MemberRecord } from '../../core/member/member-types.ts';
import type { ManagedRoute, NetworkRecord } from '../../core/network/network-types.ts';
import { Identity } from '../identity.ts';
import { randomUpdateId, splitSignedChunks } from '../netconf/config-chunks.ts';
import { planNetworkConfig, type NetworkConfigPlan } from '../netconf/network-config.ts';

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
  activeBridges: readonly string[];
  rulesEngineSupported: boolean;
  now: number;
  /** Push (NETWORK_CONFIG) sets fast-propagate so the member applies it at once. */
  flags?: number;
}

/** ZeroTier's ZT_MAX_NETWORK_ROUTES: members ignore routes past it. */
export const MAX_ROUTES_PER_MEMBER = 128;

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

export function buildSignedConfig(controller: Identity, request: BuildRequest, maxChunkBytes = 1100): BuiltConfig {
  const plan = planNetworkConfig({
    network: request.network,
    member: request.member,
    memberIdentity: memberIdentity(request.member),
    controller,
    now: request.now,
    routes: request.routes.slice(0, MAX_ROUTES_PER_MEMBER),
    activeBridges: request.activeBridges,
    rulesEngineSupported: request.rulesEngineSupported,
  });
  const dict = plan.dictionary.encode();
  const updateId = randomUpdateId();
  const chunks = splitSignedChunks(dict, {
    networkId: request.network.id,
    controller,
    updateId,
    flags: request.flags ?? 0,
    maxChunkBytes,
  });
  return { updateId, chunks, plan, bytes: dict.length };
}
