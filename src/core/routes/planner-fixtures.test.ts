// Shared by the planner tests: input generators, a plan snapshot for comparisons, and address-set
// and forwarding oracles built on plain bigint interval arithmetic. Named .test.ts so the build and
// the lint rules treat it as test code; it holds no tests itself.

import fc from 'fast-check';
import { familyBits, formatIp, parseIp, type IpFamily } from '../cidr/ip.ts';
import { mergeIntervals, type Interval } from '../cidr/address-ranges.ts';
import {
  formatPrefix,
  maskIp,
  parsePrefix,
  prefixContainsIp,
  prefixLast,
  type Prefix,
} from '../cidr/prefix.ts';
import type { IpamSubnet } from '../ipam/ipam-types.ts';
import { applyIpamPlan } from '../ipam/ipam-plan.ts';
import { planSubnetInsert } from '../ipam/subnet-insert.ts';
import type { PlannerChange } from './route-planner.ts';
import type { AdvertisedRoute, PlannedRoute, PlannerInput, PlannerMember, RoutePlan } from './route-types.ts';

export function prefixOf(text: string): Prefix {
  const p = parsePrefix(text);
  if ('error' in p) throw new Error(p.error);
  return p;
}

export function ipOf(text: string): { family: IpFamily; value: bigint } {
  const ip = parseIp(text);
  if (!ip) throw new Error(`bad ip ${text}`);
  return ip;
}

// A small space (10.0.0.0/20 and fd00::/116) so that routes, subnets and member IPs collide often.
const v4Base = 0x0a000000n;
const v6Base = 0xfd00n << 112n;

const v4Prefix = fc
  .tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 20, max: 30 }))
  .map(([n, bits]) => formatPrefix({ family: 4, value: maskIp(4, v4Base | BigInt(n), bits), bits }));
const v6Prefix = fc
  .tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 116, max: 126 }))
  .map(([n, bits]) => formatPrefix({ family: 6, value: maskIp(6, v6Base | BigInt(n), bits), bits }));
export const prefixArb = fc.oneof({ weight: 4, arbitrary: v4Prefix }, { weight: 1, arbitrary: v6Prefix });

/** A run of 1..6 consecutive equal-size prefixes, so that siblings (and aggregation) are common. */
export const blockArb: fc.Arbitrary<string[]> = fc
  .tuple(prefixArb, fc.integer({ min: 1, max: 6 }))
  .map(([first, count]) => {
    const p = prefixOf(first);
    const step = 1n << BigInt(familyBits(p.family) - p.bits);
    const out: string[] = [];
    for (let i = 0n; i < BigInt(count); i++) {
      const value = p.value + i * step;
      if (value > prefixLast({ ...p, bits: 0 })) break;
      out.push(formatPrefix({ ...p, value }));
    }
    return out;
  });
const prefixesArb = (maxBlocks: number) =>
  fc.array(blockArb, { maxLength: maxBlocks }).map((blocks) => blocks.flat());

const v4Ip = fc.integer({ min: 0, max: 0xfff }).map((n) => formatIp(4, v4Base | BigInt(n)));
const v6Ip = fc.integer({ min: 0, max: 0xfff }).map((n) => formatIp(6, v6Base | BigInt(n)));
export const ipArb = fc.oneof({ weight: 4, arbitrary: v4Ip }, { weight: 1, arbitrary: v6Ip });

/** An IP of the prefix's family (in the small space), so vias are valid. */
const viaFor = (prefix: string) => (prefix.includes(':') ? v6Ip : v4Ip);

const addressArb = fc.integer({ min: 1, max: 40 }).map((n) => n.toString(16).padStart(10, '0'));

export const memberArb: fc.Arbitrary<PlannerMember> = fc.record({
  address: addressArb,
  authorized: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  ipAssignments: fc.array(ipArb, { maxLength: 3 }),
});

export function ipamFrom(prefixes: string[]): IpamSubnet[] {
  let subnets: IpamSubnet[] = [];
  [...new Set(prefixes)].forEach((prefix, i) => {
    subnets = applyIpamPlan(subnets, planSubnetInsert(subnets, { id: `s${i}`, prefix, name: `n${i}` }));
  });
  return subnets;
}

