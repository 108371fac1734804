// Changing a subnet: rename, rebind, or move to another prefix. A new prefix must still hold every
// child (else the change is refused, naming them); the subnet then re-parents exactly as if it were
// removed with its children promoted and inserted again under the same id — so the tree stays the
// containment order, and siblings that now fall inside it become its children.

import { ErrorCodes, notFound, RpError } from '../errors.ts';
import { formatPrefix, prefixContainsPrefix } from '../cidr/prefix.ts';
import { comparePrefixes } from '../cidr/prefix-order.ts';
import type { IpamPlan, IpamSubnet, SubnetPatch } from './ipam-types.ts';
import { applyIpamPlan } from './ipam-plan.ts';
import { checkNotInUse, planSubnetDelete } from './subnet-delete.ts';
import { describeSubnet, listPrefixes, parseSubnetPrefix, SubnetIndex } from './subnet-index.ts';
import { adoptedChildren, checkSubnetName, checkUnique, resolveParent } from './subnet-insert.ts';

export interface SubnetUpdateOptions {
  /** As for delete: prefixes that must not change, with why. */
  inUse?: ReadonlyMap<string, string>;
}

export function planSubnetUpdate(
  existing: readonly IpamSubnet[],
  id: string,
  patch: SubnetPatch,
  options: SubnetUpdateOptions = {},
): IpamPlan {
  const index = new SubnetIndex(existing);
  const item = index.byId.get(id);
  if (!item) throw notFound(`IPAM subnet ${id}`);
  const name = patch.name === undefined ? item.subnet.name : checkSubnetName(patch.name);
  const networkId = patch.networkId === undefined ? (item.subnet.networkId ?? null) : patch.networkId;
  const prefix = patch.prefix === undefined ? item.prefix : parseSubnetPrefix(patch.prefix, 'prefix');
  const moved = comparePrefixes(prefix, item.prefix) !== 0;

  if (!moved) {
    // Same prefix: the parent cannot change, but a given one is still checked.
    if (patch.parent !== undefined) resolveParent(index, prefix, patch.parent, id);
    return { subnet: { ...item.subnet, name, networkId }, reparented: [], removed: [] };
  }

  checkNotInUse([item.subnet], options.inUse, 'move');
  checkUnique(index, prefix, id);
  const children = index.childrenOf(id);
  const outside = children.filter(
    (c) => c.prefix.bits <= prefix.bits || !prefixContainsPrefix(prefix, c.prefix),
  );
  if (outside.length > 0) {
    throw new RpError(
      ErrorCodes.CONFLICT,
      `${formatPrefix(prefix)} would not hold the child subnet(s) ${listPrefixes(outside.map((c) => c.subnet))} ` +
        `of ${describeSubnet(item.subnet)}; move or delete them first`,
      'prefix',
    );
  }

  // Take the subnet out (children promoted), then put it back at its new place.
  const without = applyIpamPlan(existing, planSubnetDelete(existing, id, { children: 'promote' }));
  const rest = new SubnetIndex(without);
  const parent = resolveParent(rest, prefix, patch.parent);
  const parentId = parent?.subnet.id ?? null;
  const subnet: IpamSubnet = { ...item.subnet, prefix: formatPrefix(prefix), name, networkId, parentId };
  const after = new Map(adoptedChildren(rest, parentId, prefix, id).map((s) => [s.id, s] as const));
  // Report only the subnets whose parent really changes, compared with the stored rows.
  const reparented: IpamSubnet[] = [];
  for (const s of without) {
    const final = after.get(s.id) ?? s;
    const before = index.byId.get(s.id)!.subnet;
    if ((before.parentId ?? null) !== final.parentId) reparented.push(final);
  }
  reparented.sort((a, b) => comparePrefixes(rest.byId.get(a.id)!.prefix, rest.byId.get(b.id)!.prefix));
  return { subnet, reparented, removed: [] };
}
