// The IPAM tree as rows to render: depth for indentation, whether a row has children, and which
// rows a collapsed branch hides. Utilisation comes from the API (`/ipam/subnets/<id>/tree`).
import type { IpamSubnet, SubnetTreeNode } from './api-types.ts';

export interface TreeRow {
  node: SubnetTreeNode;
  depth: number;
  hasChildren: boolean;
  /** Position among its siblings (1-based) and their count, for aria-posinset/aria-setsize. */
  position: number;
  siblings: number;
}

export function treeRows(roots: readonly SubnetTreeNode[], collapsed: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (nodes: readonly SubnetTreeNode[], depth: number) => {
    nodes.forEach((node, index) => {
      rows.push({
        node,
        depth,
        hasChildren: node.children.length > 0,
        position: index + 1,
        siblings: nodes.length,
      });
      if (!collapsed.has(node.id)) walk(node.children, depth + 1);
    });
  };
  walk(roots, 1);
  return rows;
}

/** Subnets with no parent: each is the root of one tree. */
export function rootSubnets(subnets: readonly IpamSubnet[]): IpamSubnet[] {
  return subnets.filter((s) => s.parent === null);
}

/** How many subnets a node has below it, for the remove dialog ("and its 3 children"). */
export function descendantCount(node: SubnetTreeNode): number {
  return node.children.reduce((n, child) => n + 1 + descendantCount(child), 0);
}

export type UsageLevel = 'low' | 'mid' | 'high';

export function usageLevel(ratio: number): UsageLevel {
  return ratio >= 0.9 ? 'high' : ratio >= 0.7 ? 'mid' : 'low';
}