/** A block of advertised prefixes from one router to one audience. */
const advertisedArb = (addresses: string[]): fc.Arbitrary<AdvertisedRoute[]> =>
  blockArb.chain((prefixes) =>
    fc
      .record({
        via: viaFor(prefixes[0]!),
        owner: fc.constantFrom('r1', 'r2'),
        forMembers: fc.oneof(fc.constant<'all' | string[]>('all'), fc.subarray(addresses)),
      })
      .map((a) => prefixes.map((prefix) => ({ prefix, ...a }))),
  );
const advertisedListArb = (addresses: string[], maxBlocks: number) =>
  fc.array(advertisedArb(addresses), { maxLength: maxBlocks }).map((blocks) => blocks.flat());

export const inputArb: fc.Arbitrary<PlannerInput> = fc
  .record({
    ipamPrefixes: prefixesArb(5),
    manual: fc
      .array(
        blockArb.chain((targets) =>
          fc
            .option(viaFor(targets[0]!), { freq: 3 })
            .map((via) => targets.map((target) => ({ target, via }))),
        ),
        { maxLength: 3 },
      )
      .map((blocks) => blocks.flat()),
    members: fc.uniqueArray(memberArb, { maxLength: 12, selector: (m) => m.address }),
    pickSubnet: fc.nat(),
    routesFromIpam: fc.boolean(),
    useGateway: fc.boolean(),
    gatewayLow: fc.nat(),
    strategy: fc.constantFrom<'error' | 'aggregate'>('error', 'aggregate'),
    limit: fc.integer({ min: 2, max: 24 }),
  })
  .chain((r) =>
    advertisedListArb(
      r.members.map((m) => m.address),
      3,
    ).map((advertised): PlannerInput => {
      const ipam = ipamFrom(r.ipamPrefixes);
      const subnet = ipam.length === 0 ? null : ipam[r.pickSubnet % ipam.length]!;
      let gateway: string | null = null;
      if (subnet && r.useGateway) {
        const p = prefixOf(subnet.prefix);
        const span = prefixLast(p) - p.value + 1n;
        gateway = formatIp(p.family, p.value + (BigInt(r.gatewayLow) % span));
      }
      return {
        network: {
          id: '8056c2e21c000001',
          manualRoutes: r.manual.map((m) => ({ target: m.target, via: m.via })),
          ipamSubnet: subnet?.prefix ?? null,
          routesFromIpam: r.routesFromIpam,
          ipamGateway: gateway,
          routeLimitStrategy: r.strategy,
        },
        ipam,
        members: r.members,
        advertised,
        limit: r.limit,
      };
    }),
  );

