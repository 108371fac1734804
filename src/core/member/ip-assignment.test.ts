import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIp, parseIp } from '../cidr/ip.ts';
import { formatPrefix, isPrefixError, maskIp, parsePrefix, prefixContainsIp } from '../cidr/prefix.ts';
import { isRpError } from '../errors.ts';
import { newNetwork } from '../network/network-defaults.ts';
import type { ManagedRoute, NetworkRecord } from '../network/network-types.ts';
import { newMember } from './member-defaults.ts';
import { hasManagedIpOfFamily, MAX_TRIES_PER_POOL, poolCandidates } from './ip-assignment.ts';

const never = (): number => {
  throw new Error('random must not be used here');
};

function network(over: Partial<NetworkRecord>): NetworkRecord {
  return { ...newNetwork('f8ea0e79249a7b42', 1), ...over };
}

/** The recorded network: pool 10.147.17.10-100, route 10.147.17.0/24 among others, v4 zt on. */
const recorded = network({
  v4AssignMode: { zt: true },
  v6AssignMode: { zt: false, rfc4193: true, '6plane': false },
  ipAssignmentPools: [{ ipRangeStart: '10.147.17.10', ipRangeEnd: '10.147.17.100' }],
  routes: [
    { target: '10.147.17.0/24', via: null },
    { target: '10.200.0.0/16', via: '10.147.17.1' },
    { target: 'fd00:1234::/64', via: null },
  ],
});

function take(gen: Generator<string>, n: number): string[] {
  const out: string[] = [];
  for (const ip of gen) {
    out.push(ip);
    if (out.length === n) break;
  }
  return out;
}

