// Builds the network config Dictionary a member receives, key for key and byte for byte as the
// stock controller (EmbeddedNetworkController::_request + NetworkConfig::toDictionary) would for
// the same inputs. Everything that needs the store (IP auto-assignment, route planning, deciding
// who is authorized) happens before: this is a pure function of its input, apart from signing.
import { isPrefixError, parsePrefix } from '../../core/cidr/prefix.ts';
import { parseIp } from '../../core/cidr/ip.ts';
import type { MemberRecord } from '../../core/member/member-types.ts';
import {
  CREDENTIAL_WINDOW_MAX_MS,
  CREDENTIAL_WINDOW_MIN_MS,
  ZT_MAX_DNS_DOMAIN_BYTES,
  ZT_MAX_DNS_SERVERS,
  ZT_MAX_MTU,
  ZT_MAX_NETWORK_CAPABILITIES,
  ZT_MAX_NETWORK_NAME_BYTES,
  ZT_MAX_NETWORK_ROUTES,
  ZT_MAX_NETWORK_RULES,
  ZT_MAX_NETWORK_TAGS,
  ZT_MIN_MTU,
} from '../../core/network/limits.ts';
import type { FlowRule, ManagedRoute, NetworkRecord } from '../../core/network/network-types.ts';
import { Dictionary } from '../dictionary.ts';
import type { Identity } from '../identity.ts';
import { encodeInetAddress, type InetAddress } from '../inet-address.ts';
import { encodeCapability, issueCapability } from './capability-credential.ts';
import { encodeCom, issueCom } from './certificate-of-membership.ts';
import { COO_MAX_THINGS, createCoo, encodeCoo, signCoo } from './certificate-of-ownership.ts';
import type { CredentialCache, CredentialKind } from './credential-cache.ts';
import { encodeRules } from './rules-wire.ts';
import { planStaticIps, type StaticIp, type UnsentIp } from './static-ips.ts';
import { encodeTag, issueTag } from './tag-credential.ts';
import { WireWriter } from './wire-buffer.ts';

/** ZT_NETWORKCONFIG_VERSION: what the `v` key says. */
export const NETWORK_CONFIG_VERSION = 7;
export const DEFAULT_CREDENTIAL_WINDOW_MS = 30 * 60 * 1000;
export const CONFIG_FLAG_ENABLE_BROADCAST = 0x2;
export const CONFIG_FLAG_ENABLE_IPV6_NDP_EMULATION = 0x4;
export const SPECIALIST_ACTIVE_BRIDGE = 0x0000020000000000n;
export const NETWORK_TYPE_PRIVATE = 0;
export const NETWORK_TYPE_PUBLIC = 1;
const DNS_DOMAIN_FIELD = 128;

export interface NetworkConfigInput {
  network: NetworkRecord;
  member: MemberRecord;
  memberIdentity: Identity;
  /** The controller's identity, with its private key (it signs the credentials). */
  controller: Identity;
  /** ms; also the timestamp of every credential in the config */
  now: number;
  /** The routes this member receives (at most 128; the caller decides which). */
  routes: readonly ManagedRoute[];
  /**
   * The routes whose targets give assigned IPs their prefix length (default `routes`). Stock uses all
   * of the network's routes, so a gateway still gets its address when the only route holding it is
   * one via itself, which it is not sent.
   */
  addressRoutes?: readonly ManagedRoute[];
  /** Addresses of the network's active bridges (the `S` specialists). */
  activeBridges: readonly string[];
  /** Request metadata `revr` != 0; false → rules become a single ACCEPT, no tags/capabilities. */
  rulesEngineSupported: boolean;
  /** Id of the certificate of ownership; stock always uses 1. */
  cooId?: number;
  /** With `network.ssoEnabled`: the URL sent as `aurl` (stock leaves it out when empty). */
  ssoAuthenticationUrl?: string;
  /** Reuse young signed credentials of this member (see credential-cache.ts); none: sign them all. */
  credentials?: CredentialCache;
}

