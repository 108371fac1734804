import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, RpError } from '../errors.ts';
import { planRoutes } from '../routes/route-planner.ts';
import { selectRouters } from './router-selection.ts';
import type { Advertisement, RouterState, RoutingPolicy, SelectionInput } from './router-types.ts';
import { P, addr, policyOf, router, routerMap, row } from './router-fixtures.test.ts';

const A = 'aaaaaaaaaa';
const B = 'bbbbbbbbbb';
const C = 'cccccccccc';
const M1 = '1111111111';
const M2 = '2222222222';
const NOW = 100_000;

const rA = (patch: Partial<RouterState> = {}) => router(A, '10.147.17.1', patch);
const rB = (patch: Partial<RouterState> = {}) => router(B, '10.147.17.2', patch);
const rC = (patch: Partial<RouterState> = {}) => router(C, '10.147.17.3', patch);

function select(
  advertisements: Advertisement[],
  routers: RouterState[],
  patch: Partial<Omit<SelectionInput, 'policy'>> & { policy?: Partial<RoutingPolicy> } = {},
) {
  return selectRouters({
    advertisements,
    routers: routerMap(...routers),
    members: [M1, M2, ...routers.filter((r) => r.authorized).map((r) => r.address)],
    previous: new Map(),
    now: NOW,
    ...patch,
    policy: policyOf(patch.policy),
  });
}

/** The routes as `target via (forMembers)` lines. */
const lines = (s: ReturnType<typeof selectRouters>) =>
  s.advertised.map(
    (r) =>
      `${r.prefix} via ${r.via} ${
        r.forMembers === 'all'
          ? r.exceptMembers
            ? `all but ${r.exceptMembers.join(',')}`
            : 'all'
          : r.forMembers!.join(',')
      }`,
  );

