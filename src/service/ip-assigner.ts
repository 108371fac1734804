// Automatic IP assignment, as the stock controller does it: for each family whose auto-assign mode
// is on and in which the member holds no managed address yet, take the first free candidate (the
// core yields them in the stock order; the store knows who holds what). The stock controller assigns
// on the member's next config request; we also do it when the member is authorized, so the API
// shows the address at once.
import type { IpFamily } from '../core/cidr/ip.ts';
import { hasManagedIpOfFamily, poolCandidates } from '../core/member/ip-assignment.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import type { ManagedRoute, NetworkRecord } from '../core/network/network-types.ts';
import type { StoreReader } from '../store/store.ts';

/**
 * Adds automatically assigned IPs to `member` (replaces its ipAssignments array). `routes`: the
 * network's effective routes (manual and from IPAM, as its JSON shows them); stock hands out only pool
 * addresses inside a route, and a network routed from IPAM alone must still get addresses.
 */
export async function assignAutomaticIps(
  reader: StoreReader,
  given: NetworkRecord,
  member: MemberRecord,
  random: () => number,
  routes: readonly ManagedRoute[] = given.routes,
): Promise<void> {
  if (!member.authorized || member.noAutoAssignIps) return;
  const network: NetworkRecord = routes === given.routes ? given : { ...given, routes: [...routes] };
  const families: IpFamily[] = [];
  if (network.v6AssignMode.zt) families.push(6);
  if (network.v4AssignMode.zt) families.push(4);
  for (const family of families) {
    if (hasManagedIpOfFamily(member, family, network)) continue;
    for (const candidate of poolCandidates(network, member.address, random, family)) {
      const owner = await reader.findIpOwner(network.id, candidate);
      if (owner !== undefined && owner !== member.address) continue;
      member.ipAssignments = [...member.ipAssignments, candidate];
      break;
    }
  }
}