export interface NetworkConfigPlan {
  dictionary: Dictionary;
  staticIps: StaticIp[];
  /** `ipAssignments` entries not sent (outside every route, over the 32-address limit, malformed). */
  unsent: UnsentIp[];
  /** Static IPs beyond the 16 a certificate of ownership can hold (sent in `I`, not certified). */
  uncertified: StaticIp[];
  /** Capability ids the member holds that the network does not define (stock skips them). */
  unknownCapabilities: number[];
}

export function buildNetworkConfig(input: NetworkConfigInput): Dictionary {
  return planNetworkConfig(input).dictionary;
}

/** buildNetworkConfig with the side notes a caller should log or report. */
export function planNetworkConfig(input: NetworkConfigInput): NetworkConfigPlan {
  const { network, member, memberIdentity, controller, now } = input;
  checkInput(input);
  const nwid = network.id;
  const ctmd = credentialWindow(network);
  const { staticIps, unsent, ndpEmulation } = planStaticIps(
    network,
    member,
    input.addressRoutes ?? input.routes,
  );

  let flags = 0;
  if (network.enableBroadcast) flags |= CONFIG_FLAG_ENABLE_BROADCAST;
  if (ndpEmulation) flags |= CONFIG_FLAG_ENABLE_IPV6_NDP_EMULATION;
  const trace = remoteTrace(network, member);

  const d = new Dictionary();
  d.setUint64('v', NETWORK_CONFIG_VERSION);
  d.setUint64('nwid', BigInt(`0x${nwid}`));
  d.setUint64('ts', now);
  d.setUint64('ctmd', ctmd);
  d.setUint64('r', network.revision);
  d.set('id', member.address);
  d.set('tt', trace.target);
  d.setUint64('tl', trace.level);
  d.setUint64('f', flags);
  d.setUint64('ml', network.multicastLimit);
  d.setUint64('t', network.private ? NETWORK_TYPE_PRIVATE : NETWORK_TYPE_PUBLIC);
  d.set('n', truncateUtf8(network.name, ZT_MAX_NETWORK_NAME_BYTES));
  d.setUint64('mtu', Math.min(Math.max(network.mtu, ZT_MIN_MTU), ZT_MAX_MTU));

  // Every content key starts with the member revision: deauthorizing (and any other change to the
  // record) bumps it, so no credential issued before a revocation is handed out after it.
  const credential = (kind: CredentialKind, contentKey: string, issue: (timestamp: number) => Uint8Array) =>
    input.credentials
      ? input.credentials.credential(
          `${nwid}/${member.address}`,
          kind,
          `${member.revision}/${contentKey}`,
          now,
          ctmd,
          issue,
        )
      : issue(now);

  d.set(
    'C',
    credential('com', `${ctmd}/${memberIdentity.toString(false)}`, (timestamp) =>
      encodeCom(
        issueCom({
          timestamp,
          maxDelta: ctmd,
          networkId: nwid,
          issuedTo: memberIdentity,
          signer: controller,
        }),
      ),
    ),
  );

  const rules: readonly FlowRule[] = input.rulesEngineSupported
    ? network.rules
    : [{ type: 'ACTION_ACCEPT', not: false, or: false }];
  const unknownCapabilities: number[] = [];
  if (input.rulesEngineSupported) {
    const held: NetworkRecord['capabilities'] = [];
    for (const capId of member.capabilities) {
      const cap = network.capabilities.find((c) => c.id === capId);
      if (cap === undefined) unknownCapabilities.push(capId);
      else if (held.length >= ZT_MAX_NETWORK_CAPABILITIES) break;
      else held.push(cap);
    }
    if (held.length > 0) {
      d.set(
        'CAP',
        credential('cap', JSON.stringify(held), (timestamp) => {
          const caps = new WireWriter();
          for (const cap of held) {
            const issued = issueCapability({
              networkId: nwid,
              timestamp,
              id: cap.id,
              rules: cap.rules,
              issuedTo: member.address,
              signer: controller,
            });
            encodeCapability(issued, caps);
          }
          return caps.finish();
        }),
      );
    }

    const tagValues = effectiveMemberTags(network, member).slice(0, ZT_MAX_NETWORK_TAGS);
    if (tagValues.length > 0) {
      d.set(
        'TAG',
        credential('tag', tagValues.join(';'), (timestamp) => {
          const tags = new WireWriter();
          for (const [id, value] of tagValues) {
            encodeTag(
              issueTag({
                networkId: nwid,
                timestamp,
                issuedTo: member.address,
                id,
                value,
                signer: controller,
              }),
              tags,
            );
          }
          return tags.finish();
        }),
      );
    }
  }

  const certified = staticIps.slice(0, COO_MAX_THINGS);
  if (certified.length > 0) {
    const cooId = input.cooId ?? 1;
    const ips = certified.map((s) => s.ip);
    d.set(
      'COO',
      credential('coo', `${cooId}/${ips.join(',')}`, (timestamp) =>
        encodeCoo(
          signCoo(
            createCoo({ networkId: nwid, timestamp, issuedTo: member.address, id: cooId, ips }),
            controller,
          ),
        ),
      ),
    );
  }

  const specialists = new WireWriter();
  for (const value of specialistValues(input.activeBridges)) specialists.u64(value);
  if (specialists.size > 0) d.set('S', specialists.finish());

  if (input.routes.length > 0) d.set('RT', encodeRoutes(input.routes));
  if (staticIps.length > 0) d.set('I', encodeStaticIps(staticIps));
  if (rules.length > 0) d.set('R', encodeRules(rules));
  d.set('DNS', encodeDns(network));

  // ssoVersion 0 is all a file-backed stock controller ever sends.
  d.setUint64('ssov', 0);
  d.setBoolean('ssoe', network.ssoEnabled);
  if (network.ssoEnabled) {
    if (input.ssoAuthenticationUrl) d.set('aurl', input.ssoAuthenticationUrl);
    d.setUint64('aexpt', member.authenticationExpiryTime);
  }

  return {
    dictionary: d,
    staticIps,
    unsent,
    uncertified: staticIps.slice(COO_MAX_THINGS),
    unknownCapabilities,
  };
}