describe('primary mode', () => {
  test('a single advertiser is primary; everyone gets the prefix via its IP', () => {
    const s = select([row(A)], [rA()]);
    assert.equal(s.prefixes[0]!.primary, A);
    assert.equal(s.prefixes[0]!.change, 'initial');
    assert.deepEqual(lines(s), [`${P} via 10.147.17.1 all`]);
    assert.deepEqual([...s.primaries], [[P, A]]);
    assert.deepEqual(s.advertised[0]!.owner, A);
  });

  test('lowest metric wins, then longest healthy, then address', () => {
    assert.equal(
      select([row(A, P, { metric: 200 }), row(B, P, { slot: 1 })], [rA(), rB()]).prefixes[0]!.primary,
      B,
    );
    assert.equal(
      select([row(A), row(B, P, { slot: 1 })], [rA({ healthySince: 500 }), rB({ healthySince: 100 })])
        .prefixes[0]!.primary,
      B,
    );
    assert.equal(select([row(B, P, { slot: 1 }), row(A)], [rB(), rA()]).prefixes[0]!.primary, A);
  });

  test('the route goes via the primary in its slot form; other routers of the prefix are left out', () => {
    const s = select([row(A), row(B, P, { slot: 1, metric: 10 })], [rA(), rB()], { standby: false });
    assert.deepEqual(lines(s), [
      `192.168.50.0/25 via 10.147.17.2 all but ${A}`,
      `192.168.50.128/25 via 10.147.17.2 all but ${A}`,
    ]);
  });

  test("standby: a shallower router's form is sent under the primary's, to no router of the prefix", () => {
    // B (halves) is primary; A's whole prefix stands by beneath it, so a move back to A only removes
    // B's halves. C (quarters) is deeper than the primary: it would win, so it is not sent.
    const rows = [row(A), row(B, P, { slot: 1, metric: 10 }), row(C, P, { slot: 2, metric: 50 })];
    const s = select(rows, [rA(), rB(), rC()]);
    assert.deepEqual(lines(s), [
      `192.168.50.0/24 via 10.147.17.1 all but ${A},${B},${C}`,
      `192.168.50.0/25 via 10.147.17.2 all but ${A},${C}`,
      `192.168.50.128/25 via 10.147.17.2 all but ${A},${C}`,
    ]);
    const flags = Object.fromEntries(
      s.prefixes[0]!.routers.map((r) => [r.member, [r.primary, r.standby ?? false]]),
    );
    assert.deepEqual(flags, { [A]: [false, true], [B]: [true, false], [C]: [false, false] });
  });

  test('standby: a down router still stands by; an unapproved, deauthorized or withdrawn one does not', () => {
    const rows = [row(A), row(B, P, { slot: 1 })];
    const previous = new Map([[P, B]]);
    const down = select(rows, [rA({ health: 'down' }), rB()], { previous });
    assert.deepEqual(
      down.advertised.map((r) => `${r.prefix} ${r.owner}`),
      [`192.168.50.0/24 ${A}`, `192.168.50.0/25 ${B}`, `192.168.50.128/25 ${B}`],
    );
    for (const [rowsNow, routersNow] of [
      [
        [row(A, P, { approved: false }), row(B, P, { slot: 1 })],
        [rA(), rB()],
      ],
      [rows, [rA({ authorized: false }), rB()]],
      [
        [row(A, P, { advertised: false, approved: false }), row(B, P, { slot: 1 })],
        [rA(), rB()],
      ],
    ] as const) {
      const s = select([...rowsNow], [...routersNow], { previous });
      assert.ok(
        s.advertised.every((r) => r.owner === B),
        lines(s).join('; '),
      );
    }
  });

  test('eligibility reasons: not advertised, not approved, not a member, not authorized, no address, down', () => {
    const rows = [
      row(A, P, { advertised: false, approved: false }),
      row(B, P, { approved: false, slot: 1 }),
      row(C, P, { slot: 2 }),
      row('dddddddddd', P, { slot: 3 }),
      row('eeeeeeeeee', P, { slot: 3 }),
      row('ffffffffff', P, { slot: 3 }),
    ];
    const s = select(rows, [
      rA(),
      rB(),
      rC({ authorized: false }),
      router('dddddddddd', 'fd00::1'),
      router('eeeeeeeeee', '10.147.17.5', { health: 'down' }),
    ]);
    const reasons = Object.fromEntries(s.prefixes[0]!.routers.map((r) => [r.member, r.reason]));
    assert.deepEqual(reasons, {
      [A]: 'not advertised',
      [B]: 'not approved',
      [C]: 'not authorized',
      dddddddddd: 'no IPv4 address in the network',
      eeeeeeeeee: 'down',
      ffffffffff: 'not a member of the network',
    });
    assert.equal(s.prefixes[0]!.primary, null);
    assert.equal(s.prefixes[0]!.change, 'none');
    assert.match(s.prefixes[0]!.message, /no eligible router: no route is pushed/);
    assert.deepEqual(s.advertised, []);
    assert.equal(s.primaries.size, 0);
  });

  test('the via is the first assigned IP of the prefix family', () => {
    const s = select([row(A, 'fd00:50::/64')], [router(A, ['10.147.17.1', 'FD00::0001', 'fd00::2'])]);
    assert.equal(s.advertised[0]!.via, 'fd00::1');
    assert.equal(s.prefixes[0]!.routers[0]!.via, 'fd00::1');
  });

  test('sticky: an equal-metric or worse router never takes over from a healthy primary', () => {
    const s = select(
      [row(A), row(B, P, { slot: 1 })],
      [rA({ healthySince: 90_000 }), rB({ healthySince: 0 })],
      {
        previous: new Map([[P, A]]),
      },
    );
    assert.equal(s.prefixes[0]!.primary, A);
    assert.equal(s.prefixes[0]!.change, 'kept');
  });

  test('failover when the primary is down; its recovery does not flap back', () => {
    const rows = [row(A), row(B, P, { slot: 1 })];
    const down = select(rows, [rA({ health: 'down' }), rB()], { previous: new Map([[P, A]]) });
    assert.equal(down.prefixes[0]!.primary, B);
    assert.equal(down.prefixes[0]!.change, 'failover');
    assert.match(
      down.prefixes[0]!.message,
      /aaaaaaaaaa is down; bbbbbbbbbb \(metric 100, healthy\) takes over/,
    );
    // The members' targets change (prefix → halves), so the client really moves the route; A's
    // prefix stays beneath as a standby (only added routes: applied at once by the client).
    assert.deepEqual(
      down.advertised.map((r) => `${r.prefix} via ${r.via}`),
      [
        '192.168.50.0/24 via 10.147.17.1',
        '192.168.50.0/25 via 10.147.17.2',
        '192.168.50.128/25 via 10.147.17.2',
      ],
    );
    const back = select(rows, [rA({ healthySince: 0 }), rB()], { previous: down.primaries });
    assert.equal(back.prefixes[0]!.primary, B);
  });

  test('failback to a strictly lower metric only after failbackAfter', () => {
    const rows = [row(A, P, { metric: 10 }), row(B, P, { slot: 1 })];
    const previous = new Map([[P, B]]);
    const early = select(rows, [rA({ healthySince: NOW - 29_999 }), rB()], { previous });
    assert.equal(early.prefixes[0]!.primary, B);
    const late = select(rows, [rA({ healthySince: NOW - 30_000 }), rB()], { previous });
    assert.equal(late.prefixes[0]!.primary, A);
    assert.equal(late.prefixes[0]!.change, 'failback');
    assert.match(late.prefixes[0]!.message, /healthy for 30000 ms \(failbackAfter 30000 ms\)/);
    const custom = select(rows, [rA({ healthySince: NOW - 5_000 }), rB()], {
      previous,
      policy: { failbackAfter: 5_000 },
    });
    assert.equal(custom.prefixes[0]!.primary, A);
    // Unknown healthySince never proves "long enough".
    assert.equal(select(rows, [rA({ healthySince: null }), rB()], { previous }).prefixes[0]!.primary, B);
    // A suspect router does not fail back either.
    assert.equal(select(rows, [rA({ health: 'suspect' }), rB()], { previous }).prefixes[0]!.primary, B);
  });

  test('a suspect primary stays; a suspect router is not chosen while a healthy one exists', () => {
    const rows = [row(A, P, { metric: 10 }), row(B, P, { slot: 1 })];
    assert.equal(
      select(rows, [rA({ health: 'suspect' }), rB()], { previous: new Map([[P, A]]) }).prefixes[0]!.primary,
      A,
    );
    assert.equal(select(rows, [rA({ health: 'suspect' }), rB()]).prefixes[0]!.primary, B);
    assert.equal(select(rows, [rA({ health: 'suspect' }), rB({ health: 'down' })]).prefixes[0]!.primary, A);
  });

  test('a draining primary is left as soon as another is healthy, kept when none is', () => {
    const rows = [row(A), row(B, P, { slot: 1, metric: 500 })];
    const previous = new Map([[P, A]]);
    const left = select(rows, [rA({ health: 'draining' }), rB()], { previous });
    assert.equal(left.prefixes[0]!.primary, B);
    assert.equal(left.prefixes[0]!.change, 'drain');
    const kept = select(rows, [rA({ health: 'draining' }), rB({ health: 'suspect' })], { previous });
    assert.equal(kept.prefixes[0]!.primary, A);
    assert.match(kept.prefixes[0]!.message, /although draining/);
    // With no previous primary, a draining router is the last resort.
    assert.equal(
      select(rows, [rA({ health: 'draining' }), rB({ health: 'suspect' })]).prefixes[0]!.primary,
      B,
    );
    assert.equal(select(rows, [rA({ health: 'draining' }), rB({ health: 'down' })]).prefixes[0]!.primary, A);
  });

  test('the last router going away is reported as lost', () => {
    const s = select([row(A)], [rA({ health: 'down' })], { previous: new Map([[P, A]]) });
    assert.equal(s.prefixes[0]!.change, 'lost');
    assert.match(
      s.prefixes[0]!.message,
      /aaaaaaaaaa is down; no eligible router left: the route is withdrawn/,
    );
    assert.deepEqual(s.advertised, []);
  });

  test('a withdrawn previous primary is a failover', () => {
    const s = select([row(B, P, { slot: 1 })], [rA(), rB()], { previous: new Map([[P, A]]) });
    assert.equal(s.prefixes[0]!.change, 'failover');
    assert.match(s.prefixes[0]!.message, /aaaaaaaaaa is no longer an advertiser/);
  });

  test('routers sharing a target form are reported', () => {
    const s = select([row(A), row(B)], [rA(), rB()]);
    assert.match(
      s.prefixes[0]!.problems[0]!,
      /aaaaaaaaaa \(slot 0\) and bbbbbbbbbb \(slot 0\) are sent the same targets/,
    );
    assert.deepEqual(select([row(A), row(B, P, { slot: 1 })], [rA(), rB()]).prefixes[0]!.problems, []);
  });
});

