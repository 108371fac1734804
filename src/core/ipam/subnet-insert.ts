// Adding a subnet. The IPAM tree is the containment order of its prefixes: a subnet's parent is
// always the smallest other subnet containing it. So siblings can never overlap (two prefixes
// overlap only by containment), a given `parent` can only confirm the computed one, and a new
// subnet that lands between a parent and some of its children adopts those children.

import { ErrorCodes, invalidField, RpError } from '../errors.ts';
import { formatPrefix, prefixContainsPrefix, type Prefix } from '../cidr/prefix.ts';
import type { IpamPlan, IpamSubnet, SubnetProposal } from './ipam-types.ts';
import { describeSubnet, parseSubnetPrefix, SubnetIndex, type IndexedSubnet } from './subnet-index.ts';

export const MAX_SUBNET_NAME_LENGTH = 255;

export function checkSubnetName(name: unknown): string {
  if (typeof name !== 'string') throw invalidField('name', `expected a string, got ${typeof name}`);
  if (name.length > MAX_SUBNET_NAME_LENGTH) {
    throw invalidField('name', `${name.length} characters; at most ${MAX_SUBNET_NAME_LENGTH} are allowed`);
  }
  return name;
}

/**
 * The parent a subnet with `prefix` gets: the smallest subnet containing it (skipping `skipId`, the
 * subnet itself when it is being moved). An explicit `ref` must name that same subnet.
 */
export function resolveParent(
  index: SubnetIndex,
  prefix: Prefix,
  ref: string | null | undefined,
  skipId?: string,
): IndexedSubnet | undefined {
  const text = formatPrefix(prefix);
  const smallest = index.smallestContaining(prefix, skipId);
  if (ref === undefined) return smallest;
  if (ref === null) {
    if (smallest) {
      throw new RpError(
        ErrorCodes.CONFLICT,
        `${text} lies inside ${describeSubnet(smallest.subnet)}, so it cannot be a root subnet`,
        'parent',
      );
    }
    return undefined;
  }
  const wanted = index.resolveRef(ref, 'parent');
  if (
    wanted.subnet.id === skipId ||
    wanted.prefix.bits >= prefix.bits ||
    !prefixContainsPrefix(wanted.prefix, prefix)
  ) {
    throw invalidField('parent', `${text} is not inside ${describeSubnet(wanted.subnet)}`);
  }
  if (smallest && smallest !== wanted) {
    throw new RpError(
      ErrorCodes.CONFLICT,
      `${text} overlaps ${describeSubnet(smallest.subnet)}, which lies inside ${wanted.subnet.prefix}: ` +
        `its parent must be ${smallest.subnet.prefix}, the smallest subnet containing it (or leave parent out)`,
      'parent',
    );
  }
  return wanted;
}

/** Refuses a prefix that another subnet already has. */
export function checkUnique(index: SubnetIndex, prefix: Prefix, skipId?: string): void {
  const same = index.byPrefix.get(formatPrefix(prefix));
  if (same && same.subnet.id !== skipId) {
    throw new RpError(
      ErrorCodes.CONFLICT,
      `${describeSubnet(same.subnet)} exists already (subnet ${same.subnet.id})`,
      'prefix',
    );
  }
}

/** The children of `parentId` that lie inside `prefix` and so move under the subnet `newId`. */
export function adoptedChildren(
  index: SubnetIndex,
  parentId: string | null,
  prefix: Prefix,
  newId: string,
): IpamSubnet[] {
  return index
    .childrenOf(parentId)
    .filter((child) => child.subnet.id !== newId && prefixContainsPrefix(prefix, child.prefix))
    .map((child) => ({ ...child.subnet, parentId: newId }));
}

export function planSubnetInsert(existing: readonly IpamSubnet[], proposed: SubnetProposal): IpamPlan {
  const index = new SubnetIndex(existing);
  if (typeof proposed.id !== 'string' || proposed.id === '')
    throw invalidField('id', 'expected a non-empty string');
  if (index.byId.has(proposed.id)) {
    throw new RpError(ErrorCodes.CONFLICT, `an IPAM subnet with id ${proposed.id} exists already`, 'id');
  }
  const prefix = parseSubnetPrefix(proposed.prefix, 'prefix');
  const name = checkSubnetName(proposed.name);
  checkUnique(index, prefix);
  const parent = resolveParent(index, prefix, proposed.parent);
  const parentId = parent?.subnet.id ?? null;
  const subnet: IpamSubnet = {
    id: proposed.id,
    prefix: formatPrefix(prefix),
    name,
    parentId,
    networkId: proposed.networkId ?? null,
  };
  return { subnet, reparented: adoptedChildren(index, parentId, prefix, proposed.id), removed: [] };
}
