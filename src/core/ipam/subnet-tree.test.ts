import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes, RpError } from '../errors.ts';
import { formatIp } from '../cidr/ip.ts';
import { prefixContainsIp, prefixContainsPrefix } from '../cidr/prefix.ts';
import type { IpamSubnet } from './ipam-types.ts';
import { applyIpamPlan } from './ipam-plan.ts';
import { planSubnetInsert } from './subnet-insert.ts';
import { subnetTree, type SubnetTreeNode } from './subnet-tree.ts';
import { childSubnetOf, createChildSubnetLookup } from './child-subnet.ts';
import { mustPrefix, subnetPrefixArb } from './ipam-fixtures.test.ts';

function insertAll(list: Array<[string, string]>): IpamSubnet[] {
  let subnets: IpamSubnet[] = [];
  for (const [id, prefix] of list)
    subnets = applyIpamPlan(subnets, planSubnetInsert(subnets, { id, prefix, name: id }));
  return subnets;
}

const tree = insertAll([
  ['root', '10.0.0.0/8'],
  ['g1', '10.1.1.0/24'],
  ['g2', '10.1.2.0/24'],
  ['g3', '10.1.3.0/24'],
  ['h', '10.1.2.128/25'],
  ['v6', 'fd00::/16'],
  ['v6a', 'fd00:0:1::/48'],
]);

const shape = (n: SubnetTreeNode): unknown => [n.prefix, n.utilisation.used, n.children.map(shape)];

describe('subnetTree', () => {
  test('nests children in canonical order and counts distinct assigned IPs', () => {
    const ips = [
      '10.1.2.7',
      '10.1.2.200',
      '10.1.2.200',
      '10.1.1.1',
      '10.9.9.9',
      '192.168.1.1',
      'not-an-ip',
      'fd00::1',
    ];
    const root = subnetTree(tree, 'root', ips);
    assert.deepEqual(shape(root), [
      '10.0.0.0/8',
      4,
      [
        ['10.1.1.0/24', 1, []],
        ['10.1.2.0/24', 2, [['10.1.2.128/25', 1, []]]],
        ['10.1.3.0/24', 0, []],
      ],
    ]);
    assert.deepEqual(root.utilisation, { used: 4, size: 16777216, sizeLog2: 24, ratio: 4 / 16777216 });
    assert.deepEqual(root.children[1]!.utilisation, { used: 2, size: 256, sizeLog2: 8, ratio: 2 / 256 });
  });

  test('IPv6 sizes are exact decimal strings', () => {
    const v6 = subnetTree(tree, 'v6', ['fd00:0:1::5', 'fd00::1']);
    assert.equal(v6.utilisation.size, (1n << 112n).toString());
    assert.equal(v6.utilisation.sizeLog2, 112);
    assert.equal(v6.utilisation.used, 2);
    assert.equal(v6.utilisation.ratio, 2 / 2 ** 112);
    const all = subnetTree(insertAll([['z', '::/0']]), 'z', []);
    assert.equal(all.utilisation.size, '340282366920938463463374607431768211456');
  });

  test('an unknown root is NOT_FOUND', () => {
    assert.throws(
      () => subnetTree(tree, 'nope', []),
      (e: unknown) => e instanceof RpError && e.code === ErrorCodes.NOT_FOUND,
    );
  });
});

describe('childSubnetOf (ipamChildSubnet)', () => {
  test("the operator's example and deeper subnets", () => {
    assert.equal(childSubnetOf(tree, '10.0.0.0/8', '10.1.2.7')?.prefix, '10.1.2.0/24');
    assert.equal(childSubnetOf(tree, '10.0.0.0/8', '10.1.2.130')?.prefix, '10.1.2.128/25');
    assert.equal(childSubnetOf(tree, '10.1.2.0/24', '10.1.2.130')?.prefix, '10.1.2.128/25');
    assert.equal(childSubnetOf(tree, '10.1.2.0/24', '10.1.2.7'), null, 'in the network subnet but no child');
    assert.equal(childSubnetOf(tree, '10.0.0.0/8', '10.2.0.1'), null);
    assert.equal(childSubnetOf(tree, '10.0.0.0/8', '192.168.0.1'), null);
    assert.equal(childSubnetOf(tree, 'fd00::/16', 'fd00:0:1::9')?.id, 'v6a');
    assert.equal(childSubnetOf(tree, 'bad', '10.1.2.7'), null);
  });

  test('property: equals the deepest subnet strictly inside the network subnet holding the IP', () => {
    fc.assert(
      fc.property(
        fc.array(subnetPrefixArb, { maxLength: 30 }),
        fc.nat(),
        fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }),
        (prefixes, pick, low) => {
          const subnets = insertAll([...new Set(prefixes)].map((p, i) => [`s${i}`, p]));
          fc.pre(subnets.length > 0);
          const network = subnets[pick % subnets.length]!;
          const np = mustPrefix(network.prefix);
          const ip =
            np.family === 4
              ? { family: 4 as const, value: np.value | (low & ((1n << BigInt(32 - np.bits)) - 1n)) }
              : { family: 6 as const, value: np.value | low };
          const text = formatIp(ip.family, ip.value);
          const expected =
            subnets
              .map((s) => ({ s, p: mustPrefix(s.prefix) }))
              .filter(
                ({ p }) =>
                  p.bits > np.bits && prefixContainsPrefix(np, p) && prefixContainsIp(p, ip.family, ip.value),
              )
              .sort((a, b) => b.p.bits - a.p.bits)[0]?.s ?? null;
          assert.equal(createChildSubnetLookup(subnets)(network.prefix, text), expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
