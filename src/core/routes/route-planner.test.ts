import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, RpError } from '../errors.ts';
import { formatIp } from '../cidr/ip.ts';
import type { IpamSubnet } from '../ipam/ipam-types.ts';
import { createRoutePlanner, planRoutes } from './route-planner.ts';
import type { PlannerInput, PlannerNetwork } from './route-types.ts';
import { coverageByVia, forwarding, ipamFrom } from './planner-fixtures.test.ts';

const routes = (list: Array<{ target: string; via: string | null }>) =>
  list.map((r) => `${r.target}${r.via ? ` via ${r.via}` : ''}`);

function network(patch: Partial<PlannerNetwork> = {}): PlannerNetwork {
  return {
    id: '8056c2e21c000001',
    manualRoutes: [],
    ipamSubnet: '10.0.0.0/8',
    routesFromIpam: false,
    ipamGateway: null,
    routeLimitStrategy: 'error',
    ...patch,
  };
}

function input(patch: Partial<PlannerInput> = {}): PlannerInput {
  return { network: network(), ipam: OPERATOR, members: [], advertised: [], ...patch };
}

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

const OPERATOR: IpamSubnet[] = ipamFrom([
  '10.0.0.0/8',
  '10.1.1.0/24',
  '10.1.2.0/24',
  '10.1.3.0/24',
  '10.1.2.128/25',
]);

/** 10.0.0.0/8 with `n` child /24s: 10.1.0.0/24, 10.1.1.0/24, … */
function manyChildren(n: number): IpamSubnet[] {
  const children = Array.from({ length: n }, (_, i) => `${formatIp(4, 0x0a010000n + BigInt(i) * 256n)}/24`);
  return ipamFrom(['10.0.0.0/8', ...children]);
}