describe('spread mode', () => {
  const members = Array.from({ length: 300 }, (_, i) => addr(0x5000000 + i * 104729));
  const rows = [row(A), row(B, P, { slot: 1 }), row(C, P, { slot: 2 })];
  const spread = (routers: RouterState[], patch: Partial<SelectionInput> = {}) =>
    select(rows, routers, { members: [...members, A, B, C], policy: { steering: 'spread' }, ...patch });

  test('members are divided over the healthy routers of equal lowest metric, routers get none', () => {
    const s = spread([rA(), rB(), rC()], { standby: false });
    const counts = s.prefixes[0]!.routers.map((r) => r.members);
    assert.equal(
      counts.reduce((n, c) => n! + c!, 0),
      300,
    );
    for (const c of counts) assert.ok(c! >= 70 && c! <= 130, String(counts));
    const assigned = new Map<string, string>();
    for (const r of s.advertised) {
      for (const m of r.forMembers as string[]) {
        assert.ok(![A, B, C].includes(m));
        const seen = assigned.get(m);
        assert.ok(seen === undefined || seen === r.owner, `${m} on ${seen} and ${r.owner}`);
        assigned.set(m, r.owner);
      }
    }
    assert.equal(assigned.size, 300);
    assert.equal(s.primaries.size, 0);
    assert.equal(s.prefixes[0]!.primary, null);
    assert.match(s.prefixes[0]!.message, /spread over aaaaaaaaaa, bbbbbbbbbb, cccccccccc \(metric 100\)/);
    // Each router's routes use its own slot form: 1 + 2 + 4 targets.
    assert.deepEqual(
      [A, B, C].map((r) => s.advertised.filter((x) => x.owner === r).length),
      [1, 2, 4],
    );
  });

  test("standby: each member gets the shallower routers' forms beneath its own router's", () => {
    const s = spread([rA(), rB(), rC()]);
    const plain = spread([rA(), rB(), rC()], { standby: false });
    const onC = plain.advertised.find((r) => r.owner === C)!.forMembers as string[];
    const onB = plain.advertised.find((r) => r.owner === B)!.forMembers as string[];
    const owners = (m: string) =>
      [
        ...new Set(s.advertised.filter((r) => (r.forMembers as string[]).includes(m)).map((r) => r.owner)),
      ].sort();
    // On C (quarters): A's prefix and B's halves beneath; on B: A's beneath; on A: nothing else.
    assert.deepEqual(owners(onC[0]!), [A, B, C]);
    assert.deepEqual(owners(onB[0]!), [A, B]);
    const onA = plain.advertised.find((r) => r.owner === A)!.forMembers as string[];
    assert.deepEqual(owners(onA[0]!), [A]);
  });

  test('a higher metric router takes no members while a lower one is live; suspect ones keep theirs', () => {
    const s = select([row(A, P, { metric: 50 }), ...rows.slice(1)], [rA({ health: 'suspect' }), rB(), rC()], {
      members: [...members, A, B, C],
      policy: { steering: 'spread' },
    });
    assert.deepEqual(
      s.prefixes[0]!.routers.map((r) => r.members),
      [300, undefined, undefined],
    );
  });

  test('a down router loses only its members; a draining one is left for healthy ones', () => {
    const before = spread([rA(), rB(), rC()]);
    for (const health of ['down', 'draining'] as const) {
      const after = spread([rA(), rB({ health }), rC()]);
      const owner = (s: typeof before) =>
        new Map(s.advertised.flatMap((r) => (r.forMembers as string[]).map((m) => [m, r.owner] as const)));
      const was = owner(before);
      for (const [m, o] of owner(after)) if (was.get(m) !== B) assert.equal(o, was.get(m), m);
      assert.equal(after.prefixes[0]!.routers[1]!.members, undefined);
    }
    // Only draining routers: they keep the prefix.
    const allDraining = spread([rA({ health: 'draining' }), rB({ health: 'down' }), rC({ health: 'down' })]);
    assert.equal(allDraining.prefixes[0]!.routers[0]!.members, 300);
  });

  test('a member uses the same router for every prefix with the same pool', () => {
    // The second prefix also has a down router D, so it is computed on its own, not reused.
    const D = 'dddddddddd';
    const Q = '10.20.0.0/16';
    const two = [...rows, row(A, Q, { slot: 1 }), row(B, Q, { slot: 2 }), row(C, Q), row(D, Q, { slot: 3 })];
    const s = select(two, [rA(), rB(), rC(), router(D, '10.147.17.4', { health: 'down' })], {
      members: [...members, A, B, C, D],
      policy: { steering: 'spread' },
    });
    const ownerIn = (prefix: string) =>
      new Map(
        s.advertised
          .filter((r) => r.prefix.startsWith(prefix))
          .flatMap((r) => (r.forMembers as string[]).map((m) => [m, r.owner] as const)),
      );
    const lan = ownerIn('192.168.50.');
    const q = ownerIn('10.20.');
    for (const m of members) assert.equal(q.get(m), lan.get(m), m);
    assert.equal(lan.has(D), true);
    assert.equal(q.has(D), false);
  });

  test('no eligible router: no route', () => {
    const s = spread([rA({ health: 'down' }), rB({ authorized: false }), rC({ ipAssignments: [] })]);
    assert.deepEqual(s.advertised, []);
    assert.match(s.prefixes[0]!.message, /no eligible router/);
  });
});

