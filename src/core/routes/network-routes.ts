// Manual and IPAM routes of a network. Manual routes are kept as written (canonicalised). IPAM:
// off, the network's subnet is one route (today's behaviour); on, the subnet is the parent route
// (via `ipamGateway` when set) plus one route per *direct* child subnet. Deeper descendants add no
// route: their addresses already lie in their child's route on the same interface, so they would
// only spend the 128-route budget without changing where any packet goes.

import { ErrorCodes, invalidField, RpError } from '../errors.ts';
import { parseIp, type ParsedIp } from '../cidr/ip.ts';
import {
  formatPrefix,
  isPrefixError,
  parsePrefix,
  prefixContainsIp,
  prefixContainsPrefix,
  type Prefix,
} from '../cidr/prefix.ts';
import { comparePrefixes } from '../cidr/prefix-order.ts';
import type { IpamSubnet } from '../ipam/ipam-types.ts';
import { makeRoute, type RouteItem } from './route-item.ts';
import type { PlannerNetwork, PlanProblem } from './route-types.ts';

export interface NetworkRoutes {
  manual: RouteItem[];
  ipam: RouteItem[];
  problems: PlanProblem[];
}

function mustPrefix(text: unknown, field: string): Prefix {
  if (typeof text !== 'string') throw invalidField(field, 'expected a CIDR string');
  const p = parsePrefix(text);
  if (isPrefixError(p)) throw invalidField(field, p.error);
  return p;
}

/** A via: null, or an IP of the target's family. */
export function parseVia(via: unknown, target: Prefix, field: string): ParsedIp | null {
  if (via === null || via === undefined || via === '') return null;
  const ip = typeof via === 'string' ? parseIp(via) : undefined;
  if (!ip) throw invalidField(field, `${JSON.stringify(via)} is not an IP address`);
  if (ip.family !== target.family) {
    throw invalidField(field, `${via} is IPv${ip.family} but ${formatPrefix(target)} is IPv${target.family}`);
  }
  return ip;
}

function ipamRoutes(
  network: PlannerNetwork,
  ipam: readonly IpamSubnet[],
  problems: PlanProblem[],
): RouteItem[] {
  if (network.ipamSubnet === null) {
    if (network.routesFromIpam) {
      problems.push({
        code: 'IPAM_SUBNET_MISSING',
        message: 'routesFromIpam is on but the network has no ipamSubnet',
      });
    }
    return [];
  }
  const subnet = mustPrefix(network.ipamSubnet, 'ipamSubnet');
  const text = formatPrefix(subnet);
  const root = ipam.find((s) => s.prefix === text);
  const owner = root?.id ?? null;
  let gateway: ParsedIp | null = null;
  if (network.ipamGateway !== null && network.ipamGateway !== '') {
    gateway = parseVia(network.ipamGateway, subnet, 'ipamGateway');
    if (gateway && !prefixContainsIp(subnet, gateway.family, gateway.value)) {
      throw invalidField(
        'ipamGateway',
        `${network.ipamGateway} is outside the network's IPAM subnet ${text}`,
      );
    }
  }
  if (!network.routesFromIpam) {
    if (gateway) {
      problems.push({
        code: 'IPAM_GATEWAY_UNUSED',
        message: `ipamGateway ${network.ipamGateway} is used only when routesFromIpam is on; ${text} is pushed without a via`,
      });
    }
    return [makeRoute(subnet, null, 'ipam', owner)];
  }
  if (!root) {
    problems.push({
      code: 'IPAM_SUBNET_UNKNOWN',
      message: `ipamSubnet ${text} is not an IPAM subnet, so it has no child subnets to route`,
    });
    return [makeRoute(subnet, gateway, 'ipam', owner)];
  }
  const children: Prefix[] = [];
  for (const s of ipam) {
    if (s.parentId !== root.id) continue;
    const p = parsePrefix(s.prefix);
    if (isPrefixError(p) || p.bits <= subnet.bits || !prefixContainsPrefix(subnet, p)) {
      throw new RpError(
        ErrorCodes.INTERNAL,
        `stored IPAM subnet ${s.id} (${s.prefix}) is not a valid child of ${text}`,
      );
    }
    children.push(p);
  }
  children.sort(comparePrefixes);
  if (gateway) {
    // zerotier-one (Linux) installs a route via a gateway only when the gateway lies in the member's
    // own subnet (test/interop/FINDINGS.md §5): say who will and will not use the parent route.
    const holder = children.find((c) => prefixContainsIp(c, gateway.family, gateway.value));
    const others = children.filter((c) => c !== holder).map(formatPrefix);
    if (others.length > 0) {
      problems.push({
        code: 'IPAM_GATEWAY_OFF_LINK',
        message:
          `ipamGateway ${network.ipamGateway} is not inside ${others.length === 1 ? 'child subnet' : 'child subnets'} ` +
          `${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}: members there ` +
          `will not install the parent route via it (a client installs a gateway route only when the gateway is in its own subnet); ` +
          `they reach the rest of ${text} through the on-link child routes`,
      });
    }
  }
  return [
    makeRoute(subnet, gateway, 'ipam', owner),
    ...children.map((p) => makeRoute(p, null, 'ipam', owner)),
  ];
}

export function networkRoutes(network: PlannerNetwork, ipam: readonly IpamSubnet[]): NetworkRoutes {
  const problems: PlanProblem[] = [];
  const manual = network.manualRoutes.map((r, i) => {
    const target = mustPrefix(r.target, `routes[${i}].target`);
    return makeRoute(target, parseVia(r.via, target, `routes[${i}].via`), 'manual', null);
  });
  return { manual, ipam: ipamRoutes(network, ipam, problems), problems };
}