function checkInput(input: NetworkConfigInput): void {
  const { network, member, memberIdentity, controller } = input;
  if (member.networkId !== network.id)
    throw new Error(`member ${member.address} belongs to ${member.networkId}, not ${network.id}`);
  if (memberIdentity.address !== member.address) {
    throw new Error(`member identity ${memberIdentity.address} does not belong to member ${member.address}`);
  }
  if (!network.id.startsWith(controller.address))
    throw new Error(`controller ${controller.address} does not own network ${network.id}`);
  if (!controller.hasPrivate())
    throw new Error('the controller identity needs its private key to sign the config');
  // Stock drops routes past 128 silently; a member must never get a silently shortened table.
  if (input.routes.length > ZT_MAX_NETWORK_ROUTES) {
    throw new Error(
      `${input.routes.length} routes for member ${member.address}; ZeroTier allows at most ${ZT_MAX_NETWORK_ROUTES}`,
    );
  }
  if (network.rules.length > ZT_MAX_NETWORK_RULES) throw new Error(`more than ${ZT_MAX_NETWORK_RULES} rules`);
}

/** ctmd: the network's certificateTimeoutWindowSize (default 30 min) clamped to 5 min .. 2 h. */
export function credentialWindow(network: Pick<NetworkRecord, 'certificateTimeoutWindowSize'>): number {
  const ms = network.certificateTimeoutWindowSize ?? DEFAULT_CREDENTIAL_WINDOW_MS;
  return Math.min(Math.max(ms, CREDENTIAL_WINDOW_MIN_MS), CREDENTIAL_WINDOW_MAX_MS);
}

/** The member's own trace target wins (with its level); otherwise the network's. */
function remoteTrace(network: NetworkRecord, member: MemberRecord): { target: string; level: number } {
  if (member.remoteTraceTarget?.length === 10)
    return { target: member.remoteTraceTarget, level: member.remoteTraceLevel };
  const target = network.remoteTraceTarget?.length === 10 ? network.remoteTraceTarget : '0000000000';
  return { target, level: network.remoteTraceLevel };
}