describe("the operator's example: 10.0.0.0/8 with children 10.1.1.0/24, 10.1.2.0/24, 10.1.3.0/24", () => {
  const member = { address: 'a1b2c3d4e5', authorized: true, ipAssignments: ['10.1.2.7'] };

  test('default: one route, the network subnet', () => {
    const plan = planRoutes(input({ members: [member] }));
    assert.deepEqual(routes(plan.networkRoutes), ['10.0.0.0/8']);
    assert.deepEqual(plan.networkRoutes[0], { target: '10.0.0.0/8', via: null, source: 'ipam', owner: 's0' });
    assert.deepEqual(routes(plan.routesFor('a1b2c3d4e5')), ['10.0.0.0/8']);
    assert.deepEqual(plan.problems, []);
  });

  test('opt-in: the parent plus one route per direct child (the /25 grandchild adds none)', () => {
    const plan = planRoutes(input({ network: network({ routesFromIpam: true }), members: [member] }));
    assert.deepEqual(routes(plan.networkRoutes), ['10.0.0.0/8', '10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']);
    assert.ok(plan.networkRoutes.every((r) => r.source === 'ipam' && r.owner === 's0'));
  });

  test('with ipamGateway 10.0.0.1 the parent carries that via', () => {
    const plan = planRoutes(input({ network: network({ routesFromIpam: true, ipamGateway: '10.0.0.1' }) }));
    assert.deepEqual(routes(plan.networkRoutes), [
      '10.0.0.0/8 via 10.0.0.1',
      '10.1.1.0/24',
      '10.1.2.0/24',
      '10.1.3.0/24',
    ]);
    // No child holds 10.0.0.1, so members could not reach it: said, not hidden.
    assert.deepEqual(
      plan.problems.map((p) => p.code),
      ['IPAM_GATEWAY_OFF_LINK', 'VIA_UNREACHABLE'],
    );
    assert.match(plan.problems[1]!.message, /gateway 10\.0\.0\.1 \(for 10\.0\.0\.0\/8\)/);
  });

  test('the gateway member itself never gets the route via itself', () => {
    const gw = { address: '00000000aa', authorized: true, ipAssignments: ['10.1.1.1'] };
    const plan = planRoutes(
      input({ network: network({ routesFromIpam: true, ipamGateway: '10.1.1.1' }), members: [gw, member] }),
    );
    assert.deepEqual(routes(plan.routesFor('00000000aa')), ['10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']);
    assert.deepEqual(routes(plan.routesFor('a1b2c3d4e5')), [
      '10.0.0.0/8 via 10.1.1.1',
      '10.1.1.0/24',
      '10.1.2.0/24',
      '10.1.3.0/24',
    ]);
    // Only members of 10.1.1.0/24 (the gateway's own child) can install the parent route via it.
    assert.deepEqual(
      plan.problems.map((p) => p.code),
      ['IPAM_GATEWAY_OFF_LINK'],
    );
    assert.match(plan.problems[0]!.message, /not inside child subnets 10\.1\.2\.0\/24, 10\.1\.3\.0\/24/);
  });

  test('200 children, strategy error: ROUTE_LIMIT naming 201, the limit 128 and the sources', () => {
    rejects(
      () =>
        planRoutes(
          input({ network: network({ routesFromIpam: true }), ipam: manyChildren(200), members: [member] }),
        ),
      ErrorCodes.ROUTE_LIMIT,
      /^201 routes for every member exceed ZeroTier's limit of 128 \(ipam 201\); remove routes or set routeLimitStrategy to "aggregate"$/,
    );
    const manual = [
      { target: '192.168.0.0/24', via: null },
      { target: '192.168.1.0/24', via: null },
    ];
    rejects(
      () =>
        planRoutes(
          input({
            network: network({ routesFromIpam: true, manualRoutes: manual }),
            ipam: manyChildren(200),
          }),
        ),
      ErrorCodes.ROUTE_LIMIT,
      /^203 routes .* limit of 128 \(manual 2, ipam 201\)/,
    );
  });

  test('200 children, strategy aggregate: at most 128 routes covering the same addresses', () => {
    const ipam = manyChildren(200);
    const plan = planRoutes(
      input({
        network: network({ routesFromIpam: true, routeLimitStrategy: 'aggregate' }),
        ipam,
        members: [member],
      }),
    );
    const raw = planRoutes(input({ network: network({ routesFromIpam: true }), ipam, limit: 1000 }));
    assert.ok(plan.networkRoutes.length <= 128, `${plan.networkRoutes.length} routes`);
    assert.equal(raw.networkRoutes.length, 201);
    assert.deepEqual(coverageByVia(plan.networkRoutes), coverageByVia(raw.networkRoutes));
    assert.deepEqual(
      forwarding(plan.networkRoutes, raw.networkRoutes),
      forwarding(raw.networkRoutes, raw.networkRoutes),
    );
    assert.equal(plan.aggregated?.before, 201);
    assert.equal(plan.aggregated?.after, plan.networkRoutes.length);
    // Just enough merges to fit, the deepest first; the parent /8 is kept as it is.
    assert.equal(plan.networkRoutes.length, 128);
    assert.equal(plan.networkRoutes[0]!.target, '10.0.0.0/8');
    assert.deepEqual(plan.aggregated?.merges[0], {
      into: '10.1.0.0/23',
      from: ['10.1.0.0/24', '10.1.1.0/24'],
      via: null,
      source: 'ipam',
    });
    assert.equal(plan.routesFor('a1b2c3d4e5').length, 128);
  });

  test('aggregation that cannot fit is still ROUTE_LIMIT, saying how far it got', () => {
    // Every other /24: no two are adjacent, nothing merges.
    const sparse = ipamFrom([
      '10.0.0.0/8',
      ...Array.from({ length: 200 }, (_, i) => `${formatIp(4, 0x0a010000n + BigInt(i) * 512n)}/24`),
    ]);
    rejects(
      () =>
        planRoutes(
          input({
            network: network({ routesFromIpam: true, routeLimitStrategy: 'aggregate' }),
            ipam: sparse,
          }),
        ),
      ErrorCodes.ROUTE_LIMIT,
      /^201 routes for every member exceed ZeroTier's limit of 128 \(ipam 201\); lossless aggregation of adjacent routes only brings them down to 201$/,
    );
  });
});

