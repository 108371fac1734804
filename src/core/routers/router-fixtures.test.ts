// Shared by the router tests: builders for rows, router states and policies, and the generators of
// the property tests. Named .test.ts so the build and the lint rules treat it as test code; it holds
// no tests itself.

import fc from 'fast-check';
import {
  DEFAULT_ROUTING_POLICY,
  type Advertisement,
  type RouterHealth,
  type RouterState,
  type RoutingPolicy,
  type SelectionInput,
} from './router-types.ts';

export const P = '192.168.50.0/24';

/** A 10-hex-digit address from a number. */
export const addr = (n: number): string => n.toString(16).padStart(10, '0');

export function row(member: string, prefix: string = P, patch: Partial<Advertisement> = {}): Advertisement {
  return {
    member,
    prefix,
    metric: 100,
    advertised: true,
    approved: true,
    approvedBy: 'api:test',
    slot: 0,
    advertisedAt: 0,
    approvedAt: 0,
    updatedAt: 0,
    ...patch,
  };
}

export function router(
  address: string,
  ip: string | string[],
  patch: Partial<RouterState> = {},
): RouterState {
  return {
    address,
    authorized: true,
    ipAssignments: Array.isArray(ip) ? ip : [ip],
    health: 'healthy',
    healthySince: 0,
    ...patch,
  };
}

export const routerMap = (...list: RouterState[]): Map<string, RouterState> =>
  new Map(list.map((r) => [r.address, r]));

export const policyOf = (patch: Partial<RoutingPolicy> = {}): RoutingPolicy => ({
  ...DEFAULT_ROUTING_POLICY,
  autoApprovers: [],
  ...patch,
});

// ---- generators ----

/** Non-overlapping prefixes, so every target belongs to exactly one advertised prefix. */
export const PREFIXES = ['192.168.50.0/24', '10.20.0.0/16', '172.16.4.0/30', '10.99.9.9/32', 'fd00:50::/64'];

const HEALTHS: RouterHealth[] = ['healthy', 'healthy', 'healthy', 'healthy', 'suspect', 'down', 'draining'];

/** True 9 times in 10: most routers should be usable, so that choices between several are common. */
const mostly = fc.oneof(
  { weight: 9, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);

export const routerArb = (address: string, index: number): fc.Arbitrary<RouterState> => {
  const v4 = `10.147.17.${index + 1}`;
  const v6 = `fd00:147::${index + 1}`;
  return fc.record({
    address: fc.constant(address),
    authorized: mostly,
    // Mostly both families; sometimes one only, rarely none.
    ipAssignments: fc.constantFrom([v4, v6], [v4, v6], [v4, v6], [v4, v6], [v4], [v6], []),
    health: fc.constantFrom(...HEALTHS),
    healthySince: fc.option(fc.integer({ min: 0, max: 100_000 }), { freq: 6 }),
  });
};

export const rowArb = (member: string, prefix: string): fc.Arbitrary<Advertisement> =>
  fc.record({
    member: fc.constant(member),
    prefix: fc.constant(prefix),
    metric: fc.constantFrom(10, 100, 100, 100, 100, 200),
    advertised: mostly,
    approved: mostly,
    approvedBy: fc.constant('api:test'),
    slot: fc.integer({ min: 0, max: 3 }),
    advertisedAt: fc.constant(0),
    approvedAt: fc.constant(0),
    updatedAt: fc.constant(0),
  });

/** A network: up to 5 routers advertising some of PREFIXES, plus up to 30 other members. */
export const selectionArb: fc.Arbitrary<SelectionInput> = fc
  .record({
    routerCount: fc.integer({ min: 1, max: 5 }),
    others: fc.integer({ min: 0, max: 30 }),
    prefixes: fc.subarray(PREFIXES, { minLength: 1 }),
    steering: fc.constantFrom<'primary' | 'spread'>('primary', 'spread'),
    failbackAfter: fc.constantFrom(0, 1000, 30_000),
    now: fc.integer({ min: 0, max: 200_000 }),
  })
  .chain((r) => {
    const routerAddresses = Array.from({ length: r.routerCount }, (_, i) => addr(0xa000 + i));
    const memberAddresses = Array.from({ length: r.others }, (_, i) => addr(0x1000 + i * 7919));
    const rows = r.prefixes.map((prefix) =>
      fc
        .subarray(routerAddresses, { minLength: 1 })
        .chain((advertisers) => fc.tuple(...advertisers.map((m) => rowArb(m, prefix)))),
    );
    return fc.record({
      advertisements: fc.tuple(...rows).map((groups) => groups.flat()),
      routers: fc.tuple(...routerAddresses.map((a, i) => routerArb(a, i))),
      // Routers are usually members too; an unauthorized one is not listed.
      previous: fc.tuple(
        ...r.prefixes.map((prefix) =>
          fc
            .option(fc.constantFrom(...routerAddresses, addr(0xdead)), { freq: 2 })
            .map((p) => [prefix, p] as const),
        ),
      ),
      base: fc.constant(r),
      memberAddresses: fc.constant(memberAddresses),
    });
  })
  .map(({ advertisements, routers, previous, base, memberAddresses }) => ({
    advertisements,
    routers: new Map(routers.map((s) => [s.address, s])),
    members: [...memberAddresses, ...routers.filter((s) => s.authorized).map((s) => s.address)],
    policy: policyOf({ steering: base.steering, failbackAfter: base.failbackAfter }),
    previous: new Map(previous.filter((e): e is readonly [string, string] => e[1] !== null)),
    now: base.now,
  }));

/** A deterministic permutation (fast-check gives the seed, so failures replay). */
export function shuffle<T>(list: readonly T[], seed: number): T[] {
  return list
    .map((item, i) => ({ item, k: (i * 7919 + seed * 104729) % 1000003 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.item);
}