describe('input checks and determinism', () => {
  test('rows with bad prefix, slot or metric, or duplicated, are INVALID_INPUT naming the row', () => {
    const fails = (rows: Advertisement[], field: string) =>
      assert.throws(
        () => select(rows, [rA()]),
        (e: unknown) => e instanceof RpError && e.code === ErrorCodes.INVALID_INPUT && e.field === field,
      );
    fails([row(A), row(B, '10.0.0.1/8')], 'advertisements[1].prefix');
    fails([row(A, P, { slot: 4 })], 'advertisements[0].slot');
    fails([row(A, P, { metric: 1.5 })], 'advertisements[0].metric');
    fails([row(A), row(A, '192.168.050.0/24')], 'advertisements[1].prefix');
    fails([row(A), row(A)], 'advertisements[1]');
    fails([row(A, 'fd00:50::/64'), row(A, 'FD00:50:0::/64')], 'advertisements[1]'); // same prefix, other spelling
  });

  test('prefixes come out in canonical order, routes sorted by target then owner', () => {
    const s = select(
      [row(A, 'fd00:50::/64'), row(A, '10.0.0.0/8'), row(B, P, { slot: 1 })],
      [router(A, ['10.147.17.1', 'fd00::1']), rB()],
    );
    assert.deepEqual(
      s.prefixes.map((p) => p.prefix),
      ['10.0.0.0/8', P, 'fd00:50::/64'],
    );
    assert.deepEqual(
      s.advertised.map((r) => r.prefix),
      ['10.0.0.0/8', '192.168.50.0/25', '192.168.50.128/25', 'fd00:50::/64'],
    );
  });
});