describe('sources, order and de-duplication', () => {
  test('manual first as written, then ipam in canonical order; duplicates keep the first; parent and first child both stay', () => {
    const plan = planRoutes(
      input({
        network: network({
          routesFromIpam: true,
          manualRoutes: [
            { target: '192.168.5.0/24', via: '10.1.1.9' },
            { target: '10.1.3.0/24', via: null },
            { target: 'FD00::/64', via: null },
          ],
        }),
        ipam: ipamFrom(['10.0.0.0/8', '10.0.0.0/24', '10.1.3.0/24']),
      }),
    );
    assert.deepEqual(
      plan.networkRoutes.map((r) => `${r.target} ${r.via ?? '-'} ${r.source}`),
      [
        '192.168.5.0/24 10.1.1.9 manual',
        '10.1.3.0/24 - manual',
        'fd00::/64 - manual',
        '10.0.0.0/8 - ipam',
        '10.0.0.0/24 - ipam',
      ],
    );
  });

  test('a via-less route and the same target via a gateway are a problem: the client installs only the first', () => {
    const plan = planRoutes(
      input({ network: network({ manualRoutes: [{ target: '10.0.0.0/8', via: '10.0.0.1' }] }) }),
    );
    assert.deepEqual(routes(plan.networkRoutes), ['10.0.0.0/8 via 10.0.0.1', '10.0.0.0/8']);
    assert.deepEqual(
      plan.problems.map((p) => p.code),
      ['DUPLICATE_TARGET'],
    );
  });

  test('bad input is INVALID_INPUT naming the field', () => {
    rejects(
      () => planRoutes(input({ network: network({ manualRoutes: [{ target: '10.0.0.1/8', via: null }] }) })),
      ErrorCodes.INVALID_INPUT,
      /^routes\[0\]\.target: .*did you mean 10\.0\.0\.0\/8/,
    );
    rejects(
      () =>
        planRoutes(input({ network: network({ manualRoutes: [{ target: '10.0.0.0/8', via: 'fd00::1' }] }) })),
      ErrorCodes.INVALID_INPUT,
      /^routes\[0\]\.via: fd00::1 is IPv6/,
    );
    rejects(
      () => planRoutes(input({ network: network({ routesFromIpam: true, ipamGateway: '192.168.0.1' }) })),
      ErrorCodes.INVALID_INPUT,
      /^ipamGateway: 192\.168\.0\.1 is outside the network's IPAM subnet 10\.0\.0\.0\/8/,
    );
    rejects(
      () => planRoutes(input({ advertised: [{ prefix: '10.9.0.0/16', via: '', owner: 'r' }] })),
      ErrorCodes.INVALID_INPUT,
      /^advertised\[0\]\.via: /,
    );
    rejects(() => planRoutes(input({ limit: 0 })), ErrorCodes.INVALID_INPUT, /^limit: /);
    rejects(
      () =>
        planRoutes(
          input({
            members: [
              { address: 'a', authorized: true, ipAssignments: [] },
              { address: 'a', authorized: false, ipAssignments: [] },
            ],
          }),
        ),
      ErrorCodes.INVALID_INPUT,
      /listed twice/,
    );
  });

  test('IPAM settings that do nothing are reported', () => {
    assert.deepEqual(
      planRoutes(input({ network: network({ ipamSubnet: null, routesFromIpam: true }) })).problems.map(
        (p) => p.code,
      ),
      ['IPAM_SUBNET_MISSING'],
    );
    const unknown = planRoutes(
      input({ network: network({ ipamSubnet: '172.16.0.0/12', routesFromIpam: true }) }),
    );
    assert.deepEqual(routes(unknown.networkRoutes), ['172.16.0.0/12']);
    assert.deepEqual(
      unknown.problems.map((p) => p.code),
      ['IPAM_SUBNET_UNKNOWN'],
    );
    assert.deepEqual(
      planRoutes(input({ network: network({ ipamGateway: '10.0.0.1' }) })).problems.map((p) => p.code),
      ['IPAM_GATEWAY_UNUSED'],
    );
  });
});

describe('members', () => {
  const members = [
    { address: '0000000001', authorized: true, ipAssignments: ['10.1.1.5', '192.168.9.9', 'bogus'] },
    { address: '0000000002', authorized: false, ipAssignments: ['10.1.1.6'] },
    { address: '0000000003', authorized: true, ipAssignments: ['10.1.2.1'] },
  ];

  test('assigned IPs outside every via-less route and non-addresses are problems; unauthorized members get nothing', () => {
    const plan = planRoutes(input({ members }));
    assert.deepEqual(plan.problems, [
      {
        code: 'INVALID_MEMBER_IP',
        message: 'member 0000000001 has "bogus" assigned, which is not an IP address',
      },
      {
        code: 'IP_OUTSIDE_ROUTES',
        message:
          'member 0000000001 has 192.168.9.9 assigned, outside every route without a via; ZeroTier will not use it',
      },
    ]);
    assert.deepEqual(plan.routesFor('0000000002'), []);
    assert.deepEqual(routes(plan.routesFor('0000000003')), ['10.0.0.0/8']);
    assert.deepEqual(
      routes(plan.routesFor('99999999ff')),
      ['10.0.0.0/8'],
      'a stranger gets what a new member would',
    );
  });

  test('many stray IPs: the first 20 named, the rest counted', () => {
    const strays = Array.from({ length: 25 }, (_, i) => ({
      address: i.toString(16).padStart(10, '0'),
      authorized: true,
      ipAssignments: [`192.168.0.${i}`],
    }));
    const plan = planRoutes(input({ members: strays }));
    assert.equal(plan.problems.length, 21);
    assert.equal(plan.problems[20]!.message, 'and 5 more assigned IPs outside every route without a via');
  });
});

