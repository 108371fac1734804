// Which addresses a member receives under the netconf `I` key, with which prefix length, in the
// stock order (EmbeddedNetworkController::_request): the rfc4193 and 6plane addresses first (when
// the network enables them and the member allows auto-assignment), then each `ipAssignments` entry
// that lies inside a route target, with the longest such target's length. Stock silently skips the
// rest; we return them as `unsent` so the caller can say so.
import { formatIp, parseIp, type IpFamily } from '../../core/cidr/ip.ts';
import { isPrefixError, parsePrefix, prefixContainsIp, type Prefix } from '../../core/cidr/prefix.ts';
import { rfc4193Address, sixPlaneAddress } from '../../core/member/v6-auto-address.ts';
import type { MemberRecord } from '../../core/member/member-types.ts';
import { ZT_MAX_ZT_ASSIGNED_ADDRESSES } from '../../core/network/limits.ts';
import type { ManagedRoute, NetworkRecord } from '../../core/network/network-types.ts';

export type StaticIpSource = 'rfc4193' | '6plane' | 'assigned';

export interface StaticIp {
  family: IpFamily;
  /** Canonical address text, without the length. */
  ip: string;
  /** Prefix length the member configures (sent as the InetAddress "port"). */
  bits: number;
  source: StaticIpSource;
}

export interface UnsentIp {
  ip: string;
  reason: 'outside-routes' | 'over-limit' | 'invalid';
}

export interface StaticIpPlan {
  staticIps: StaticIp[];
  unsent: UnsentIp[];
  /** True when an rfc4193 or 6plane address is sent: the config then enables NDP emulation. */
  ndpEmulation: boolean;
}

function splitCidr(cidr: string, source: StaticIpSource): StaticIp {
  const [ip = '', bits = ''] = cidr.split('/');
  const parsed = parseIp(ip);
  if (parsed === undefined) throw new Error(`not an address: ${cidr}`);
  return { family: parsed.family, ip, bits: Number(bits), source };
}

export function planStaticIps(
  network: Pick<NetworkRecord, 'id' | 'v6AssignMode'>,
  member: Pick<MemberRecord, 'address' | 'ipAssignments' | 'noAutoAssignIps'>,
  routes: readonly ManagedRoute[],
): StaticIpPlan {
  const staticIps: StaticIp[] = [];
  const unsent: UnsentIp[] = [];
  let ndpEmulation = false;

  if (!member.noAutoAssignIps) {
    if (network.v6AssignMode.rfc4193 && staticIps.length < ZT_MAX_ZT_ASSIGNED_ADDRESSES) {
      staticIps.push(splitCidr(rfc4193Address(network.id, member.address), 'rfc4193'));
      ndpEmulation = true;
    }
    if (network.v6AssignMode['6plane'] && staticIps.length < ZT_MAX_ZT_ASSIGNED_ADDRESSES) {
      staticIps.push(splitCidr(sixPlaneAddress(network.id, member.address), '6plane'));
      ndpEmulation = true;
    }
  }

  const targets: Prefix[] = [];
  for (const route of routes) {
    const prefix = parsePrefix(route.target);
    if (!isPrefixError(prefix)) targets.push(prefix);
  }

  for (const text of member.ipAssignments) {
    const ip = parseIp(text);
    if (ip === undefined) {
      unsent.push({ ip: text, reason: 'invalid' });
      continue;
    }
    let bits = -1;
    for (const target of targets) {
      if (target.bits > bits && prefixContainsIp(target, ip.family, ip.value)) bits = target.bits;
    }
    if (bits < 0) unsent.push({ ip: text, reason: 'outside-routes' });
    else if (staticIps.length >= ZT_MAX_ZT_ASSIGNED_ADDRESSES)
      unsent.push({ ip: text, reason: 'over-limit' });
    else staticIps.push({ family: ip.family, ip: formatIp(ip.family, ip.value), bits, source: 'assigned' });
  }
  return { staticIps, unsent, ndpEmulation };
}