describe('feeding the planner', () => {
  const network = {
    id: '8056c2e21c000001',
    manualRoutes: [],
    ipamSubnet: '10.147.17.0/24',
    routesFromIpam: false,
    ipamGateway: null,
    routeLimitStrategy: 'error' as const,
  };
  const plannerMembers = [
    { address: A, authorized: true, ipAssignments: ['10.147.17.1'] },
    { address: B, authorized: true, ipAssignments: ['10.147.17.2'] },
    { address: M1, authorized: true, ipAssignments: ['10.147.17.11'] },
    { address: M2, authorized: true, ipAssignments: ['10.147.17.12'] },
  ];
  const plan = (s: ReturnType<typeof selectRouters>) =>
    planRoutes({ network, ipam: [], members: plannerMembers, advertised: s.advertised });
  const targets = (p: ReturnType<typeof plan>, m: string) =>
    p.routesFor(m).map((r) => `${r.target} ${r.via ?? '-'}`);

  test('members route via the primary, the routers keep their own LAN; failover changes the targets', () => {
    const rows = [row(A), row(B, P, { slot: 1 })];
    const first = select(rows, [rA(), rB()]);
    const p1 = plan(first);
    assert.deepEqual(targets(p1, M1), ['10.147.17.0/24 -', '192.168.50.0/24 10.147.17.1']);
    assert.deepEqual(targets(p1, A), ['10.147.17.0/24 -']);
    assert.deepEqual(targets(p1, B), ['10.147.17.0/24 -']);
    const p2 = plan(select(rows, [rA({ health: 'down' }), rB()], { previous: first.primaries }));
    // The halves via B are added; A's prefix stays beneath them (nothing for the client to remove).
    assert.deepEqual(targets(p2, M2), [
      '10.147.17.0/24 -',
      '192.168.50.0/24 10.147.17.1',
      '192.168.50.0/25 10.147.17.2',
      '192.168.50.128/25 10.147.17.2',
    ]);
    assert.deepEqual(targets(p2, A), ['10.147.17.0/24 -']);
    assert.deepEqual(targets(p2, B), ['10.147.17.0/24 -']);
    assert.deepEqual(p2.problems, []);
  });

  test('a single router with forMembers all: the planner drops the route via its own IP', () => {
    const p = plan(select([row(A)], [rA()]));
    assert.deepEqual(targets(p, A), ['10.147.17.0/24 -']);
    assert.deepEqual(targets(p, M1), ['10.147.17.0/24 -', '192.168.50.0/24 10.147.17.1']);
  });
});