/**
 * The (id, value) tags a member is issued, ordered by id: its own, plus the network's default for
 * every tag it lacks (stock also stores those defaults back into the member).
 */
export function effectiveMemberTags(
  network: Pick<NetworkRecord, 'tags'>,
  member: Pick<MemberRecord, 'tags'>,
): [number, number][] {
  const byId = new Map<number, number>();
  for (const [id, value] of member.tags) byId.set(id >>> 0, value >>> 0);
  for (const tag of network.tags) {
    if (tag.default !== null && !byId.has(tag.id)) byId.set(tag.id >>> 0, tag.default >>> 0);
  }
  return [...byId.entries()].sort((a, b) => a[0] - b[0]);
}

/** One 64-bit specialist per address (type bits | address), duplicates merged as stock does. */
function specialistValues(activeBridges: readonly string[]): bigint[] {
  const values: bigint[] = [];
  for (const address of activeBridges) {
    if (!/^[0-9a-f]{10}$/.test(address))
      throw new Error(`active bridge "${address}" is not a ZeroTier address`);
    const a = BigInt(`0x${address}`);
    const i = values.findIndex((v) => (v & 0xffffffffffn) === a);
    if (i >= 0) values[i] = values[i]! | SPECIALIST_ACTIVE_BRIDGE;
    else values.push(SPECIALIST_ACTIVE_BRIDGE | a);
  }
  return values;
}

/** `RT`: per route `<target, port = bits><via or nil><2 flags = 0><2 metric = 0>`. */
export function encodeRoutes(routes: readonly ManagedRoute[]): Uint8Array {
  const w = new WireWriter();
  for (const route of routes) {
    const target = parsePrefix(route.target);
    if (isPrefixError(target)) throw new Error(`route target: ${target.error}`);
    const [ip = ''] = route.target.split('/');
    w.bytes(encodeInetAddress({ family: target.family, ip, port: target.bits }));
    // A via of the other family is dropped, as stock does.
    const via = route.via === null ? undefined : parseIp(route.via);
    const viaAddress: InetAddress | null =
      via !== undefined && via.family === target.family && route.via !== null
        ? { family: via.family, ip: route.via, port: 0 }
        : null;
    w.bytes(encodeInetAddress(viaAddress)).u16(0).u16(0);
  }
  return w.finish();
}

/** `I`: each address with its prefix length in the port field. */
export function encodeStaticIps(ips: readonly StaticIp[]): Uint8Array {
  const w = new WireWriter();
  for (const s of ips) w.bytes(encodeInetAddress({ family: s.family, ip: s.ip, port: s.bits }));
  return w.finish();
}

/** `DNS`: the domain NUL-padded to 128 bytes, then exactly 4 addresses (nil for unused). */
export function encodeDns(network: Pick<NetworkRecord, 'dns'>): Uint8Array {
  const dns = Array.isArray(network.dns) ? { domain: '', servers: [] } : network.dns;
  const domain = new TextEncoder().encode(dns.domain);
  if (domain.length > ZT_MAX_DNS_DOMAIN_BYTES) {
    throw new Error(`DNS domain is ${domain.length} bytes; at most ${ZT_MAX_DNS_DOMAIN_BYTES} fit`);
  }
  const w = new WireWriter().bytes(domain).zeros(DNS_DOMAIN_FIELD - domain.length);
  for (let i = 0; i < ZT_MAX_DNS_SERVERS; i++) {
    const server = dns.servers[i];
    const ip = server === undefined ? undefined : parseIp(server);
    w.bytes(
      encodeInetAddress(
        ip === undefined || server === undefined ? null : { family: ip.family, ip: server, port: 0 },
      ),
    );
  }
  return w.finish();
}

function truncateUtf8(text: string, maxBytes: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  return bytes.length <= maxBytes ? bytes : bytes.slice(0, maxBytes);
}