/** A deterministic [0,1) source for tests (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IPv4 candidates (recorded values)', () => {
  test('d0246ddebd gets 10.147.17.41 first (0x246ddebd % 90 = 31)', () => {
    assert.deepEqual(take(poolCandidates(recorded, 'd0246ddebd', never), 3), [
      '10.147.17.41',
      '10.147.17.42',
      '10.147.17.43',
    ]);
  });

  test('43e690e007 gets 10.147.17.45 first, as in run-baseline', () => {
    assert.equal(take(poolCandidates(recorded, '43e690e007', never), 1)[0], '10.147.17.45');
  });

  test('wraps inside the pool and never offers the end address', () => {
    const all = [...poolCandidates(recorded, '43e690e007', never)];
    assert.equal(all.length, 91); // end - start + 1 tries
    assert.equal(all[55], '10.147.17.10'); // counter % 90 wrapped to 0
    assert.ok(!all.includes('10.147.17.100'));
    assert.equal(all.filter((ip) => ip === '10.147.17.45').length, 2); // 91 tries over 90 values
  });

  test('skips .255 and addresses outside every route; /0 routes do not count', () => {
    const n = network({
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.0.0.250', ipRangeEnd: '10.0.1.10' }], // 16 values
      routes: [{ target: '10.0.0.0/16', via: null }],
    });
    // 0x0000000005 % 16 = 5 -> 10.0.0.255 skipped -> 10.0.1.0
    assert.equal(take(poolCandidates(n, '0000000005', never), 1)[0], '10.0.1.0');
    const noRoute = {
      ...n,
      routes: [
        { target: '0.0.0.0/0', via: null },
        { target: '192.168.0.0/16', via: null },
      ],
    };
    assert.deepEqual([...poolCandidates(noRoute, '0000000005', never)], []);
    const partly = { ...n, routes: [{ target: '10.0.1.0/24', via: null }] };
    assert.ok([...poolCandidates(partly, '0000000005', never)].every((ip) => ip.startsWith('10.0.1.')));
  });

  test('single-address pool, pools starting at 0.0.0.0, v4 mode off', () => {
    const single = network({
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.0.0.7', ipRangeEnd: '10.0.0.7' }],
      routes: [{ target: '10.0.0.0/24', via: null }],
    });
    assert.deepEqual([...poolCandidates(single, '43e690e007', never)], ['10.0.0.7']);
    const zero = {
      ...single,
      ipAssignmentPools: [{ ipRangeStart: '0.0.0.0', ipRangeEnd: '0.0.0.9' }],
      routes: [{ target: '0.0.0.0/24', via: null }],
    };
    assert.deepEqual([...poolCandidates(zero, '43e690e007', never)], []);
    assert.deepEqual(
      [...poolCandidates({ ...single, v4AssignMode: { zt: false } }, '43e690e007', never)],
      [],
    );
  });

  test('only the first 128 routes count, as in the member config', () => {
    const filler: ManagedRoute[] = Array.from({ length: 128 }, (_, i) => ({
      target: `172.16.${i}.0/24`,
      via: null,
    }));
    const n = network({
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.0.0.1', ipRangeEnd: '10.0.0.9' }],
      routes: [...filler, { target: '10.0.0.0/24', via: null }],
    });
    assert.deepEqual([...poolCandidates(n, '43e690e007', never)], []);
  });

  test('at most 1000 tries per pool', () => {
    const big = network({
      v4AssignMode: { zt: true },
      ipAssignmentPools: [
        { ipRangeStart: '10.0.0.1', ipRangeEnd: '10.255.255.254' },
        { ipRangeStart: '10.0.0.1', ipRangeEnd: '10.255.255.254' },
      ],
      routes: [{ target: '10.0.0.0/8', via: null }],
    });
    const all = [...poolCandidates(big, '43e690e007', never)];
    assert.ok(all.length <= 2 * MAX_TRIES_PER_POOL && all.length > 2 * (MAX_TRIES_PER_POOL - 10));
  });
});

describe('IPv6 candidates', () => {
  const v6 = network({
    v6AssignMode: { zt: true, rfc4193: false, '6plane': false },
    ipAssignmentPools: [{ ipRangeStart: 'fd00:1234::', ipRangeEnd: 'fd00:1234::ffff:ffff:ffff:ffff' }],
    routes: [{ target: 'fd00:1234::/64', via: null }],
  });

  test('first try puts the member address in the low bits when the range allows', () => {
    const first = take(poolCandidates(v6, '43e690e007', seeded(1)), 1)[0];
    assert.equal(first, 'fd00:1234::43:e690:e007');
  });

  test('then random addresses inside the pool, deterministic for the same random source', () => {
    const a = take(poolCandidates(v6, '43e690e007', seeded(7)), 20);
    const b = take(poolCandidates(v6, '43e690e007', seeded(7)), 20);
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, 20);
  });

  test('small ranges are random from the first try', () => {
    const small = {
      ...v6,
      ipAssignmentPools: [{ ipRangeStart: 'fd00:1234::100', ipRangeEnd: 'fd00:1234::1ff' }],
    };
    const all = [...poolCandidates(small, '43e690e007', seeded(3))];
    assert.equal(all.length, MAX_TRIES_PER_POOL);
    assert.ok(all.every((ip) => ip.startsWith('fd00:1234::1')));
    assert.ok(!all.includes('fd00:1234::1ff'), 'the end is never produced');
  });

  test('needs a via-less IPv6 route; IPv6 comes before IPv4; family filter', () => {
    const viaOnly = { ...v6, routes: [{ target: 'fd00:1234::/64', via: 'fd00:1234::1' }] };
    assert.deepEqual([...poolCandidates(viaOnly, '43e690e007', seeded(1))], []);
    const both = {
      ...v6,
      v4AssignMode: { zt: true },
      ipAssignmentPools: [...recorded.ipAssignmentPools, ...v6.ipAssignmentPools],
      routes: [...recorded.routes],
    };
    const all = [...poolCandidates(both, '43e690e007', seeded(1))];
    assert.equal(all[0], 'fd00:1234::43:e690:e007');
    assert.equal(
      all.find((ip) => ip.includes('.')),
      '10.147.17.45',
    );
    assert.ok(all.findIndex((ip) => ip.includes('.')) > all.findLastIndex((ip) => ip.includes(':')));
    assert.equal(take(poolCandidates(both, '43e690e007', never, 4), 1)[0], '10.147.17.45');
    assert.ok([...poolCandidates(both, '43e690e007', seeded(1), 6)].every((ip) => ip.includes(':')));
  });

  test('rejects a bad member address', () => {
    assert.throws(() => poolCandidates(v6, 'nope', never).next(), isRpError);
  });
});

describe('hasManagedIpOfFamily', () => {
  const m = {
    ...newMember('f8ea0e79249a7b42', '43e690e007', 1),
    ipAssignments: ['10.147.17.45', '192.168.1.1'],
  };
  test('without a network: any address of the family', () => {
    assert.equal(hasManagedIpOfFamily(m, 4), true);
    assert.equal(hasManagedIpOfFamily(m, 6), false);
  });
  test('with a network: only addresses inside a route (what stock sends)', () => {
    assert.equal(hasManagedIpOfFamily(m, 4, recorded), true);
    const outside = { ...m, ipAssignments: ['192.168.1.1'] };
    assert.equal(hasManagedIpOfFamily(outside, 4, recorded), false);
  });
});

describe('properties', () => {
  const v4Setup = fc.record({
    start: fc.integer({ min: 1, max: 0xffffffff }),
    span: fc.integer({ min: 0, max: 5000 }),
    routeBits: fc.integer({ min: 0, max: 32 }),
    routeFrom: fc.integer({ min: 0, max: 0xffffffff }),
    member: fc.bigInt({ min: 1n, max: 0xfeffffffffn }),
  });

  test('IPv4: in the pool, in a route with bits > 0, never .255, ≤ 1000, deterministic', () => {
    fc.assert(
      fc.property(v4Setup, fc.boolean(), ({ start, span, routeBits, routeFrom, member }, nearPool) => {
        const end = Math.min(start + span, 0xffffffff);
        // Half the time, place the route around the pool so candidates exist.
        const anchor = BigInt(nearPool ? start : routeFrom);
        const target = formatPrefix({ family: 4, bits: routeBits, value: maskIp(4, anchor, routeBits) });
        const n = network({
          v4AssignMode: { zt: true },
          ipAssignmentPools: [
            { ipRangeStart: formatIp(4, BigInt(start)), ipRangeEnd: formatIp(4, BigInt(end)) },
          ],
          routes: [{ target, via: null }],
        });
        const address = member.toString(16).padStart(10, '0');
        const all = [...poolCandidates(n, address, never)];
        const route = parsePrefix(target);
        assert.ok(!isPrefixError(route));
        assert.ok(all.length <= Math.min(end - start + 1, MAX_TRIES_PER_POOL));
        for (const ip of all) {
          const v = parseIp(ip)?.value ?? -1n;
          assert.ok(v >= BigInt(start) && v <= BigInt(end), `${ip} outside pool`);
          assert.ok(route.bits > 0 && prefixContainsIp(route, 4, v), `${ip} outside ${target}`);
          assert.notEqual(v & 0xffn, 0xffn);
        }
        assert.deepEqual([...poolCandidates(n, address, never)], all);
      }),
    );
  });

  test('IPv6: in the pool and in a via-less route, ≤ 1000, deterministic for the same random', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 72n) - 1n }),
        fc.integer({ min: 1, max: 128 }),
        fc.bigInt({ min: 1n, max: 0xfeffffffffn }),
        fc.integer(),
        (start, span, bits, member, seed) => {
          const max = (1n << 128n) - 1n;
          const end = start + span > max ? max : start + span;
          const target = formatPrefix({ family: 6, bits, value: maskIp(6, start, bits) });
          const n = network({
            v6AssignMode: { zt: true, rfc4193: false, '6plane': false },
            ipAssignmentPools: [{ ipRangeStart: formatIp(6, start), ipRangeEnd: formatIp(6, end) }],
            routes: [{ target, via: null }],
          });
          const address = member.toString(16).padStart(10, '0');
          const all = [...poolCandidates(n, address, seeded(seed))];
          const route = parsePrefix(target);
          assert.ok(!isPrefixError(route));
          assert.ok(all.length <= MAX_TRIES_PER_POOL);
          for (const ip of all) {
            const v = parseIp(ip)?.value ?? -1n;
            assert.ok(v >= start && v <= end, `${ip} outside pool`);
            assert.ok(prefixContainsIp(route, 6, v), `${ip} outside ${target}`);
          }
          assert.deepEqual([...poolCandidates(n, address, seeded(seed))], all);
        },
      ),
      { numRuns: 60 },
    );
  });
});