describe('advertised routes', () => {
  const members = [
    { address: 'aaaaaaaaaa', authorized: true, ipAssignments: ['10.1.1.10'] },
    { address: 'bbbbbbbbbb', authorized: true, ipAssignments: ['10.1.1.20'] },
    { address: 'cccccccccc', authorized: true, ipAssignments: ['10.1.1.30'] },
  ];
  const advertised = [
    { prefix: '192.168.20.0/24', via: '10.1.1.20', owner: 'bbbbbbbbbb', forMembers: ['aaaaaaaaaa'] },
    { prefix: '192.168.10.0/24', via: '10.1.1.10', owner: 'aaaaaaaaaa' },
    {
      prefix: '192.168.30.0/24',
      via: '10.1.1.30',
      owner: 'cccccccccc',
      forMembers: ['aaaaaaaaaa', 'bbbbbbbbbb'],
    },
  ];

  test('each member gets the network routes, then its advertised routes in canonical order, never via itself', () => {
    const plan = planRoutes(input({ members, advertised }));
    assert.deepEqual(routes(plan.networkRoutes), ['10.0.0.0/8']);
    assert.deepEqual(routes(plan.routesFor('aaaaaaaaaa')), [
      '10.0.0.0/8',
      '192.168.20.0/24 via 10.1.1.20',
      '192.168.30.0/24 via 10.1.1.30',
    ]);
    assert.deepEqual(routes(plan.routesFor('bbbbbbbbbb')), [
      '10.0.0.0/8',
      '192.168.10.0/24 via 10.1.1.10',
      '192.168.30.0/24 via 10.1.1.30',
    ]);
    assert.deepEqual(routes(plan.routesFor('cccccccccc')), ['10.0.0.0/8', '192.168.10.0/24 via 10.1.1.10']);
    assert.equal(plan.routesFor('aaaaaaaaaa')[1]!.source, 'advertised');
    assert.equal(plan.routesFor('aaaaaaaaaa')[1]!.owner, 'bbbbbbbbbb');
  });

  test('the limit counts each member’s own list', () => {
    rejects(
      () => planRoutes(input({ members, advertised, limit: 2 })),
      ErrorCodes.ROUTE_LIMIT,
      /^3 routes for member aaaaaaaaaa exceed ZeroTier's limit of 2 \(ipam 1, advertised 2\)/,
    );
    const ok = planRoutes(input({ members: members.slice(2), advertised, limit: 2 }));
    assert.equal(ok.routesFor('cccccccccc').length, 2);
    rejects(() => ok.routesFor('aaaaaaaaaa'), ErrorCodes.ROUTE_LIMIT, /for member aaaaaaaaaa/);
  });

  test('member-specific routes that overflow are merged for those members only', () => {
    const adjacent = [
      { prefix: '192.168.20.0/24', via: '10.1.1.20', owner: 'bbbbbbbbbb', forMembers: ['aaaaaaaaaa'] },
      { prefix: '192.168.21.0/24', via: '10.1.1.20', owner: 'bbbbbbbbbb', forMembers: ['aaaaaaaaaa'] },
    ];
    const plan = planRoutes(
      input({
        network: network({ routeLimitStrategy: 'aggregate' }),
        members,
        advertised: adjacent,
        limit: 2,
      }),
    );
    assert.deepEqual(routes(plan.routesFor('aaaaaaaaaa')), ['10.0.0.0/8', '192.168.20.0/23 via 10.1.1.20']);
    assert.deepEqual(routes(plan.routesFor('cccccccccc')), ['10.0.0.0/8']);
    assert.deepEqual(plan.aggregated?.perMember, [
      {
        members: ['aaaaaaaaaa'],
        memberCount: 1,
        before: 3,
        after: 2,
        merges: [
          {
            into: '192.168.20.0/23',
            from: ['192.168.20.0/24', '192.168.21.0/24'],
            via: '10.1.1.20',
            source: 'advertised',
          },
        ],
      },
    ]);
  });
});

