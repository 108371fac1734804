// Applying a plan to a list of subnets: what the store does in its transaction, for previews and tests.

import type { IpamPlan, IpamSubnet } from './ipam-types.ts';

/** The subnets after `plan`: existing order kept, a new subnet appended. */
export function applyIpamPlan(existing: readonly IpamSubnet[], plan: IpamPlan): IpamSubnet[] {
  const removed = new Set(plan.removed);
  const changed = new Map<string, IpamSubnet>();
  for (const subnet of plan.reparented) changed.set(subnet.id, subnet);
  if (!removed.has(plan.subnet.id)) changed.set(plan.subnet.id, plan.subnet);
  const out: IpamSubnet[] = [];
  for (const subnet of existing) {
    if (removed.has(subnet.id)) continue;
    out.push(changed.get(subnet.id) ?? subnet);
    changed.delete(subnet.id);
  }
  out.push(...changed.values());
  return out;
}
