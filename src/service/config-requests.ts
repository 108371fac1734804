// What a member's NETWORK_CONFIG_REQUEST does to the database, decided the way the stock controller
// decides it: unknown network → not found; first request → a member record (not authorized) with the
// identity pinned; a different identity for a known address → denied; public network → authorized
// automatically; authorized → versions recorded and automatic IPs assigned. Nothing is written when
// nothing changed, so the steady stream of re-requests (every 60 s per member) stays read-only.
import type { MemberRecord } from '../core/member/member-types.ts';
import { newMember } from '../core/member/member-defaults.ts';
import type { ManagedRoute, NetworkRecord } from '../core/network/network-types.ts';
import type { NewEvent, StoreTransaction } from '../store/store.ts';
import { assignAutomaticIps } from './ip-assigner.ts';
import { sameRecord } from './same-record.ts';

export interface ConfigRequester {
  networkId: string;
  address: string;
  /** The requester's public identity string (`addr:0:pub`), already validated by the protocol layer. */
  identity: string;
  version?: { major: number; minor: number; rev: number; proto: number };
  /** Request metadata `o`, e.g. `linux/x86_64`. */
  osArch?: string;
}

export type ConfigRequestOutcome =
  | { kind: 'not-found' }
  | { kind: 'denied'; reason: 'not-authorized' | 'identity-mismatch'; member: MemberRecord }
  | { kind: 'authorized'; network: NetworkRecord; member: MemberRecord };

export interface ConfigRequestResult {
  outcome: ConfigRequestOutcome;
  /** The member record to write, when the request changed it. */
  write?: MemberRecord;
  previouslyAuthorized: boolean;
  events: Array<Omit<NewEvent, 'time' | 'actor' | 'networkId' | 'memberAddress'>>;
}

/** Decides a config request against the current records (reads only; the caller writes `write`). */
export async function decideConfigRequest(
  tx: StoreTransaction,
  request: ConfigRequester,
  now: number,
  random: () => number,
  /** The network's effective routes (manual and from IPAM): pool addresses must lie inside one. */
  effectiveRoutes: (network: NetworkRecord) => Promise<ManagedRoute[]> = async (network) => network.routes,
): Promise<ConfigRequestResult> {
  const network = await tx.getNetwork(request.networkId);
  if (!network) return { outcome: { kind: 'not-found' }, events: [], previouslyAuthorized: false };

  const existing = await tx.getMember(request.networkId, request.address);
  const events: ConfigRequestResult['events'] = [];
  let member: MemberRecord;
  if (existing) {
    if (existing.identity !== undefined && existing.identity !== request.identity) {
      return {
        outcome: { kind: 'denied', reason: 'identity-mismatch', member: existing },
        events,
        previouslyAuthorized: existing.authorized,
      };
    }
    member = { ...existing, identity: request.identity };
  } else {
    member = { ...newMember(request.networkId, request.address, now), identity: request.identity };
    events.push({ type: 'member.created', reason: 'first config request from the member', data: {} });
  }

  if (!member.authorized && !network.private) {
    member.authorized = true;
    member.lastAuthorizedTime = now;
    member.lastAuthorizedCredentialType = 'public';
    member.lastAuthorizedCredential = null;
    events.push({
      type: 'member.authorized',
      reason: 'public network: members are authorized on request',
      data: {},
    });
  }

  // Known from the first request, authorized or not: it decides how routes are encoded for it.
  if (request.osArch !== undefined) member.osArch = request.osArch;

  if (member.authorized) {
    if (request.version) {
      member.vMajor = request.version.major;
      member.vMinor = request.version.minor;
      member.vRev = request.version.rev;
      member.vProto = request.version.proto;
    }

    const before = member.ipAssignments;
    await assignAutomaticIps(tx, network, member, random, await effectiveRoutes(network));
    if (member.ipAssignments !== before) {
      events.push({
        type: 'member.ips-changed',
        reason: 'automatic assignment on config request',
        data: { before, after: member.ipAssignments },
      });
    }
  }

  const changed = !existing || !sameRecord(withoutPresence(existing), withoutPresence(member));
  const write = changed ? { ...member, revision: (existing?.revision ?? 0) + 1 } : undefined;
  const current = write ?? member;
  const outcome: ConfigRequestOutcome = current.authorized
    ? { kind: 'authorized', network, member: current }
    : { kind: 'denied', reason: 'not-authorized', member: current };
  return { outcome, write, events, previouslyAuthorized: existing?.authorized ?? false };
}

/** Presence fields change on every request and are written in batches elsewhere. */
function withoutPresence(member: MemberRecord): Omit<MemberRecord, 'lastSeen' | 'physicalAddress'> {
  const { lastSeen: _lastSeen, physicalAddress: _physicalAddress, ...rest } = member;
  return rest;
}
