import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes, RpError } from '../errors.ts';
import type { IpamSubnet } from './ipam-types.ts';
import { applyIpamPlan } from './ipam-plan.ts';
import { planSubnetDelete } from './subnet-delete.ts';
import { planSubnetInsert } from './subnet-insert.ts';
import { planSubnetUpdate } from './subnet-update.ts';
import { assertValidTree, byId, subnetPrefixArb } from './ipam-fixtures.test.ts';

function insertAll(list: Array<[string, string]>, start: IpamSubnet[] = []): IpamSubnet[] {
  let subnets = start;
  for (const [id, prefix] of list)
    subnets = applyIpamPlan(subnets, planSubnetInsert(subnets, { id, prefix, name: id }));
  return subnets;
}

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

const parentOf = (subnets: IpamSubnet[], id: string) => subnets.find((s) => s.id === id)?.parentId;

describe('planSubnetInsert', () => {
  const operator = insertAll([
    ['root', '10.0.0.0/8'],
    ['g1', '10.1.1.0/24'],
    ['g2', '10.1.2.0/24'],
    ['g3', '10.1.3.0/24'],
  ]);

  test('the parent is the smallest containing subnet when left out', () => {
    assert.deepEqual(
      operator.map((s) => [s.prefix, s.parentId]),
      [
        ['10.0.0.0/8', null],
        ['10.1.1.0/24', 'root'],
        ['10.1.2.0/24', 'root'],
        ['10.1.3.0/24', 'root'],
      ],
    );
    const plan = planSubnetInsert(operator, { id: 'h', prefix: '10.1.2.128/25', name: 'hosts' });
    assert.equal(plan.subnet.parentId, 'g2');
    assert.deepEqual(plan.reparented, []);
  });

  test('canonicalises the prefix and accepts a parent by id or by prefix', () => {
    const v6 = insertAll([['v6', 'fd00::/16']]);
    const plan = planSubnetInsert(v6, { id: 'a', prefix: 'FD00:0:1::/48', name: '', parent: 'fd00::/16' });
    assert.equal(plan.subnet.prefix, 'fd00:0:1::/48');
    assert.equal(plan.subnet.parentId, 'v6');
    assert.equal(
      planSubnetInsert(operator, { id: 'x', prefix: '10.2.0.0/16', name: '', parent: 'root' }).subnet
        .parentId,
      'root',
    );
  });

  test('a subnet between a parent and its children adopts them', () => {
    const plan = planSubnetInsert(operator, { id: 'site', prefix: '10.1.0.0/16', name: 'site' });
    assert.equal(plan.subnet.parentId, 'root');
    assert.deepEqual(
      plan.reparented.map((s) => [s.prefix, s.parentId]),
      [
        ['10.1.1.0/24', 'site'],
        ['10.1.2.0/24', 'site'],
        ['10.1.3.0/24', 'site'],
      ],
    );
    // A partial cover adopts only what lies inside.
    const half = planSubnetInsert(operator, { id: 'half', prefix: '10.1.2.0/23', name: '' });
    assert.deepEqual(
      half.reparented.map((s) => s.prefix),
      ['10.1.2.0/24', '10.1.3.0/24'],
    );
    // A new root above existing roots adopts them too.
    const top = planSubnetInsert(operator, { id: 'all', prefix: '0.0.0.0/0', name: '' });
    assert.equal(top.subnet.parentId, null);
    assert.deepEqual(
      top.reparented.map((s) => s.id),
      ['root'],
    );
  });

  test('refusals name the conflict', () => {
    rejects(
      () => planSubnetInsert(operator, { id: 'd', prefix: '10.1.2.0/24', name: '' }),
      ErrorCodes.CONFLICT,
      /10\.1\.2\.0\/24 \("g2"\) exists already/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'g1', prefix: '10.9.0.0/16', name: '' }),
      ErrorCodes.CONFLICT,
      /id g1 exists/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'b', prefix: '10.1.2.3/24', name: '' }),
      ErrorCodes.INVALID_INPUT,
      /did you mean 10\.1\.2\.0\/24/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'b', prefix: '10.2.0.0/16', name: '', parent: 'g1' }),
      ErrorCodes.INVALID_INPUT,
      /10\.2\.0\.0\/16 is not inside 10\.1\.1\.0\/24/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'b', prefix: 'fd00::/64', name: '', parent: 'root' }),
      ErrorCodes.INVALID_INPUT,
      /not inside 10\.0\.0\.0\/8/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'b', prefix: '10.1.2.0/25', name: '', parent: 'root' }),
      ErrorCodes.CONFLICT,
      /overlaps 10\.1\.2\.0\/24 \("g2"\).*must be 10\.1\.2\.0\/24/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'b', prefix: '10.9.0.0/16', name: '', parent: null }),
      ErrorCodes.CONFLICT,
      /lies inside 10\.0\.0\.0\/8/,
    );
    rejects(
      () => planSubnetInsert(operator, { id: 'b', prefix: '10.9.0.0/16', name: '', parent: 'nope' }),
      ErrorCodes.INVALID_INPUT,
      /no IPAM subnet has id or prefix "nope"/,
    );
  });

  test('property: inserts keep a valid tree (children inside parents, siblings disjoint)', () => {
    fc.assert(
      fc.property(fc.array(subnetPrefixArb, { maxLength: 40 }), (prefixes) => {
        let subnets: IpamSubnet[] = [];
        prefixes.forEach((prefix, i) => {
          try {
            subnets = applyIpamPlan(subnets, planSubnetInsert(subnets, { id: `s${i}`, prefix, name: '' }));
          } catch (error) {
            // Only exact duplicates may be refused when the parent is left out.
            assert.ok(
              error instanceof RpError &&
                error.code === ErrorCodes.CONFLICT &&
                subnets.some((s) => s.prefix === prefix),
            );
          }
        });
        assertValidTree(subnets);
      }),
      { numRuns: 300 },
    );
  });

  test('property: insert then delete (children promoted) gives back the same tree', () => {
    fc.assert(
      fc.property(fc.array(subnetPrefixArb, { maxLength: 30 }), subnetPrefixArb, (prefixes, extra) => {
        const subnets = insertAll([...new Set(prefixes)].map((p, i) => [`s${i}`, p]));
        fc.pre(!subnets.some((s) => s.prefix === extra));
        const grown = applyIpamPlan(
          subnets,
          planSubnetInsert(subnets, { id: 'new', prefix: extra, name: '' }),
        );
        assertValidTree(grown);
        const back = applyIpamPlan(grown, planSubnetDelete(grown, 'new', { children: 'promote' }));
        assert.deepEqual(byId(back), byId(subnets));
      }),
      { numRuns: 300 },
    );
  });
});