/** A change the incremental planner must handle exactly like a fresh plan of the changed input. */
export const changeArb = (input: PlannerInput): fc.Arbitrary<PlannerChange> => {
  const addresses = input.members.map((m) => m.address);
  return fc.oneof(
    fc.record({ upsertMembers: fc.array(memberArb, { minLength: 1, maxLength: 2 }) }),
    fc.record({ removeMembers: fc.subarray([...addresses, '00000000ff'], { minLength: 1 }) }),
    fc.record({
      removeMembers: fc.subarray(addresses),
      upsertMembers: fc.array(memberArb, { minLength: 1, maxLength: 2 }),
    }),
    fc.record({
      network: fc.record(
        {
          routesFromIpam: fc.boolean(),
          routeLimitStrategy: fc.constantFrom<'error' | 'aggregate'>('error', 'aggregate'),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.record({
      network: fc.record({
        manualRoutes: fc.array(
          prefixArb.map((target) => ({ target, via: null })),
          { maxLength: 4 },
        ),
      }),
    }),
    fc.record({
      ipam: prefixesArb(2).map((extra) => ipamFrom([...input.ipam.map((s) => s.prefix), ...extra])),
    }),
    fc.record({ advertised: advertisedListArb(addresses, 3) }),
    // Same routes, other audiences: the planner re-classes only the members that moved.
    fc.record({
      advertised: fc.tuple(
        ...input.advertised.map((a) =>
          Array.isArray(a.forMembers)
            ? fc
                .subarray([...addresses, '00000000fe'], { minLength: 1 })
                .map((list) => ({ ...a, forMembers: list }))
            : fc.constant(a),
        ),
      ),
    }),
    fc.record({ limit: fc.integer({ min: 2, max: 20 }) }),
  );
};

/** The input a change produces (members removed first, then upserted by address). */
export function applyChange(input: PlannerInput, change: PlannerChange): PlannerInput {
  const removed = new Set(change.removeMembers ?? []);
  const members = input.members.filter((m) => !removed.has(m.address));
  for (const m of change.upsertMembers ?? []) {
    const i = members.findIndex((x) => x.address === m.address);
    if (i >= 0) members[i] = m;
    else members.push(m);
  }
  return {
    network: { ...input.network, ...change.network },
    ipam: change.ipam ?? input.ipam,
    members,
    advertised: change.advertised ?? input.advertised,
    limit: change.limit ?? input.limit,
  };
}

/** Outcome of planning: the thrown error's code and message, or a plan. */
export function attempt<T>(
  fn: () => T,
): { ok: true; value: T } | { ok: false; code: string; message: string } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    const e = error as { code?: string; message: string };
    return { ok: false, code: e.code ?? 'THROWN', message: e.message };
  }
}

/** Everything observable in a plan, for the given member addresses plus one stranger. */
export function snapshot(plan: RoutePlan, addresses: Iterable<string>) {
  const members: Record<string, PlannedRoute[] | string> = {};
  for (const address of [...new Set(addresses), 'ffffffffff'].sort()) {
    const got = attempt(() => plan.routesFor(address));
    members[address] = got.ok ? got.value : `${got.code}: ${got.message}`;
  }
  return {
    networkRoutes: plan.networkRoutes,
    problems: plan.problems,
    aggregated: plan.aggregated,
    limit: plan.limit,
    members,
  };
}

/** Address sets per via (key: via or '-') as merged intervals per family. */
export function coverageByVia(
  routes: readonly PlannedRoute[],
): Map<string, { 4: Interval[]; 6: Interval[] }> {
  const raw = new Map<string, { 4: Interval[]; 6: Interval[] }>();
  for (const r of routes) {
    const p = prefixOf(r.target);
    const key = r.via ?? '-';
    const entry = raw.get(key) ?? { 4: [], 6: [] };
    entry[p.family].push({ first: p.value, last: prefixLast(p) });
    raw.set(key, entry);
  }
  const out = new Map<string, { 4: Interval[]; 6: Interval[] }>();
  for (const [key, v] of [...raw].sort(([a], [b]) => (a < b ? -1 : 1)))
    out.set(key, { 4: mergeIntervals(v[4]), 6: mergeIntervals(v[6]) });
  return out;
}

/**
 * Where each address goes: the via of the longest route containing it (the first one when equal
 * targets repeat, as ZeroTier installs only the first), evaluated on every interval boundary.
 */
export function forwarding(routes: readonly PlannedRoute[], probes: readonly PlannedRoute[]): string[] {
  const points = new Set<string>();
  for (const r of [...routes, ...probes]) {
    const p = prefixOf(r.target);
    points.add(`${p.family}:${p.value}`);
    if (prefixLast(p) < (1n << BigInt(familyBits(p.family))) - 1n)
      points.add(`${p.family}:${prefixLast(p) + 1n}`);
  }
  const parsed = routes.map((r) => ({ r, p: prefixOf(r.target) }));
  return [...points].sort().map((point) => {
    const [f, v] = point.split(':');
    const family = Number(f) as IpFamily;
    const value = BigInt(v!);
    let best: { r: PlannedRoute; p: Prefix } | undefined;
    for (const x of parsed) {
      if (prefixContainsIp(x.p, family, value) && (!best || x.p.bits > best.p.bits)) best = x;
    }
    return `${point}→${best ? (best.r.via ?? '-') : 'none'}`;
  });
}

export const canonicalIp = (text: string) => {
  const ip = parseIp(text);
  return ip ? formatIp(ip.family, ip.value) : text;
};