describe('incremental re-planning', () => {
  test('a change that breaks the limit throws and leaves the planner as it was', () => {
    const planner = createRoutePlanner(input({ network: network({ routesFromIpam: true }) }));
    rejects(() => planner.update({ ipam: manyChildren(200) }), ErrorCodes.ROUTE_LIMIT, /201 routes/);
    assert.equal(planner.plan.networkRoutes.length, 4);
    const next = planner.update({ network: { routeLimitStrategy: 'aggregate' }, ipam: manyChildren(200) });
    assert.equal(next.plan.networkRoutes.length, 128);
    assert.equal(planner.plan.networkRoutes.length, 4);
  });

  test('many member changes, then a network change: same as a fresh plan (full rescan path)', () => {
    const many = (n: number, third: number) =>
      Array.from({ length: n }, (_, i) => ({
        address: (0x100000 + i).toString(16).padStart(10, '0'),
        authorized: true,
        ipAssignments: [formatIp(4, 0x0a010000n + BigInt((i * third) % 1024))],
      }));
    const base = input({ members: many(100, 1) });
    const changed = many(5000, 3); // more than the planner tracks one by one
    const planner = createRoutePlanner(base)
      .update({ upsertMembers: changed })
      .update({ network: { routesFromIpam: true, ipamGateway: '10.1.1.1' } });
    const fresh = planRoutes({
      ...base,
      network: network({ routesFromIpam: true, ipamGateway: '10.1.1.1' }),
      members: changed,
    });
    assert.deepEqual(planner.plan.problems, fresh.problems);
    // 10.1.0.x lies only in the /8, which now has a via: those members' IPs are reported.
    assert.match(
      planner.plan.problems.at(-1)!.message,
      /^and \d+ more assigned IPs outside every route without a via$/,
    );
    for (const m of changed.slice(0, 50))
      assert.deepEqual(planner.plan.routesFor(m.address), fresh.routesFor(m.address));
  });
});

describe('advertised routes for everyone but some members (exceptMembers)', () => {
  const member = (address: string, ip: string) => ({ address, authorized: true, ipAssignments: [ip] });
  const members = [
    member('1111111111', '10.1.1.11'),
    member('2222222222', '10.1.1.12'),
    member('3333333333', '10.1.1.13'),
  ];
  const advertised = [
    {
      prefix: '192.168.50.0/24',
      via: '10.1.1.11',
      owner: '1111111111',
      forMembers: 'all' as const,
      exceptMembers: ['2222222222'],
    },
  ];
  const targets = (plan: ReturnType<typeof planRoutes>, address: string) =>
    plan.routesFor(address).map((r) => `${r.target} ${r.via ?? '-'}`);

  test('the left-out member does not get it, the owner not via itself, everyone else does', () => {
    const plan = planRoutes(input({ members, advertised }));
    assert.ok(targets(plan, '3333333333').includes('192.168.50.0/24 10.1.1.11'));
    assert.ok(!targets(plan, '2222222222').includes('192.168.50.0/24 10.1.1.11'), 'left out');
    assert.ok(!targets(plan, '1111111111').includes('192.168.50.0/24 10.1.1.11'), 'never via its own IP');
  });

  test('a member added later gets it with a member change alone (no re-plan of the advertisements)', () => {
    const planner = createRoutePlanner(input({ members, advertised }));
    const next = planner.update({ upsertMembers: [member('4444444444', '10.1.1.14')] });
    assert.ok(targets(next.plan, '4444444444').includes('192.168.50.0/24 10.1.1.11'));
    assert.ok(!targets(next.plan, '2222222222').includes('192.168.50.0/24 10.1.1.11'));
  });

  test('is refused on a member-specific route, and is never merged away by aggregation', () => {
    assert.throws(
      () => planRoutes(input({ members, advertised: [{ ...advertised[0]!, forMembers: ['3333333333'] }] })),
      /exceptMembers: only a route for all members can leave members out/,
    );
    const many = Array.from({ length: 130 }, (_, i) => ({ target: `172.16.${i}.0/24`, via: '10.1.1.20' }));
    const plan = planRoutes(
      input({
        network: network({ manualRoutes: many, routeLimitStrategy: 'aggregate' }),
        members,
        advertised: [{ ...advertised[0]!, prefix: '172.16.200.0/24' }],
      }),
    );
    assert.ok(!targets(plan, '2222222222').some((t) => t.startsWith('172.16.200.0/24 10.1.1.11')));
    assert.ok(targets(plan, '3333333333').includes('172.16.200.0/24 10.1.1.11'), 'kept whole for the others');
  });
});
