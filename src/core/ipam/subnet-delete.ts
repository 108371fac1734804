// Removing a subnet. By default a subnet with children is refused, so nobody loses a branch of the
// tree by accident; `children: 'promote'` hands them to the removed subnet's parent (which is then
// their smallest container, keeping the tree valid) and `children: 'delete'` removes the branch.

import { ErrorCodes, notFound, RpError } from '../errors.ts';
import type { IpamPlan, IpamSubnet } from './ipam-types.ts';
import { describeSubnet, listPrefixes, SubnetIndex } from './subnet-index.ts';

export type ChildrenOnDelete = 'refuse' | 'promote' | 'delete';

export interface SubnetDeleteOptions {
  children?: ChildrenOnDelete;
  /** Prefixes that must not disappear, with why (e.g. "the IPAM subnet of network 8056c2e21c000001"). */
  inUse?: ReadonlyMap<string, string>;
}

/** Refuses when any of `subnets` is in use, naming it and the reason. */
export function checkNotInUse(
  subnets: readonly IpamSubnet[],
  inUse: ReadonlyMap<string, string> | undefined,
  verb: string,
) {
  if (!inUse) return;
  for (const subnet of subnets) {
    const why = inUse.get(subnet.prefix);
    if (why !== undefined)
      throw new RpError(ErrorCodes.CONFLICT, `cannot ${verb} ${describeSubnet(subnet)}: it is ${why}`);
  }
}

export function planSubnetDelete(
  existing: readonly IpamSubnet[],
  id: string,
  options: SubnetDeleteOptions = {},
): IpamPlan {
  const index = new SubnetIndex(existing);
  const item = index.byId.get(id);
  if (!item) throw notFound(`IPAM subnet ${id}`);
  const mode = options.children ?? 'refuse';
  const children = index.childrenOf(id).map((child) => child.subnet);
  if (mode === 'delete') {
    const branch = index.descendantsOf(id).map((d) => d.subnet);
    checkNotInUse([item.subnet, ...branch], options.inUse, 'delete');
    return { subnet: item.subnet, reparented: [], removed: [id, ...branch.map((s) => s.id)] };
  }
  checkNotInUse([item.subnet], options.inUse, 'delete');
  if (mode === 'refuse' && children.length > 0) {
    throw new RpError(
      ErrorCodes.CONFLICT,
      `${describeSubnet(item.subnet)} has ${children.length} child subnet(s) (${listPrefixes(children)}); ` +
        `delete them first, or delete with children "promote" or "delete"`,
    );
  }
  const parentId = item.subnet.parentId ?? null;
  return {
    subnet: item.subnet,
    reparented: children.map((child) => ({ ...child, parentId })),
    removed: [id],
  };
}
