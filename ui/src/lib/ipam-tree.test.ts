import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubnetTreeNode } from './api-types.ts';
import { descendantCount, rootSubnets, treeRows, usageLevel } from './ipam-tree.ts';

const node = (id: string, children: SubnetTreeNode[] = []): SubnetTreeNode => ({
  id,
  prefix: id,
  name: id,
  networkId: null,
  utilisation: { used: 0, size: 256, sizeLog2: 8, ratio: 0 },
  children,
});

describe('ipam tree rows', () => {
  const tree = node('10.0.0.0/8', [
    node('10.1.0.0/16', [node('10.1.1.0/24'), node('10.1.2.0/24')]),
    node('10.2.0.0/16'),
  ]);

  it('flattens depth first with depth and sibling positions', () => {
    assert.deepEqual(
      treeRows([tree], new Set()).map((r) => [r.node.id, r.depth, r.hasChildren, r.position, r.siblings]),
      [
        ['10.0.0.0/8', 1, true, 1, 1],
        ['10.1.0.0/16', 2, true, 1, 2],
        ['10.1.1.0/24', 3, false, 1, 2],
        ['10.1.2.0/24', 3, false, 2, 2],
        ['10.2.0.0/16', 2, false, 2, 2],
      ],
    );
  });

  it('a collapsed branch hides its descendants only', () => {
    assert.deepEqual(
      treeRows([tree], new Set(['10.1.0.0/16'])).map((r) => r.node.id),
      ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'],
    );
  });

  it('counts descendants, finds roots, grades usage', () => {
    assert.equal(descendantCount(tree), 4);
    assert.deepEqual(
      rootSubnets([
        { id: 'a', prefix: '10.0.0.0/8', name: '', parent: null, parentPrefix: null, networks: [] },
        { id: 'b', prefix: '10.1.0.0/16', name: '', parent: 'a', parentPrefix: '10.0.0.0/8', networks: [] },
      ]).map((s) => s.id),
      ['a'],
    );
    assert.deepEqual([usageLevel(0.1), usageLevel(0.75), usageLevel(0.95)], ['low', 'mid', 'high']);
  });
});