describe('planSubnetDelete', () => {
  const tree = insertAll([
    ['root', '10.0.0.0/8'],
    ['site', '10.1.0.0/16'],
    ['g1', '10.1.1.0/24'],
    ['g2', '10.1.2.0/24'],
    ['other', '10.2.0.0/16'],
  ]);

  test('refuses a subnet with children by default, naming them', () => {
    rejects(
      () => planSubnetDelete(tree, 'site'),
      ErrorCodes.CONFLICT,
      /10\.1\.0\.0\/16 \("site"\) has 2 child subnet\(s\) \(10\.1\.1\.0\/24, 10\.1\.2\.0\/24\)/,
    );
    rejects(() => planSubnetDelete(tree, 'zzz'), ErrorCodes.NOT_FOUND, /IPAM subnet zzz not found/);
    assert.deepEqual(planSubnetDelete(tree, 'g1').removed, ['g1']);
  });

  test('promote hands children to the parent; delete removes the branch', () => {
    const promoted = applyIpamPlan(tree, planSubnetDelete(tree, 'site', { children: 'promote' }));
    assert.equal(parentOf(promoted, 'g1'), 'root');
    assertValidTree(promoted);
    const pruned = planSubnetDelete(tree, 'site', { children: 'delete' });
    assert.deepEqual(pruned.removed, ['site', 'g1', 'g2']);
    assertValidTree(applyIpamPlan(tree, pruned));
  });

  test('a subnet in use is refused with the reason', () => {
    const inUse = new Map([['10.1.2.0/24', 'the IPAM subnet of network 8056c2e21c000001']]);
    rejects(
      () => planSubnetDelete(tree, 'site', { children: 'delete', inUse }),
      ErrorCodes.CONFLICT,
      /cannot delete 10\.1\.2\.0\/24 \("g2"\): it is the IPAM subnet of network 8056c2e21c000001/,
    );
  });

  test('property: any delete mode keeps a valid tree', () => {
    fc.assert(
      fc.property(
        fc.array(subnetPrefixArb, { maxLength: 30 }),
        fc.nat(),
        fc.constantFrom('promote' as const, 'delete' as const),
        (prefixes, pick, mode) => {
          const subnets = insertAll([...new Set(prefixes)].map((p, i) => [`s${i}`, p]));
          fc.pre(subnets.length > 0);
          const victim = subnets[pick % subnets.length]!;
          const after = applyIpamPlan(subnets, planSubnetDelete(subnets, victim.id, { children: mode }));
          assertValidTree(after);
          assert.ok(!after.some((s) => s.id === victim.id));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('planSubnetUpdate', () => {
  const tree = insertAll([
    ['root', '10.0.0.0/8'],
    ['g1', '10.1.1.0/24'],
    ['g2', '10.1.2.0/24'],
    ['g3', '10.1.3.0/24'],
  ]);

  test('rename and rebind keep the place in the tree', () => {
    const plan = planSubnetUpdate(tree, 'g2', { name: 'servers', networkId: '8056c2e21c000001' });
    assert.deepEqual(plan.subnet, {
      id: 'g2',
      prefix: '10.1.2.0/24',
      name: 'servers',
      parentId: 'root',
      networkId: '8056c2e21c000001',
    });
    assert.deepEqual(plan.reparented, []);
    rejects(
      () => planSubnetUpdate(tree, 'g2', { parent: 'g1' }),
      ErrorCodes.INVALID_INPUT,
      /not inside 10\.1\.1\.0\/24/,
    );
  });

  test('growing a subnet adopts the siblings it now covers', () => {
    const plan = planSubnetUpdate(tree, 'g2', { prefix: '10.1.0.0/16' });
    assert.equal(plan.subnet.parentId, 'root');
    assert.deepEqual(
      plan.reparented.map((s) => [s.id, s.parentId]),
      [
        ['g1', 'g2'],
        ['g3', 'g2'],
      ],
    );
    assertValidTree(applyIpamPlan(tree, plan));
  });

  test('a new prefix must still hold the children', () => {
    rejects(
      () => planSubnetUpdate(tree, 'root', { prefix: '10.1.2.0/23' }),
      ErrorCodes.CONFLICT,
      /10\.1\.2\.0\/23 would not hold the child subnet\(s\) 10\.1\.1\.0\/24/,
    );
    rejects(
      () => planSubnetUpdate(tree, 'root', { prefix: '10.1.2.0/24' }),
      ErrorCodes.CONFLICT,
      /exists already/,
    );
    const inUse = new Map([['10.1.1.0/24', 'the IPAM subnet of network x']]);
    rejects(
      () => planSubnetUpdate(tree, 'g1', { prefix: '10.1.1.0/25' }, { inUse }),
      ErrorCodes.CONFLICT,
      /cannot move/,
    );
  });

  test('shrinking a parent onto a sibling range re-parents correctly', () => {
    const plan = planSubnetUpdate(tree, 'root', { prefix: '10.1.0.0/22' });
    assert.deepEqual(plan.reparented, []);
    assertValidTree(applyIpamPlan(tree, plan));
  });

  test('property: prefix moves keep a valid tree', () => {
    fc.assert(
      fc.property(
        fc.array(subnetPrefixArb, { maxLength: 25 }),
        fc.nat(),
        subnetPrefixArb,
        (prefixes, pick, next) => {
          const subnets = insertAll([...new Set(prefixes)].map((p, i) => [`s${i}`, p]));
          fc.pre(subnets.length > 0);
          const victim = subnets[pick % subnets.length]!;
          let plan;
          try {
            plan = planSubnetUpdate(subnets, victim.id, { prefix: next });
          } catch (error) {
            assert.ok(error instanceof RpError && error.code === ErrorCodes.CONFLICT, String(error));
            return;
          }
          assertValidTree(applyIpamPlan(subnets, plan));
        },
      ),
      { numRuns: 300 },
    );
  });
});
